// Chalkboard TV board: a board message's sections as the blocks the TV lays out (section
// heads with their price columns, entry rows), and how each value is written (money,
// volumes, ABV, a beer's colour). Every element is made with createElement/textContent:
// menu text never becomes markup. tv.js lays the blocks out and draws them.
//
// ES5 for old TV browsers, like tv.js. Exposes window.ChalkboardBoard.
(function (exports) {
  "use strict";

  var ML_PER_US_FL_OZ = 29.5735;

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

  // One decimal, as the embeds write it (menus/display.py, Python's "%.1f"): toFixed rounds
  // the exact binary value as Python does, except on exact ties (x.25, x.75), where Python
  // rounds half to even and toFixed rounds up.
  function abvText(n) {
    var quarters = n * 4;
    if (quarters === Math.floor(quarters) && quarters % 2 === 1) {
      var tenths = Math.round(n * 10);
      if (tenths % 2) tenths -= 1;
      return (tenths / 10).toFixed(1) + "%";
    }
    return n.toFixed(1) + "%";
  }

  // A beer's colour from its SRM, as a glass of it looks: the usual exponential fit to the
  // SRM colour chart (pale straw at 2, amber at 10, near black past 35).
  function srmColor(srm) {
    var value = Math.max(0, Math.min(50, srm));
    function channel(top, base) { return Math.round(Math.max(0, Math.min(255, top * Math.pow(base, value)))); }
    return "rgb(" + channel(255, 0.975) + ", " + channel(245, 0.88) + ", " + channel(220, 0.7) + ")";
  }

  function kegPercent(entry) {
    var pct = entry.keg_percent;
    if (typeof pct !== "number" && entry.keg_size_ml && typeof entry.keg_remaining_ml === "number") {
      pct = 100 * entry.keg_remaining_ml / entry.keg_size_ml;
    }
    return typeof pct === "number" && isFinite(pct) ? Math.max(0, Math.min(100, pct)) : null;
  }

  // ---- building the board ----------------------------------------------------------------------

  function empty(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null && text !== "") node.textContent = String(text);
    return node;
  }

  // A section's price columns: the sizes the board gives that section (the editor's
  // per-section serving sizes), else the venue's, in their order; either way only those at
  // least one of its shown entries has a price for, so beers show no "Cocktail" column.
  function sectionSizes(board, section, entries) {
    var byId = {};
    var venueSizes = board.sizes || [];
    for (var v = 0; v < venueSizes.length; v++) byId[String(venueSizes[v].id)] = venueSizes[v];
    var given = section.sizes || venueSizes;
    var used = [];
    for (var i = 0; i < given.length; i++) {
      var size = typeof given[i] === "object" && given[i] ? given[i] : byId[String(given[i])];
      if (!size) continue;
      for (var j = 0; j < entries.length; j++) {
        var prices = entries[j].prices || {};
        if (typeof prices[String(size.id)] === "number") {
          used.push(size);
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
    if (show.srm && typeof beverage.srm === "number" && isFinite(beverage.srm)) {
      var swatch = el("span", "srm");
      swatch.style.backgroundColor = srmColor(beverage.srm);
      name.appendChild(swatch);
    }
    name.appendChild(el("span", "beverage", beverage.name));
    if (entry.note) name.appendChild(el("span", "note", entry.note));
    main.appendChild(name);
    var facts = [];
    if (show.producer && beverage.producer) facts.push(el("span", "producer", beverage.producer));
    if (show.style && beverage.style) facts.push(el("span", "style", beverage.style));
    if (show.abv && typeof beverage.abv === "number") facts.push(el("span", "abv", abvText(beverage.abv)));
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

  // ---- beverage pictures ------------------------------------------------------------------

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

  // The board as a flat list of blocks to lay out: section heads and entries, plus the
  // on-deck names. Hidden and kicked entries are not shown at all (a guest cannot order
  // them; the space goes to what is pouring).
  function blocks(board, venue, opts) {
    var unit = (venue && venue.volume_unit) || "ml";
    var money = moneyFormat((venue && venue.currency) || "USD");
    var sections = board.sections || [];
    var onDeck = [];
    for (var i = 0; i < sections.length; i++) {
      var entries = sections[i].entries || [];
      for (var j = 0; j < entries.length; j++) {
        if (entries[j].status === "on_deck") onDeck.push(entries[j]);
      }
    }
    var list = [];
    for (var s = 0; s < sections.length; s++) {
      var shown = [];
      var all = sections[s].entries || [];
      for (var e = 0; e < all.length; e++) {
        if (all[e].status === "on_tap") shown.push(all[e]);
      }
      if (!shown.length) continue;
      var sizes = sectionSizes(board, sections[s], shown);
      list.push({ head: true, section: s, node: sectionHead(sections[s], sizes, unit, opts) });
      for (var k = 0; k < shown.length; k++) {
        list.push({ head: false, section: s, node: entryRow(shown[k], sizes, money, opts) });
      }
    }
    return { list: list, onDeck: onDeck };
  }

  exports.ChalkboardBoard = { blocks: blocks, el: el, empty: empty, imageUrl: imageUrl };
})(window);
