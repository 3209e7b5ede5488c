// Chalkboard TV theme: a display's settings (docs/protocol.md, "Display settings") as the
// options the TV draws with, each value checked against the server's defaults, and the
// look's font faces, loaded when first used. tv.js applies them to the stage.
//
// ES5 for old TV browsers, like tv.js. Needs layout.js; exposes window.ChalkboardTheme.
(function (exports) {
  "use strict";

  // The server's defaults (Theme in service/displays/forms.py), for keys a theme lacks.
  var DEFAULT_THEME = {
    columns: 0,                  // 0 ("auto"): from the screen's shape and the list's length
    taps_per_page: 0,            // 0 ("auto"): as many as fit
    rotation_seconds: 12,
    font_scale: 1,
    viewing_distance: "room",    // how far the guests who read it stand: close, room, across
    look: "taproom",             // looks.css; service/displays/looks.py
    font: "",                    // "": the look's fonts; else one face for the whole board
    colors: { background: "#111417", text: "#f3efe6", accent: "#e0b45a" },
    show: {
      abv: true, ibu: false, style: true, producer: true, prices: true, keg: true, srm: true,
      tap_numbers: true, descriptions: false, images: true
    }
  };

  var VIEWING_DISTANCES = exports.ChalkboardLayout.READABLE_DIVISOR;
  // The font families each look draws with (looks.css), and those a display may choose.
  var LOOK_FONTS = {
    taproom: ["Oswald", "Inter"],
    chalkboard: ["Cabin Sketch", "Patrick Hand"],
    cafe: ["Playfair Display", "Nunito"],
    neon: ["Bebas Neue", "Inter"],
    brewery: ["Oswald", "Inter"],
    contrast: ["Atkinson Hyperlegible"]
  };
  var CHOSEN_FONTS = {
    "": null, inter: "Inter", oswald: "Oswald", nunito: "Nunito",
    "patrick-hand": "Patrick Hand", atkinson: "Atkinson Hyperlegible"
  };
  var COLOR = /^(#[0-9a-f]{3,8}|(rgb|hsl)a?\([0-9\s.,%]+\)|[a-z]+)$/i;

  // The display's theme (flat keys such as background_color and show_abv) over the
  // defaults, each value checked; "auto" and unknown keys fall back to the defaults.
  function merge(given) {
    var merged = {
      columns: whole(given.columns, 0, 4, DEFAULT_THEME.columns),
      taps_per_page: whole(given.taps_per_page, 0, 200, DEFAULT_THEME.taps_per_page),
      rotation_seconds: whole(given.rotation_seconds, 3, 600, DEFAULT_THEME.rotation_seconds),
      font_scale: number(given.font_scale, 0.5, 3, DEFAULT_THEME.font_scale),
      viewing_distance: VIEWING_DISTANCES.hasOwnProperty(given.viewing_distance)
        ? given.viewing_distance : DEFAULT_THEME.viewing_distance,
      look: LOOK_FONTS.hasOwnProperty(given.look) ? given.look : DEFAULT_THEME.look,
      font: CHOSEN_FONTS.hasOwnProperty(given.font) ? given.font : DEFAULT_THEME.font,
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

  // The colours as CSS can take them (a malformed one: the default).
  function validColors(colors) {
    var valid = {};
    for (var key in DEFAULT_THEME.colors) {
      valid[key] = COLOR.test(String(colors[key])) ? colors[key] : DEFAULT_THEME.colors[key];
    }
    return valid;
  }

  function number(value, low, high, fallback) {
    return typeof value === "number" && isFinite(value) ? Math.min(high, Math.max(low, value)) : fallback;
  }

  function whole(value, low, high, fallback) {
    return Math.round(number(value, low, high, fallback));
  }

  // ---- fonts: the look's faces, loaded when first used ---------------------------------------
  //
  // index.html lists every font file (#fonts, with its hashed URL; the service worker caches
  // them). A board is drawn at once with whatever is loaded, then again when its faces
  // arrive, so text is measured in the face it is shown in. Engines without FontFace keep
  // the fallbacks named in looks.css.

  var fontState = {};  // family -> "loading" | "ready" | "failed"

  // The families a board drawn with `opts` uses.
  function fonts(opts) {
    var families = LOOK_FONTS[opts.look].slice();
    if (CHOSEN_FONTS[opts.font]) families.push(CHOSEN_FONTS[opts.font]);
    return families;
  }

  // Whether all of `families` are ready (or failed, or cannot be loaded here); those not yet
  // asked for start loading, and `loaded` is called when each of them is done.
  function load(families, loaded) {
    if (!window.FontFace || !document.fonts || !window.Promise) return true;
    var waiting = false;
    for (var i = 0; i < families.length; i++) {
      var family = families[i];
      if (!fontState[family]) startLoading(family, loaded);
      if (fontState[family] === "loading") waiting = true;
    }
    return !waiting;
  }

  function startLoading(family, loaded) {
    var files = document.querySelectorAll("#fonts [data-family]");
    var loads = [];
    for (var i = 0; i < files.length; i++) {
      if (files[i].getAttribute("data-family") !== family) continue;
      var face = new window.FontFace(family, 'url("' + files[i].getAttribute("data-src") + '")', {
        weight: files[i].getAttribute("data-weight")
      });
      document.fonts.add(face);
      loads.push(face.load());
    }
    fontState[family] = "loading";
    Promise.all(loads).then(function () {
      fontState[family] = "ready";
    }, function () {
      fontState[family] = "failed";  // the fallback faces stay; nothing else to do
    }).then(loaded);
  }

  exports.ChalkboardTheme = {
    merge: merge,
    validColors: validColors,
    whole: whole,
    fonts: fonts,
    load: load
  };
})(window);
