// Inside the embed (and the mobile page). The page is complete without this file; with it:
//  - the height of the content goes to the host page's loader (postMessage), so the iframe
//    is exactly as tall as the menu and has no scrollbar of its own;
//  - a live stream (server-sent events) says when the menu has a new version, or new keg
//    levels (pours make no version); the page then fetches itself again (the server's
//    cached render, its URL naming the version and levels) and swaps the menu in.
(function () {
  "use strict";
  var framed = window.parent !== window;
  var lastHeight = 0;

  function postHeight() {
    if (!framed) return;
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === lastHeight) return;
    lastHeight = height;
    // The height is not a secret, and the host page's origin is not known here: the
    // loader checks that the message comes from our origin and from its own iframe.
    window.parent.postMessage({ type: "chalkboard:height", height: height }, "*");
  }

  function menu() { return document.getElementById("menu"); }
  function shownVersion() { return parseInt(menu().getAttribute("data-version"), 10) || 0; }
  function shownLevels() { return menu().getAttribute("data-levels") || ""; }

  function pageUrl(version) {
    var params = new URLSearchParams(window.location.search);
    params.set("v", String(version));
    return window.location.pathname + "?" + params.toString();
  }

  function nextChange(element) { return element.getAttribute("data-next-change") || ""; }

  // Schedules (#16): when a day-part begins or ends, the same version shows differently
  // (other prices): fetch the page again at that moment (`boundary`), by this device's
  // clock; a few retries cover a clock that runs early.
  var boundaryTimer = null;
  function armBoundary() {
    window.clearTimeout(boundaryTimer);
    var at = Date.parse(nextChange(menu()));
    if (!at) return;
    boundaryTimer = window.setTimeout(function () {
      load(shownVersion(), 0, true);
    }, Math.min(Math.max(0, at - Date.now()) + 250, 2147483647));
  }

  // The menu of a fresh copy of this page (the server's cached render at `url`).
  function fetchMenu(url) {
    return fetch(url, { credentials: "omit", cache: "no-cache" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        return new DOMParser().parseFromString(html, "text/html").getElementById("menu");
      });
  }

  function versionOf(element) { return parseInt(element.getAttribute("data-version"), 10) || 0; }

  function swapIn(fresh) {
    menu().replaceWith(document.importNode(fresh, true));
    postHeight();
    armBoundary();
  }

  function load(version, attempt, boundary) {
    if (!boundary && version <= shownVersion()) return;
    fetchMenu(pageUrl(version) + (boundary ? "&next=" + encodeURIComponent(nextChange(menu())) : ""))
      .then(function (fresh) {
        if (!fresh) return;
        var freshVersion = versionOf(fresh);
        var moved = boundary && nextChange(fresh) !== nextChange(menu());
        if (freshVersion > shownVersion() || (moved && freshVersion === shownVersion())) {
          swapIn(fresh);
        } else if (boundary && attempt < 5) {
          setTimeout(function () { load(version, attempt + 1, true); }, 1000);
          return;
        }
        // This server had not heard of the version yet: ask again shortly.
        if (freshVersion < version && attempt < 5) {
          setTimeout(function () { load(version, attempt + 1); }, 300 * (attempt + 1));
        }
      })
      .catch(function () {
        if (attempt < 5) setTimeout(function () { load(version, attempt + 1, boundary); }, 1000 * (attempt + 1));
      });
  }

  // Keg levels moved: the page for the version shown, with these levels (`lv` names them,
  // so a CDN answers with that copy, not an older one).
  function loadLevels(levels, attempt) {
    if (!levels || levels === shownLevels()) return;
    fetchMenu(pageUrl(shownVersion()) + "&lv=" + encodeURIComponent(levels))
      .then(function (fresh) {
        if (fresh && versionOf(fresh) >= shownVersion() && fresh.getAttribute("data-levels") !== shownLevels()) {
          swapIn(fresh);
        }
      })
      .catch(function () {
        if (attempt < 3) setTimeout(function () { loadLevels(levels, attempt + 1); }, 1000);
      });
  }

  function follow() {
    var url = document.body.getAttribute("data-live");
    if (!url || !window.EventSource) return;
    // The version shown goes in the URL the first time; after a reconnect EventSource sends
    // Last-Event-ID (the last version it heard), and the server resumes from there.
    var source = new EventSource(url + "?v=" + shownVersion() + "&lv=" + encodeURIComponent(shownLevels()));
    source.addEventListener("version", function (event) {
      load(parseInt(event.data, 10) || 0, 0);
    });
    source.addEventListener("levels", function (event) { loadLevels(event.data, 0); });
  }

  if (window.ResizeObserver) {
    new ResizeObserver(postHeight).observe(document.documentElement);
  } else {
    window.addEventListener("resize", postHeight);
    setInterval(postHeight, 1000);
  }
  window.addEventListener("load", postHeight);
  postHeight();
  follow();
  armBoundary();
})();
