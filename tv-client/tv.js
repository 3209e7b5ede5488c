// Chalkboard TV: shows one display's tap list, live over one WebSocket (docs/protocol.md).
//
// Written for old TV browsers (Chrome 53-era engines): ES5 functions and `var`, no modules,
// no async/await, no ResizeObserver, no Object.values/entries, no padStart.
//
// The TV never goes blank (DESIGN.md 10): the last good board is kept in localStorage and
// drawn before connecting; while it may be stale a small "as of HH:MM" badge says since when.
// Nothing about the connection is ever drawn over the menu.
//
// Dev/test only: `/tv?ws=ws://127.0.0.1:PORT/` connects to another protocol server. In
// production the page's CSP allows only the site's own origin, so it cannot be misused.
(function () {
  "use strict";

  var APP = "tv/1";
  var KEYS = { token: "chalkboard.tv.token", board: "chalkboard.tv.board", display: "chalkboard.tv.display" };
  var PING_MS = 25000;           // the protocol's TV heartbeat
  var SILENCE_MS = 60000;        // heard nothing this long: the socket is dead, reconnect
  var STABLE_MS = 10000;         // a connection that lasted this long resets the backoff
  var BACKOFF_BASE_MS = 500;
  var BACKOFF_CAP_MS = 30000;
  var RESTART_CAP_MS = 5000;     // for a minute after a 1012 the service is coming back:
  var RESTART_WINDOW_MS = 60000; // keep retrying within 5 s instead of backing off to 30 s
  var STALE_GRACE_MS = 5000;     // a quick reconnect (a deploy) does not flash the badge
  var ML_PER_US_FL_OZ = 29.5735;

  // The server's defaults (Theme in service/displays/forms.py), for keys a theme lacks.
  var DEFAULT_THEME = {
    columns: 0,                  // 0 ("auto"): two in landscape, one in portrait
    taps_per_page: 0,            // 0 ("auto"): as many as fit
    rotation_seconds: 12,
    font_scale: 1,
    colors: { background: "#111417", text: "#f3efe6", accent: "#e0b45a" },
    show: {
      abv: true, ibu: false, style: true, producer: true, prices: true, keg: false,
      tap_numbers: true, descriptions: false, images: true
    }
  };

  var $ = function (selector) { return document.querySelector(selector); };
  var stage = $("#stage");
  var views = { board: $("#board"), pairing: $("#pairing"), message: $("#message") };
  var badge = $("#badge");

  // ---- state -----------------------------------------------------------------------------

  var token = load(KEYS.token, true);
  var saved = load(KEYS.board);        // {version, board, venue, synced_at}
  var display = load(KEYS.display);    // {id, name, orientation, theme}
  var pairing = null;                  // the `pairing` message while one is shown
  var justPaired = false;
  var noMenu = false;
  var live = false;                    // the board shown is known to be current
  var page = 0;
  var pages = [];
  var timers = { rotate: null, badge: null, reconnect: null, pairing: null, resize: null };

  function load(key, raw) {
    try {
      var value = window.localStorage.getItem(key);
      return raw ? value : (value ? JSON.parse(value) : null);
    } catch (e) {
      return null;  // storage disabled or a corrupt value: start without it
    }
  }

  function store(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, typeof value === "string" ? value : JSON.stringify(value));
    } catch (e) {
      // Full or disabled: the screen still works, it just cannot survive a reboot offline.
    }
  }

  // ---- the connection --------------------------------------------------------------------

  var socket = null;
  var attempt = 0;
  var restartingUntil = 0;
  var openedAt = 0;
  var lastHeard = 0;

  function socketUrl() {
    var override = /[?&]ws=([^&]+)/.exec(window.location.search);
    if (override) {
      var url = decodeURIComponent(override[1]);
      if (/^wss?:\/\//.test(url)) return url;
    }
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + window.location.host + "/tv/ws";
  }

  function connect() {
    timers.reconnect = null;
    var ws;
    try {
      ws = new WebSocket(socketUrl());
    } catch (e) {
      scheduleReconnect();
      return;
    }
    socket = ws;
    lastHeard = Date.now();
    ws.onopen = function () {
      openedAt = lastHeard = Date.now();
      var ratio = window.devicePixelRatio || 1;
      var shown = token && saved && saved.board && saved.board.menu ? saved : null;
      send({
        type: "hello",
        token: token || null,
        menu: shown ? shown.board.menu.id : null,  // versions count per menu
        version: shown ? shown.version : null,
        app: APP,
        screen: { w: Math.round(window.innerWidth * ratio), h: Math.round(window.innerHeight * ratio) }
      });
    };
    ws.onmessage = function (event) {
      if (ws !== socket) return;
      lastHeard = Date.now();
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (e) {
        return;  // not JSON: nothing to act on, and nothing is ever drawn about it
      }
      if (message && typeof message.type === "string") receive(message);
    };
    ws.onclose = function (event) {
      if (ws === socket) dropped(event.code);
    };
  }

  function send(message) {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify(message));
  }

  function dropped(code) {
    socket = null;
    setLive(false);
    if (openedAt && Date.now() - openedAt > STABLE_MS) attempt = 0;
    openedAt = 0;
    if (code === 4001) forgetDevice();  // unknown or revoked: this screen must be paired again
    if (code === 1012) restartingUntil = Date.now() + RESTART_WINDOW_MS;
    scheduleReconnect();
  }

  // Full jitter: random(0, min(cap, base * 2^attempt)), the first retry included.
  function scheduleReconnect() {
    if (timers.reconnect) return;
    var cap = Date.now() < restartingUntil ? RESTART_CAP_MS : BACKOFF_CAP_MS;
    var delay = Math.random() * Math.min(cap, BACKOFF_BASE_MS * Math.pow(2, attempt));
    attempt = Math.min(attempt + 1, 16);
    timers.reconnect = window.setTimeout(connect, delay);
  }

  // Close without waiting for a close handshake a dead network would never finish.
  function abandon() {
    var ws = socket;
    if (!ws) return;
    ws.onclose = ws.onmessage = ws.onopen = null;
    try { ws.close(); } catch (e) { /* already closing */ }
    dropped(1006);
  }

  window.setInterval(function () { send({ type: "ping" }); }, PING_MS);
  window.setInterval(function () {
    if (socket && Date.now() - lastHeard > SILENCE_MS) abandon();
  }, 5000);
  window.addEventListener("online", function () {
    // The network is back: retry soon (still jittered) instead of waiting out a long backoff.
    if (timers.reconnect) {
      window.clearTimeout(timers.reconnect);
      timers.reconnect = null;
      attempt = 0;
      scheduleReconnect();
    }
  });

  // ---- messages --------------------------------------------------------------------------

  function receive(message) {
    switch (message.type) {
      case "pairing":
        pairing = message;
        justPaired = false;
        showPairing();
        break;
      case "paired":
        token = message.token;
        store(KEYS.token, token);
        pairing = null;
        justPaired = true;
        window.clearTimeout(timers.pairing);
        refresh();
        break;
      case "display":
        display = message.display || null;
        store(KEYS.display, display);
        refresh();
        break;
      case "board":
        if (!message.board || typeof message.board !== "object") break;
        saved = { version: message.version, board: message.board, venue: message.venue || {}, synced_at: Date.now() };
        store(KEYS.board, saved);
        noMenu = false;
        setLive(true);
        refresh();
        break;
      case "levels":
        // Keg levels move with every pour (no new version): patch the board we keep.
        if (!saved || !saved.board || !saved.board.menu || saved.board.menu.id !== message.menu) break;
        (saved.board.sections || []).forEach(function (section) {
          (section.entries || []).forEach(function (entry) {
            var level = (message.levels || {})[entry.id];
            if (level) { entry.keg_percent = level.keg_percent; entry.keg_size_ml = level.keg_size_ml; entry.keg_remaining_ml = level.keg_remaining_ml; }
          });
        });
        store(KEYS.board, saved);
        refresh();
        break;
      case "up_to_date":
        noMenu = false;
        setLive(true);
        break;
      case "no_menu":
        // A calm screen, but only when there is nothing better to show (DESIGN.md 10).
        noMenu = true;
        setLive(true);
        refresh();
        break;
      case "reload":
        window.location.reload();
        break;
      case "pong":
        if (live) markSynced();
        break;
    }
  }

  function forgetDevice() {
    token = saved = display = null;
    store(KEYS.token, null);
    store(KEYS.board, null);
    store(KEYS.display, null);
    pairing = { code: null };  // the pairing view, waiting for a code from the next connection
    attempt = 0;
    showPairing();
  }

  // ---- freshness ---------------------------------------------------------------------------

  function markSynced() {
    if (!saved) return;
    saved.synced_at = Date.now();
    store(KEYS.board, saved);
  }

  function setLive(value) {
    if (value) markSynced();
    else if (live) markSynced();  // it was current until this moment
    live = value;
    window.clearTimeout(timers.badge);
    if (live || !saved) {
      badge.hidden = true;
      return;
    }
    var age = Date.now() - (saved.synced_at || 0);
    timers.badge = window.setTimeout(showBadge, Math.max(0, STALE_GRACE_MS - age));
  }

  function showBadge() {
    if (live || !saved) return;
    var at = new Date(saved.synced_at || Date.now());
    badge.textContent = "as of " + two(at.getHours()) + ":" + two(at.getMinutes());
    badge.hidden = false;
  }

  function two(n) { return (n < 10 ? "0" : "") + n; }

  // ---- screens -------------------------------------------------------------------------------

  function show(name) {
    for (var key in views) {
      if (views.hasOwnProperty(key)) views[key].hidden = key !== name;
    }
    if (name !== "board") window.clearTimeout(timers.rotate);
  }

  function refresh() {
    layoutStage();
    if (pairing) showPairing();
    else if (saved && saved.board) renderBoard();
    else if (noMenu) showMessage("No menu assigned yet", "Choose a menu for " + screenName() + " in Chalkboard, under Displays.");
    else if (justPaired) showMessage("Paired", "Loading the menu…");
    else showMessage("Chalkboard", "Connecting…");
  }

  function screenName() {
    return display && display.name ? "“" + display.name + "”" : "this screen";
  }

  function showMessage(title, text) {
    views.message.querySelector(".screen-title").textContent = title;
    views.message.querySelector(".message-text").textContent = text;
    show("message");
  }

  function showPairing() {
    layoutStage();
    var view = views.pairing;
    var code = pairing && pairing.code;
    var qr = view.querySelector(".pairing-qr");
    view.querySelector(".pairing-code").textContent = code || "······";
    if (code && pairing.qr_url) {
      if (qr.getAttribute("src") !== pairing.qr_url) qr.src = pairing.qr_url;
      qr.hidden = false;
    } else {
      qr.hidden = true;
    }
    var where = pairing && pairing.claim_url ? String(pairing.claim_url).replace(/^https?:\/\//, "") : "";
    view.querySelector(".pairing-help").textContent = code
      ? "Go to " + where + " or scan the code"
      : "Getting a pairing code…";
    show("pairing");
    // The server sends a fresh code when this one expires. Should none come a minute after
    // that, reconnecting asks for one. (At least a minute, so a TV whose clock is wrong does
    // not spin; at most a day, as setTimeout fires at once for delays past 2^31 ms.)
    window.clearTimeout(timers.pairing);
    var expires = pairing && pairing.expires_at ? Date.parse(pairing.expires_at) : NaN;
    if (!isNaN(expires)) {
      timers.pairing = window.setTimeout(function () {
        if (pairing && pairing.code === code) abandon();
      }, Math.min(86400000, Math.max(60000, expires + 60000 - Date.now())));
    }
  }

  // ---- the stage: orientation and base font ------------------------------------------------------

  // A portrait display on a landscape screen (a TV hung on its side) is drawn rotated 90°
  // clockwise: the screen's left edge is the top of the menu.
  function layoutStage() {
    var w = window.innerWidth;
    var h = window.innerHeight;
    var rotate = display && display.orientation === "portrait" && w > h;
    var sw = rotate ? h : w;
    var sh = rotate ? w : h;
    stage.style.width = sw + "px";
    stage.style.height = sh + "px";
    stage.style.transform = rotate ? "translateX(" + w + "px) rotate(90deg)" : "";
    stage.style.webkitTransform = stage.style.transform;
    stage.className = "stage" + (rotate ? " rotated" : "") + (sw < sh ? " tall" : " wide");
    stage.style.fontSize = Math.min(sw, sh) / 26 + "px";  // the board refines this to fit
    applyColors(theme().colors);
    return { w: sw, h: sh };
  }

  var COLOR = /^(#[0-9a-f]{3,8}|(rgb|hsl)a?\([0-9\s.,%]+\)|[a-z]+)$/i;

  function applyColors(colors) {
    var valid = {};
    for (var key in DEFAULT_THEME.colors) {
      valid[key] = COLOR.test(String(colors[key])) ? colors[key] : DEFAULT_THEME.colors[key];
    }
    stage.style.setProperty("--bg", valid.background);
    stage.style.setProperty("--fg", valid.text);
    stage.style.setProperty("--accent", valid.accent);
    // Engines without custom properties still get the two colours that matter most.
    document.body.style.backgroundColor = stage.style.backgroundColor = valid.background;
    stage.style.color = valid.text;
  }

  // The display's theme (docs/protocol.md, "Display settings": flat keys such as
  // background_color and show_abv) over the defaults, each value checked; "auto" and
  // unknown keys fall back to the defaults.
  function theme() {
    var given = (display && display.theme) || {};
    var merged = {
      columns: whole(given.columns, 0, 4, DEFAULT_THEME.columns),
      taps_per_page: whole(given.taps_per_page, 0, 200, DEFAULT_THEME.taps_per_page),
      rotation_seconds: whole(given.rotation_seconds, 3, 600, DEFAULT_THEME.rotation_seconds),
      font_scale: number(given.font_scale, 0.5, 3, DEFAULT_THEME.font_scale),
      colors: {},
      show: {}
    };
    for (var c in DEFAULT_THEME.colors) {
      var color = given[c + "_color"];
      merged.colors[c] = typeof color === "string" ? color : DEFAULT_THEME.colors[c];
    }
    for (var s in DEFAULT_THEME.show) {
      var flag = given["show_" + s];
      merged.show[s] = typeof flag === "boolean" ? flag : DEFAULT_THEME.show[s];
    }
    return merged;
  }

  function number(value, low, high, fallback) {
    return typeof value === "number" && isFinite(value) ? Math.min(high, Math.max(low, value)) : fallback;
  }

  function whole(value, low, high, fallback) {
    return Math.round(number(value, low, high, fallback));
  }

  // ---- formatting ------------------------------------------------------------------------

  function moneyFormat(currency) {
    try {
      var format = new Intl.NumberFormat(undefined, { style: "currency", currency: currency });
      var scale = Math.pow(10, format.resolvedOptions().maximumFractionDigits);
      return function (minor) { return format.format(minor / scale); };
    } catch (e) {
      return function (minor) { return (minor / 100).toFixed(2) + " " + (currency || ""); };
    }
  }

  function volume(ml, unit) {
    if (typeof ml !== "number") return "";
    return unit === "oz" ? Math.round(ml / ML_PER_US_FL_OZ) + " oz" : Math.round(ml) + " ml";
  }

  var decimal1 = (function () {
    try {
      var format = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
      return function (n) { return format.format(n); };
    } catch (e) {
      return function (n) { return String(Math.round(n * 10) / 10); };
    }
  })();

  function kegPercent(entry) {
    var pct = entry.keg_percent;
    if (typeof pct !== "number" && entry.keg_size_ml && typeof entry.keg_remaining_ml === "number") {
      pct = 100 * entry.keg_remaining_ml / entry.keg_size_ml;
    }
    return typeof pct === "number" && isFinite(pct) ? Math.max(0, Math.min(100, pct)) : null;
  }

  // ---- building the board ----------------------------------------------------------------------
  //
  // Every element is made with createElement/textContent: menu text never becomes markup.

  function empty(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null && text !== "") node.textContent = String(text);
    return node;
  }

  // The serving sizes that at least one shown entry has a price for, in the venue's order.
  function usedSizes(board, entries) {
    var used = [];
    var sizes = board.sizes || [];
    for (var i = 0; i < sizes.length; i++) {
      for (var j = 0; j < entries.length; j++) {
        var prices = entries[j].prices || {};
        if (typeof prices[String(sizes[i].id)] === "number") {
          used.push(sizes[i]);
          break;
        }
      }
    }
    return used;
  }

  function sectionHead(section, sizes, unit, opts) {
    var head = el("div", "section-head");
    head.appendChild(el("h2", "section-name", section.name));
    if (opts.show.prices && sizes.length) {
      var labels = el("div", "prices");
      for (var i = 0; i < sizes.length; i++) {
        var label = el("span", "price size");
        label.appendChild(el("span", "size-name", sizes[i].name));
        label.appendChild(el("span", "size-volume", volume(sizes[i].volume_ml, unit)));
        labels.appendChild(label);
      }
      head.appendChild(labels);
    }
    return head;
  }

  function entryRow(entry, sizes, money, opts) {
    var show = opts.show;
    var beverage = entry.beverage || {};
    var row = el("div", "entry");
    var pct = show.keg ? kegPercent(entry) : null;
    if (show.tap_numbers || pct !== null) {
      var tap = el("div", "tap");
      if (show.tap_numbers) tap.appendChild(el("span", "tap-label", entry.tap_label));
      if (pct !== null) {
        var keg = el("div", "keg" + (pct < 20 ? " low" : ""));
        var fill = el("div", "keg-fill");
        fill.style.width = pct + "%";
        keg.appendChild(fill);
        tap.appendChild(keg);
      }
      row.appendChild(tap);
    }
    var picture = show.images ? beverageImage(beverage.image) : null;
    if (picture) row.appendChild(picture);
    var main = el("div", "main");
    var name = el("div", "name");
    name.appendChild(el("span", "beverage", beverage.name));
    if (entry.note) name.appendChild(el("span", "note", entry.note));
    main.appendChild(name);
    var facts = [];
    if (show.producer && beverage.producer) facts.push(el("span", "producer", beverage.producer));
    if (show.style && beverage.style) facts.push(el("span", "style", beverage.style));
    if (show.abv && typeof beverage.abv === "number") facts.push(el("span", "abv", decimal1(beverage.abv) + "%"));
    if (show.ibu && typeof beverage.ibu === "number") facts.push(el("span", "ibu", beverage.ibu + " IBU"));
    if (facts.length) {
      var meta = el("div", "meta");
      for (var i = 0; i < facts.length; i++) meta.appendChild(facts[i]);
      main.appendChild(meta);
    }
    if (show.descriptions && beverage.description) main.appendChild(el("div", "description", beverage.description));
    row.appendChild(main);
    if (show.prices && sizes.length) {
      var prices = el("div", "prices");
      for (var j = 0; j < sizes.length; j++) {
        var minor = (entry.prices || {})[String(sizes[j].id)];
        prices.appendChild(el("span", "price", typeof minor === "number" ? money(minor) : ""));
      }
      row.appendChild(prices);
    }
    return row;
  }

  // ---- images: beverage pictures, the logo, the background ---------------------------------

  // Only URLs the server made: http(s) or root-relative, nothing that could leave a CSS url().
  var IMAGE_URL = /^(https?:\/\/|\/)[^\s"'()\\<>]*$/;

  function imageUrl(url) {
    return typeof url === "string" && IMAGE_URL.test(url) ? url : "";
  }

  // A fixed-size box (set in em by tv.css), so the layout never waits for the image.
  function beverageImage(image) {
    var url = image && imageUrl(image.url);
    if (!url) return null;
    var img = el("img", "bev-image");
    img.alt = "";
    if (typeof image.srcset === "string" && image.srcset.split(/\s+/).every(function (word) {
      return !word || IMAGE_URL.test(word.replace(/,$/, "")) || /^\d+w,?$/.test(word);
    })) {
      img.srcset = image.srcset;
      img.sizes = "15vmin";
    }
    img.src = url;
    return img;
  }

  function applyImages() {
    var images = (display && display.images) || {};
    var given = (display && display.theme) || {};
    var background = imageUrl(images.background || given.background_image);
    var logo = imageUrl(images.logo || given.logo_image);
    stage.style.backgroundImage = background ? 'url("' + background + '")' : "";
    stage.style.backgroundSize = "cover";
    stage.style.backgroundPosition = "center";
    if (background) stage.className += " has-background";  // layoutStage resets the class
    var head = views.board.querySelector(".board-head");
    var img = head.querySelector(".board-logo");
    if (!logo) {
      if (img) head.removeChild(img);
      return;
    }
    if (!img) {
      img = el("img", "board-logo");
      img.alt = "";
      head.insertBefore(img, head.firstChild);
    }
    if (img.getAttribute("src") !== logo) img.src = logo;
  }

  // The board as a flat list of blocks to lay out: section heads and entries, plus the
  // on-deck names. Hidden and kicked entries are not shown at all (a guest cannot order
  // them; the space goes to what is pouring).
  function blocks(saved, opts) {
    var board = saved.board;
    var unit = (saved.venue && saved.venue.volume_unit) || "ml";
    var money = moneyFormat((saved.venue && saved.venue.currency) || "USD");
    var sections = board.sections || [];
    var pouring = [];
    var onDeck = [];
    for (var i = 0; i < sections.length; i++) {
      var entries = sections[i].entries || [];
      for (var j = 0; j < entries.length; j++) {
        if (entries[j].status === "on_tap") pouring.push(entries[j]);
        else if (entries[j].status === "on_deck") onDeck.push(entries[j]);
      }
    }
    var sizes = usedSizes(board, pouring);
    var list = [];
    for (var s = 0; s < sections.length; s++) {
      var head = null;
      var shown = sections[s].entries || [];
      for (var e = 0; e < shown.length; e++) {
        if (shown[e].status !== "on_tap") continue;
        if (!head) {
          head = { head: true, section: s, node: sectionHead(sections[s], sizes, unit, opts) };
          list.push(head);
        }
        list.push({ head: false, section: s, node: entryRow(shown[e], sizes, money, opts) });
      }
    }
    return { list: list, onDeck: onDeck };
  }

  // ---- layout: fit on one page, else paginate ----------------------------------------------------
  //
  // Blocks are measured once per font size in an off-screen column as wide as a real one
  // (a single layout pass), then packed into columns by arithmetic. The font shrinks
  // (binary search) down to a readable minimum until everything fits on one page; if it
  // cannot, the board pages at that minimum and rotates. `taps_per_page` caps a page too.

  function measure(list, columnWidth) {
    var box = views.board.querySelector(".board-measure");
    empty(box);
    box.style.width = columnWidth + "px";
    for (var i = 0; i < list.length; i++) box.appendChild(list[i].node);
    var heights = [];
    for (var j = 0; j < list.length; j++) {
      var next = j + 1 < list.length ? list[j + 1].node.offsetTop : box.scrollHeight;
      heights.push(next - list[j].node.offsetTop);
    }
    return heights;
  }

  // -> {pages: [[column: [{index, repeat}]]], fits}; `repeat` marks a section head shown
  // again at the top of a column that continues the section.
  function pack(list, heights, columnHeight, columns, perPage) {
    var pagesOut = [];
    var column = null;
    var used = 0;
    var count = 0;
    var fits = true;
    var heads = {};

    function newPage() {
      column = [];
      pagesOut.push([column]);
      used = 0;
      count = 0;
    }
    function newColumn(breaking) {
      var current = pagesOut[pagesOut.length - 1];
      if (current.length >= columns) {
        if (breaking) fits = false;
        newPage();
      } else {
        column = [];
        current.push(column);
        used = 0;
      }
    }

    newPage();
    for (var i = 0; i < list.length; i++) {
      var block = list[i];
      if (block.head) heads[block.section] = i;
      if (perPage && count >= perPage) newPage();
      // A head goes with its first entry; an entry starting a column gets its head repeated.
      var need = heights[i] + (block.head && i + 1 < list.length ? heights[i + 1] : 0);
      if (used > 0 && used + need > columnHeight) newColumn(true);
      if (!block.head && used === 0) {
        column.push({ index: heads[block.section], repeat: true });
        used += heights[heads[block.section]];
      }
      column.push({ index: i, repeat: false });
      used += heights[i];
      if (!block.head) count += 1;
      if (used > columnHeight) fits = false;  // one block taller than a column
    }
    return { pages: pagesOut, fits: fits };
  }

  // One page with room to spare: even the columns out (the shortest column height that
  // still holds everything) instead of filling the first and leaving the last empty.
  function balance(list, heights, columns, columnHeight) {
    var low = 0;
    var high = columnHeight;
    for (var step = 0; step < 12; step++) {
      var mid = (low + high) / 2;
      var tried = pack(list, heights, mid, columns, 0);
      if (tried.fits && tried.pages.length === 1) high = mid;
      else low = mid;
    }
    return pack(list, heights, high, columns, 0);
  }

  function renderBoard() {
    var opts = theme();
    var size = layoutStage();
    var board = views.board;
    var built = blocks(saved, opts);
    show("board");
    applyImages();

    board.querySelector(".board-venue").textContent = (saved.venue && saved.venue.name) || "";
    board.querySelector(".board-menu").textContent = (saved.board.menu && saved.board.menu.name) || "";
    renderOnDeck(built.onDeck, opts);

    var columns = opts.columns || (size.w > size.h ? 2 : 1);
    var holder = board.querySelector(".board-columns");
    empty(holder);
    var empties = [];
    for (var c = 0; c < columns; c++) empties.push(holder.appendChild(el("div", "column")));

    var short = Math.min(size.w, size.h);
    var largest = short / 26 * opts.font_scale;
    var smallest = Math.min(largest, short / 52);
    var result = null;

    var lastFont = 0;
    var heights = [];
    function attempt(font) {
      lastFont = font;
      stage.style.fontSize = font + "px";
      heights = measure(built.list, empties[0].clientWidth);
      return pack(built.list, heights, empties[0].clientHeight, columns, opts.taps_per_page);
    }

    if (built.list.length) {
      result = attempt(largest);
      if (!result.fits) {
        var best = attempt(smallest);
        if (best.fits) {
          var low = smallest;
          var high = largest;
          var fontOk = smallest;
          for (var step = 0; step < 7; step++) {
            var mid = (low + high) / 2;
            var tried = attempt(mid);
            if (tried.fits) { low = fontOk = mid; best = tried; } else { high = mid; }
          }
          if (lastFont !== fontOk) best = attempt(fontOk);  // leave the stage at that size
        }
        result = best;
      }
      if (result.pages.length === 1 && columns > 1) result = balance(built.list, heights, columns, empties[0].clientHeight);
    } else {
      stage.style.fontSize = largest + "px";
    }

    pages = result ? result.pages : [];
    if (page >= pages.length) page = 0;
    drawPage(built.list);
    empty(board.querySelector(".board-measure"));
    holder.classList.toggle("empty", !built.list.length);
    if (!built.list.length) holder.firstChild.appendChild(el("p", "nothing", "Back soon: the tap list is being updated."));

    window.clearTimeout(timers.rotate);
    if (pages.length > 1) {
      timers.rotate = window.setTimeout(function turn() {
        page = (page + 1) % pages.length;
        drawPage(built.list);
        timers.rotate = window.setTimeout(turn, opts.rotation_seconds * 1000);
      }, opts.rotation_seconds * 1000);
    }
  }

  function drawPage(list) {
    var holder = views.board.querySelector(".board-columns");
    var counter = views.board.querySelector(".board-pages");
    var columns = holder.children;
    for (var c = 0; c < columns.length; c++) empty(columns[c]);
    var current = pages[page] || [];
    for (var i = 0; i < current.length; i++) {
      for (var j = 0; j < current[i].length; j++) {
        var item = current[i][j];
        var node = item.repeat ? list[item.index].node.cloneNode(true) : list[item.index].node;
        if (item.repeat) node.className += " continued";
        columns[i].appendChild(node);
      }
    }
    counter.hidden = pages.length < 2;
    counter.textContent = (page + 1) + " / " + pages.length;
  }

  function renderOnDeck(entries, opts) {
    var strip = views.board.querySelector(".ondeck");
    var names = strip.querySelector(".ondeck-list");
    empty(names);
    for (var i = 0; i < entries.length; i++) {
      var beverage = entries[i].beverage || {};
      var item = el("span", "ondeck-item");
      item.appendChild(el("span", "beverage", beverage.name));
      if (opts.show.producer && beverage.producer) item.appendChild(el("span", "producer", beverage.producer));
      names.appendChild(item);
    }
    strip.hidden = !entries.length;
  }

  // ---- start -------------------------------------------------------------------------------

  window.addEventListener("resize", function () {
    window.clearTimeout(timers.resize);
    timers.resize = window.setTimeout(refresh, 200);
  });

  refresh();             // the cached board first, before any network (DESIGN.md 10)
  setLive(false);
  connect();

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/tv/sw.js", { scope: "/tv" }).catch(function () {
      // No offline shell on this TV; everything else still works.
    });
  }
})();
