// Chalkboard TV: shows one display's tap list, live over one WebSocket (docs/protocol.md).
// This is the app: the messages, the offline copy, the screens, laying the board out and
// turning its pages. connection.js keeps the socket, theme.js reads a display's settings
// and loads its fonts, board.js builds the board's blocks, schedule.js shows it as the
// venue's day-parts make it at each instant, layout.js chooses the font and columns.
//
// Written for old TV browsers (Chrome 53-era engines): ES5 functions and `var`, no modules,
// no async/await, no ResizeObserver, no Object.values/entries, no padStart.
//
// The TV never goes blank (DESIGN.md 10): the last good board is kept in localStorage and
// drawn before connecting; while it may be stale a small "as of HH:MM" badge says since when.
// Nothing about the connection is ever drawn over the menu.
(function () {
  "use strict";

  var APP = "tv/1";
  var KEYS = {
    token: "chalkboard.tv.token", board: "chalkboard.tv.board", display: "chalkboard.tv.display",
    clock: "chalkboard.tv.clock",  // server time minus this TV's, in ms (schedule.js)
    next: "chalkboard.tv.next"     // the display's next menu by day-part: {at, menu, message}
  };
  var STALE_GRACE_MS = 5000;     // a quick reconnect (a deploy) does not flash the badge
  var SCHEDULE_CHECK_MS = 60000; // a timer for a change hours ahead also wakes every minute
  var HEADER_DIVISOR = 30;       // header font: the screen's short side / 30 (36 px at 1080p)

  var $ = function (selector) { return document.querySelector(selector); };
  var stage = $("#stage");
  var views = { board: $("#board"), slide: $("#slide"), pairing: $("#pairing"), message: $("#message") };
  var badge = $("#badge");
  var Board = window.ChalkboardBoard;
  var Theme = window.ChalkboardTheme;
  var el = Board.el;
  var empty = Board.empty;
  var imageUrl = Board.imageUrl;

  // ---- state -----------------------------------------------------------------------------

  // Preview mode (docs/tv.md): framed by the editor as `/tv?preview=<a preview URL>`, the app
  // draws what that URL says a TV would be sent, and touches no socket, storage or worker.
  var PREVIEW_URL = /^\/v\/[a-z0-9-]+\/displays\/(preview\/menus\/\d+|\d+\/preview(\?daypart=\d+)?)$/;
  var PREVIEW_POLL_MS = 3000;
  var preview = previewSource();

  var token = preview ? null : load(KEYS.token, true);
  var saved = preview ? null : load(KEYS.board);        // {version, board, venue, synced_at}
  var display = preview ? null : load(KEYS.display);    // {id, name, orientation, theme}
  var nextMenu = preview ? null : load(KEYS.next);      // {at, menu, message, received_at}
  var pairing = null;                  // the `pairing` message while one is shown
  var justPaired = false;
  var noMenu = !!(saved && saved.no_menu);
  var live = false;                    // the board shown is known to be current
  var page = 0;
  var pages = [];
  var timers = { rotate: null, badge: null, pairing: null, resize: null, schedule: null };
  var Schedule = window.ChalkboardSchedule;
  var clock = new Schedule.Clock(preview ? 0 : Number(load(KEYS.clock, true)));
  var drawnStretch = null;             // the schedule's stretch the board on screen is drawn for
  var drawnKey = null;                 // what the board on screen shows (drawnKeyOf), or null
  var boardWaiting = false;            // a new board waits for the promo slide on screen to end
  var connection = null;               // connection.js, once started

  function load(key, raw) {
    try {
      var value = window.localStorage.getItem(key);
      return raw ? value : (value ? JSON.parse(value) : null);
    } catch (e) {
      return null;  // storage disabled or a corrupt value: start without it
    }
  }

  function store(key, value) {
    if (preview) return;
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, typeof value === "string" ? value : JSON.stringify(value));
    } catch (e) {
      // Full or disabled: the screen still works, it just cannot survive a reboot offline.
    }
  }

  // ---- the connection (connection.js) ---------------------------------------------------------

  function hello() {
    var ratio = window.devicePixelRatio || 1;
    var shown = token && saved && saved.board && saved.board.menu ? saved : null;
    var message = {
      type: "hello",
      token: token || null,
      menu: shown ? shown.board.menu.id : null,  // versions count per menu
      version: shown ? shown.version : null,
      app: APP,
      screen: { w: Math.round(window.innerWidth * ratio), h: Math.round(window.innerHeight * ratio) }
    };
    // The display's next menu it holds (checked when kept), so it is not sent again.
    if (token && nextMenu && nextMenu.message) {
      message.next = { at: nextMenu.at, menu: nextMenu.menu, version: nextMenu.message.version };
    }
    return message;
  }

  function pong(clockChanged) {
    if (live) markSynced();
    if (clockChanged) {
      store(KEYS.clock, String(clock.offset));
      checkSchedule();
    }
  }

  function dropped(code) {
    setLive(false);
    if (code === 4001) forgetDevice();  // unknown or revoked: this screen must be paired again
  }

  // A timer that slept (a throttled or frozen tab) is caught up here.
  window.setInterval(function () { checkSchedule(); }, 5000);

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
        preloadSlides();
        refresh();
        break;
      case "board":
        if (!message.board || typeof message.board !== "object") break;
        keepBoard(message, Date.now());
        setLive(true);
        break;
      case "next_menu":
        // At `at` the display shows another menu (by day-part): keep its board until then.
        var ahead = message.message;
        nextMenu = typeof message.at === "string" && typeof message.menu === "number" && ahead &&
          typeof ahead.version === "number" && ahead.board && typeof ahead.board === "object"
          ? { at: message.at, menu: message.menu, message: ahead, received_at: Date.now() } : null;
        store(KEYS.next, nextMenu);
        checkSchedule();
        break;
      case "levels":
        // Keg levels move with every pour (no new version): patch the board we keep.
        if (!saved || !saved.board || !saved.board.menu || saved.board.menu.id !== message.menu) break;
        everyEntry(saved, function (entry) {
          var level = (message.levels || {})[entry.id];
          if (level) { entry.keg_percent = level.keg_percent; entry.keg_size_ml = level.keg_size_ml; entry.keg_remaining_ml = level.keg_remaining_ml; }
        });
        store(KEYS.board, saved);
        redraw();
        break;
      case "up_to_date":
        noMenu = false;
        setLive(true);
        break;
      case "no_menu":
        // Staff chose "No menu for now": the old board (its prices may be wrong by now) goes,
        // from the screen and from the offline cache, so a reboot does not bring it back.
        saved = { version: null, board: null, no_menu: true, synced_at: Date.now() };
        store(KEYS.board, saved);
        noMenu = true;
        setLive(true);
        refresh();
        break;
      case "reload":
        window.location.reload();
        break;
    }
  }

  // Keep a board message's board and draw it, unless the screen shows exactly that already
  // (the server's push at a day-part boundary, just after this TV switched by its clock).
  function keepBoard(message, syncedAt) {
    var kept = {
      version: message.version, board: message.board, venue: message.venue || {},
      hidden_now: message.hidden_now || null, synced_at: syncedAt
    };
    var same = drawnKey !== null && !preview &&
      drawnKeyOf(kept, Schedule.boardAt(kept.board, kept.hidden_now, clock.now())) === drawnKey;
    saved = kept;
    store(KEYS.board, saved);
    noMenu = false;
    if (same) {
      drawnStretch = stretchNow();
      checkSchedule();  // this board's next changes, from now
    } else {
      redraw();
    }
  }

  // Draw the kept board again; while a promo slide shows, when it ends (turn()).
  function redraw() {
    if (onSlide) boardWaiting = true;
    else refresh();
  }

  // What a board draws, for telling whether it is what the screen shows: its version, menu
  // and venue, and the sections and sizes of the board as it shows now (keys sorted: a board
  // this TV made from the schedule and the server's of that stretch list them differently).
  function drawnKeyOf(kept, shown) {
    return canonical([kept.version, shown.menu, shown.sizes, shown.sections, kept.venue]);
  }

  function canonical(value) {
    if (value === null || typeof value !== "object") return JSON.stringify(value === undefined ? null : value);
    var parts = [];
    if (Object.prototype.toString.call(value) === "[object Array]") {
      for (var i = 0; i < value.length; i++) parts.push(canonical(value[i]));
      return "[" + parts.join(",") + "]";
    }
    var keys = [];
    for (var key in value) if (value.hasOwnProperty(key)) keys.push(key);
    keys.sort();
    for (var k = 0; k < keys.length; k++) parts.push(JSON.stringify(keys[k]) + ":" + canonical(value[keys[k]]));
    return "{" + parts.join(",") + "}";
  }

  // Every entry the kept board has, those its day-parts hide now included.
  function everyEntry(kept, visit) {
    var sections = (kept.board.sections || []).slice();
    var held = kept.hidden_now || {};
    for (var h = 0; h < (held.sections || []).length; h++) sections.push(held.sections[h].section || {});
    for (var s = 0; s < sections.length; s++) {
      var entries = sections[s].entries || [];
      for (var e = 0; e < entries.length; e++) visit(entries[e]);
    }
    for (var id in held.entries || {}) {
      if (!held.entries.hasOwnProperty(id)) continue;
      for (var i = 0; i < held.entries[id].length; i++) visit(held.entries[id][i].entry || {});
    }
  }

  // ---- the schedule: day-part switches by this TV's clock (schedule.js) ----------------------

  // The kept board as it shows now. (A preview shows what its URL answers, as it is.)
  function shownBoard() {
    return preview ? saved.board : Schedule.boardAt(saved.board, saved.hidden_now, clock.now());
  }

  // Switch to the display's next menu when it is due; redraw when the stretch of the
  // schedule the board was drawn for has ended (after the promo slide on screen, if one
  // is); else wait for the next of those (by the server's clock, so offline too).
  function checkSchedule() {
    window.clearTimeout(timers.schedule);
    if (preview || pairing) return;
    var now = clock.now();
    var next = nextMenu ? Date.parse(nextMenu.at) : NaN;
    if (!isNaN(next) && next <= now) {
      switchMenu();  // draws, and so arms the next check
      return;
    }
    next = isNaN(next) ? null : next;
    if (saved && saved.board && drawnStretch !== null) {
      if (stretchNow() !== drawnStretch) {
        if (!onSlide) renderSafely();  // arms the next check itself; after a slide, turn() does
        return;
      }
      var change = Schedule.nextChange(saved.board, now);
      if (change !== null && (next === null || change < next)) next = change;
    }
    if (next !== null) {
      timers.schedule = window.setTimeout(checkSchedule, Math.min(SCHEDULE_CHECK_MS, Math.max(0, next - now)));
    }
  }

  // The display's next menu is due: show its board as if the server had sent it now (it
  // does, at the switch, to a TV that is online; one that is not shows it all the same).
  function switchMenu() {
    var due = nextMenu;
    nextMenu = null;
    store(KEYS.next, null);
    keepBoard(due.message, live ? Date.now() : due.received_at);
  }

  function stretchNow() {
    return saved.version + "@" + Schedule.stretchKey(saved.board, clock.now());
  }

  function forgetDevice() {
    token = saved = display = nextMenu = null;
    store(KEYS.token, null);
    store(KEYS.board, null);
    store(KEYS.display, null);
    store(KEYS.next, null);
    pairing = { code: null };  // the pairing view, waiting for a code from the next connection
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
    if (live || !saved || !saved.board) {
      badge.hidden = true;
      return;
    }
    var age = Date.now() - (saved.synced_at || 0);
    timers.badge = window.setTimeout(showBadge, Math.max(0, STALE_GRACE_MS - age));
  }

  function showBadge() {
    if (live || !saved || !saved.board) return;
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
    if (name !== "board" && name !== "slide") {
      window.clearTimeout(timers.rotate);
      drawnKey = null;  // no board on screen
    }
    if (name !== "slide") onSlide = false;
  }

  function refresh() {
    layoutStage();
    if (pairing) showPairing();
    else if (saved && saved.board) renderSafely();
    else if (noMenu) showMessage("No menu assigned yet", "Choose a menu for " + screenName() + " in Chalkboard, under Displays.");
    else if (justPaired) showMessage("Paired", "Loading the menu…");
    else showMessage("Chalkboard", "Connecting…");
  }

  // A board this app cannot draw (a bug, a field of an unexpected type) must not blank the
  // screen: what was drawn before stays, and the next board or display message tries again.
  function renderSafely() {
    try {
      renderBoard();
    } catch (e) {
      if (window.console) window.console.error(e);
    }
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
        if (pairing && pairing.code === code) connection.abandon();
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
    var opts = theme();
    stage.style.transform = rotate ? "translateX(" + w + "px) rotate(90deg)" : "";
    stage.style.webkitTransform = stage.style.transform;
    stage.className = "stage" + (rotate ? " rotated" : "") + (sw < sh ? " tall" : " wide") +
      " look-" + opts.look + (opts.font ? " font-" + opts.font : "");
    stage.style.fontSize = Math.min(sw, sh) / 26 + "px";  // the board refines this to fit
    // The header (venue, logo, page count, stale badge) is sized from the screen: the board's
    // fitting never shrinks the logo or the badge; its smallest text (0.8em) stays readable.
    var range = window.ChalkboardLayout.fontRange({ w: sw, h: sh }, opts.viewing_distance, opts.font_scale);
    var header = Math.max(Math.min(sw, sh) / HEADER_DIVISOR, range.minText / 0.8);
    views.board.querySelector(".board-head").style.fontSize = header + "px";
    applyColors(opts.colors);
    return { w: sw, h: sh };
  }

  function applyColors(colors) {
    var valid = Theme.validColors(colors);
    stage.style.setProperty("--bg", valid.background);
    stage.style.setProperty("--fg", valid.text);
    stage.style.setProperty("--accent", valid.accent);
    // Engines without custom properties still get the two colours that matter most.
    document.body.style.backgroundColor = stage.style.backgroundColor = valid.background;
    stage.style.color = valid.text;
  }

  // The display's theme (docs/protocol.md, "Display settings") as the options to draw with.
  function theme() {
    return Theme.merge((display && display.theme) || {});
  }

  // A board is drawn again when the faces its look uses have loaded (theme.js).
  function fontsLoaded() {
    if (saved && saved.board && !views.board.hidden) renderSafely();
  }

  // ---- images: the logo and the background (beverage pictures: board.js) -----------------

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

  // ---- layout: fit on one page, else paginate (layout.js) ---------------------------------
  //
  // layout.js chooses the font and columns from measured block heights; this measures: the
  // blocks go into an off-screen box as wide as a real column, at the font tried (one
  // layout pass each), and their offsets give the heights.

  function measure(list, columnWidth) {
    var box = views.board.querySelector(".board-measure");
    box.style.width = columnWidth + "px";
    if (!list.length || list[0].node.parentNode !== box) {  // moved once, then measured in place
      empty(box);
      for (var i = 0; i < list.length; i++) box.appendChild(list[i].node);
    }
    var heights = [];
    for (var j = 0; j < list.length; j++) {
      var next = j + 1 < list.length ? list[j + 1].node.offsetTop : box.scrollHeight;
      heights.push(next - list[j].node.offsetTop);
    }
    return heights;
  }

  // The narrowest name beside its prices in the measuring box (px), as layout.js asks.
  function narrowestName() {
    var mains = views.board.querySelectorAll(".board-measure .main");
    var narrowest = Infinity;
    for (var i = 0; i < mains.length; i++) narrowest = Math.min(narrowest, mains[i].clientWidth);
    return narrowest;
  }

  function now() {
    return window.performance && window.performance.now ? window.performance.now() : Date.now();
  }

  function setColumns(holder, count) {
    while (holder.children.length > count) holder.removeChild(holder.lastChild);
    while (holder.children.length < count) holder.appendChild(el("div", "column"));
  }

  function renderBoard() {
    var opts = theme();
    var size = layoutStage();
    var board = views.board;
    var shown = shownBoard();
    drawnStretch = preview ? null : stretchNow();
    drawnKey = preview ? null : drawnKeyOf(saved, shown);
    boardWaiting = false;
    var built = Board.blocks(shown, saved.venue, opts);
    show("board");
    applyImages();

    board.querySelector(".board-venue").textContent = (saved.venue && saved.venue.name) || "";
    board.querySelector(".board-menu").textContent = (shown.menu && shown.menu.name) || "";
    var daypart = board.querySelector(".board-daypart");
    daypart.textContent = Schedule.namesOn(shown).join(" · ");
    daypart.hidden = !daypart.textContent;
    renderOnDeck(built.onDeck, opts);

    stage.setAttribute("data-fonts", Theme.load(Theme.fonts(opts), fontsLoaded) ? "ready" : "loading");
    var holder = board.querySelector(".board-columns");
    // The board on screen would be laid out again at every font tried: take it down first
    // (all of this runs in one task, so the screen never shows it empty).
    for (var c = 0; c < holder.children.length; c++) empty(holder.children[c]);
    var started = now();
    var passes = 0;
    var chosen = window.ChalkboardLayout.plan(built.list, size, opts, function (font, columns) {
      passes += 1;
      stage.style.fontSize = font + "px";
      setColumns(holder, columns);
      var column = holder.firstChild;
      return {
        heights: built.list.length ? measure(built.list, column.clientWidth) : [],
        columnHeight: column.clientHeight,
        columnWidth: column.clientWidth,
        nameWidth: narrowestName()
      };
    });
    stage.style.fontSize = chosen.font + "px";
    setColumns(holder, chosen.columns);
    stage.setAttribute("data-layout-ms", (now() - started).toFixed(2));
    stage.setAttribute("data-layout-passes", String(passes));
    stage.setAttribute("data-min-text", chosen.range.minText.toFixed(2));

    pages = built.list.length ? chosen.pages : [];
    if (page >= pages.length) page = 0;
    drawPage(built.list);
    empty(board.querySelector(".board-measure"));
    holder.classList.toggle("empty", !built.list.length);
    if (!built.list.length) holder.firstChild.appendChild(el("p", "nothing", "Back soon: the tap list is being updated."));

    drawn = built.list;
    window.clearTimeout(timers.rotate);
    if (pages.length > 1 || currentSlides().length) {
      timers.rotate = window.setTimeout(turn, opts.rotation_seconds * 1000);
    }
    checkSchedule();
  }

  // ---- rotation: the menu's pages, then the next promo slide, round and round ----------------

  var drawn = [];          // the blocks of the board drawn last
  var slideTurn = 0;       // which slide comes next
  var onSlide = false;

  function turn() {
    if (boardWaiting || (!preview && drawnStretch !== null && stretchNow() !== drawnStretch)) {
      // A new board, or a day-part began or ended: the pages change (and rotation restarts).
      renderSafely();
      return;
    }
    var wait = theme().rotation_seconds;
    var slides = currentSlides();
    if (onSlide || page + 1 < pages.length || !slides.length) {
      page = onSlide ? 0 : (page + 1) % Math.max(1, pages.length);
      onSlide = false;
      show("board");
      drawPage(drawn);
    } else {
      var slide = slides[slideTurn++ % slides.length];
      showSlide(slide);
      onSlide = true;
      wait = slide.seconds;
    }
    if (pages.length > 1 || slides.length) timers.rotate = window.setTimeout(turn, wait * 1000);
  }

  // The display's slides for today (its own date: a slide starts on its day even offline).
  function currentSlides() {
    var given = (display && display.slides) || [];
    var at = new Date();
    var today = at.getFullYear() + "-" + two(at.getMonth() + 1) + "-" + two(at.getDate());
    var shown = [];
    for (var i = 0; i < given.length; i++) {
      var slide = given[i];
      if (!slide || (slide.starts_on && slide.starts_on > today) || (slide.ends_on && slide.ends_on < today)) continue;
      if (!slide.title && !(slide.image && imageUrl(slide.image.url))) continue;
      shown.push({
        title: String(slide.title || ""),
        body: String(slide.body || ""),
        image: slide.image && imageUrl(slide.image.url),
        seconds: Theme.whole(slide.seconds, 3, 60, 10)
      });
    }
    return shown;
  }

  function showSlide(slide) {
    var view = views.slide;
    var img = view.querySelector(".slide-image");
    if (slide.image) {
      if (img.getAttribute("src") !== slide.image) img.src = slide.image;
      img.hidden = false;
    } else {
      img.hidden = true;
    }
    view.querySelector(".slide-title").textContent = slide.title;
    view.querySelector(".slide-body").textContent = slide.body;
    view.className = "screen slide" + (slide.image ? " with-image" : "");
    show("slide");
  }

  // Fetch each slide's picture once it is known, so the service worker has it for offline.
  function preloadSlides() {
    var given = (display && display.slides) || [];
    for (var i = 0; i < given.length; i++) {
      var url = given[i] && given[i].image && imageUrl(given[i].image.url);
      if (url) new Image().src = url;
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

  // ---- preview mode ----------------------------------------------------------------------

  function previewSource() {
    var given = /[?&]preview=([^&]+)/.exec(window.location.search);
    var url = given ? decodeURIComponent(given[1]) : "";
    return PREVIEW_URL.test(url) ? url : null;
  }

  var previewTheme = null;  // unsaved settings the framing page sent (its form, as typed)
  var previewOrientation = null;
  var previewShown = "";

  // The preview URL answers {board, venue, display}: drawn as a TV draws those messages,
  // again whenever it changes (an edit here or by someone else).
  function startPreview() {
    showMessage("Preview", "Loading the menu…");
    window.addEventListener("message", function (event) {
      var data = event.data;
      if (event.origin !== window.location.origin || !data || data.type !== "chalkboard-preview-theme") return;
      previewTheme = data.theme && typeof data.theme === "object" ? data.theme : null;
      previewOrientation = data.orientation === "portrait" || data.orientation === "landscape" ? data.orientation : null;
      applyPreview();
    });
    (function poll() {
      var request = new XMLHttpRequest();
      request.open("GET", preview);
      request.onload = function () {
        if (request.status === 200 && request.responseText !== previewShown) {
          previewShown = request.responseText;
          applyPreview();
        }
        window.setTimeout(poll, PREVIEW_POLL_MS);
      };
      request.onerror = function () { window.setTimeout(poll, PREVIEW_POLL_MS); };
      request.send();
    })();
  }

  function applyPreview() {
    var data;
    try {
      data = JSON.parse(previewShown);
    } catch (e) {
      return;  // nothing fetched yet
    }
    display = data.display || {};
    if (previewTheme) {
      var theme = {};
      var key;
      for (key in display.theme || {}) if (display.theme.hasOwnProperty(key)) theme[key] = display.theme[key];
      for (key in previewTheme) if (previewTheme.hasOwnProperty(key)) theme[key] = previewTheme[key];
      display = { id: display.id, name: display.name, orientation: display.orientation, theme: theme, images: display.images };
    }
    if (previewOrientation) display.orientation = previewOrientation;
    saved = data.board ? { version: data.board.menu.version, board: data.board, venue: data.venue } : null;
    noMenu = !data.board;
    refresh();
    // Tell the framing page how this display is mounted, so it can offer that screen first.
    if (window.parent !== window) {
      window.parent.postMessage({ type: "chalkboard-preview-display", orientation: display.orientation }, window.location.origin);
    }
  }

  // ---- start -------------------------------------------------------------------------------

  // A tab coming back from the background may have slept through a change.
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) checkSchedule();
  });

  window.addEventListener("resize", function () {
    window.clearTimeout(timers.resize);
    timers.resize = window.setTimeout(refresh, 200);
  });

  if (preview) {
    startPreview();
    return;
  }

  refresh();             // the cached board first, before any network (DESIGN.md 10)
  setLive(false);
  checkSchedule();       // a next menu kept from before may be due (a reboot offline)
  connection = window.ChalkboardConnection.start({
    clock: clock, hello: hello, receive: receive, pong: pong, dropped: dropped
  });

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/tv/sw.js", { scope: "/tv" }).catch(function () {
      // No offline shell on this TV; everything else still works.
    });
  }
})();
