/* Chalkboard embed loader: <script src="https://HOST/embed.js" data-chalkboard="/embed/ID?..." async></script>
   Puts the menu in an iframe right after the script tag and keeps the iframe as tall as the
   menu (no inner scrollbar). Plain ES5; sets no cookies; runs on the host page. */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me) {
    var all = document.getElementsByTagName("script");
    for (var i = all.length - 1; i >= 0 && !me; i--) {
      if (/\/embed\.js(\?|#|$)/.test(all[i].src)) me = all[i];
    }
  }
  if (!me) return;
  var origin = me.src.replace(/^(https?:\/\/[^\/]+).*$/, "$1");
  var frames = window.__chalkboardFrames = window.__chalkboardFrames || [];

  var tags = document.querySelectorAll("script[data-chalkboard]");
  for (var t = 0; t < tags.length; t++) {
    var tag = tags[t];
    var path = tag.getAttribute("data-chalkboard") || "";
    // Only our own embed pages, on the origin this loader came from.
    if (tag.getAttribute("data-chalkboard-done") || !/^\/embed\/[A-Za-z0-9_-]+(\?[^#]*)?$/.test(path)) continue;
    if (tag.src.replace(/^(https?:\/\/[^\/]+).*$/, "$1") !== origin) continue;
    tag.setAttribute("data-chalkboard-done", "1");
    var frame = document.createElement("iframe");
    frame.src = origin + path;
    frame.title = tag.getAttribute("data-title") || "Tap list";
    frame.setAttribute("loading", "lazy");
    frame.setAttribute("scrolling", "no");
    frame.style.cssText = "display:block;width:100%;height:600px;border:0;overflow:hidden";
    tag.parentNode.insertBefore(frame, tag.nextSibling);
    frames.push({ frame: frame, origin: origin });
  }

  if (window.__chalkboardListening) return;
  window.__chalkboardListening = true;
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "chalkboard:height") return;
    for (var f = 0; f < frames.length; f++) {
      // From our origin, and from this very iframe: no other frame can resize it.
      if (frames[f].origin === event.origin && frames[f].frame.contentWindow === event.source) {
        var height = Math.round(Number(data.height));
        if (height > 0 && height < 100000) frames[f].frame.style.height = height + "px";
      }
    }
  });
})();
