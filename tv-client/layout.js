// Chalkboard TV layout engine (docs/tv.md, "Layout"): how big the text is, how many columns,
// and which blocks go on which page. Pure arithmetic over measured block heights: tv.js does
// the measuring (one layout pass per font size tried) and the drawing.
//
// ES5 for old TV browsers, like tv.js. Exposes window.ChalkboardLayout.
(function (exports) {
  "use strict";

  // The smallest text on the board, as a fraction of the screen's short side, by the
  // display's "viewing distance": a TV is sized for its room, so a share of its height
  // stands for a visual angle. 1080p: close 13.5 px, room 18 px, across 24 px.
  var READABLE_DIVISOR = { close: 80, room: 60, across: 45 };
  var SMALLEST_EM = 0.66;       // the smallest text tv.css draws, in board em
  var PREFERRED_DIVISOR = 18;   // board em at text size 1 when all fits: short side / 18
  var IDEAL_COLUMN_EM = 22;     // columns about this wide read best (name, details, prices)
  var NARROWEST_COLUMN_EM = 17; // narrower, names break mid-word: not a choice the engine makes
  var NARROWEST_NAME_EM = 8;    // what price columns leave for names: narrower, a word a line
  var SEARCH_STEPS = 5;         // binary search on the font: within 3 % of the range
  var SAME_FONT = 0.03;         // fonts within 3 % count as equal when choosing columns
  var TOGETHER_COST = 0.9;      // sections kept whole are worth text up to 10 % smaller

  // -> {minText, minEm, maxEm}: the smallest text allowed (px), and the range of board em
  // the engine may choose from. "Text size" (scale) moves both ends up, and the preferred
  // size down too; the floor never goes under the readable minimum.
  function fontRange(screen, viewingDistance, scale) {
    var short = Math.min(screen.w, screen.h);
    var divisor = READABLE_DIVISOR[viewingDistance] || READABLE_DIVISOR.room;
    var minText = short / divisor * Math.max(1, scale);
    var minEm = minText / SMALLEST_EM;
    return { minText: minText, minEm: minEm, maxEm: Math.max(minEm, short / PREFERRED_DIVISOR * scale) };
  }

  // Column counts worth trying: a fixed count when the display sets one, else from the
  // screen's shape (landscape up to three, portrait up to two), the likelier winners first
  // so the others are ruled out after one measurement.
  function columnChoices(screen, fixed) {
    if (fixed) return [fixed];
    return screen.w > screen.h ? [2, 3, 1] : [1, 2];
  }

  // The height of the section that starts with the head at `start` (head and entries).
  function sectionHeight(list, heights, start) {
    var total = heights[start];
    for (var i = start + 1; i < list.length && !list[i].head; i++) total += heights[i];
    return total;
  }

  // Blocks into pages of columns -> {pages: [[[{index, repeat}]]], overflow}. A head goes
  // with its first entry; an entry that starts a column gets its head again (`repeat`).
  // With `together`, a section that fits in a column starts a new column rather than
  // breaking across two. `perPage` caps the entries on a page (0: no cap).
  function pack(list, heights, columnHeight, columns, perPage, together) {
    var pages = [];
    var heads = {};
    var overflow = false;
    var squeezed = 0;             // pages started for want of room (not by `perPage`)
    var page, column, used, count;

    function newPage() {
      column = [];
      page = [column];
      pages.push(page);
      used = 0;
      count = 0;
    }
    function newColumn() {
      if (page.length >= columns) {
        squeezed += 1;
        newPage();
      } else {
        column = [];
        page.push(column);
        used = 0;
      }
    }

    newPage();
    for (var i = 0; i < list.length; i++) {
      var block = list[i];
      if (perPage && count >= perPage && (block.head || used > 0)) newPage();
      if (block.head) {
        heads[block.section] = i;
        var whole = sectionHeight(list, heights, i);
        var need = together && whole <= columnHeight ? whole : heights[i] + (heights[i + 1] || 0);
        if (used > 0 && used + need > columnHeight) newColumn();
      } else {
        if (used > 0 && used + heights[i] > columnHeight) newColumn();
        if (used === 0) {
          column.push({ index: heads[block.section], repeat: true });
          used += heights[heads[block.section]];
        }
        count += 1;
      }
      column.push({ index: i, repeat: false });
      used += heights[i];
      if (used > columnHeight) overflow = true;  // one block taller than a column
    }
    return { pages: pages, overflow: overflow, squeezed: squeezed };
  }

  // Sections kept together when that costs no page (or always, with `onlyTogether`); one
  // page with room to spare gets its columns evened out (the shortest column height that
  // still holds it all).
  function arrange(list, measured, columns, perPage, onlyTogether) {
    var kept = pack(list, measured.heights, measured.columnHeight, columns, perPage, true);
    var loose = onlyTogether ? kept : pack(list, measured.heights, measured.columnHeight, columns, perPage, false);
    var together = kept.pages.length <= loose.pages.length;
    var chosen = together ? kept : loose;
    chosen.together = together;
    if (chosen.pages.length !== 1 || columns === 1 || !list.length) return chosen;
    var low = 0;
    var high = measured.columnHeight;
    for (var step = 0; step < 10; step++) {
      var mid = (low + high) / 2;
      var tried = pack(list, measured.heights, mid, columns, perPage, together);
      if (tried.pages.length === 1 && !tried.overflow) high = mid;
      else low = mid;
    }
    return pack(list, measured.heights, high, columns, perPage, together);
  }

  // The layout for one column count: the fewest pages the readable minimum allows, at the
  // largest font that keeps that many pages. `measure(font, columns)` lays the blocks out
  // at that size -> {heights, columnHeight, columnWidth, nameWidth}. A font that leaves the
  // names too narrow beside their prices (four sizes on a portrait screen), or, when the engine
  // picks the count (`choosing`), makes the columns too narrow, counts as not fitting at all.
  function fitColumns(list, columns, range, perPage, measure, rival, choosing) {
    function at(font, onlyTogether) {
      var measured = measure(font, columns);
      var result = arrange(list, measured, columns, perPage, onlyTogether);
      result.font = font;
      result.columns = columns;
      result.widthEm = measured.columnWidth / font;
      var narrow = choosing && columns > 1 && result.widthEm < NARROWEST_COLUMN_EM;
      if (measured.nameWidth / font < NARROWEST_NAME_EM) narrow = true;
      result.count = narrow ? Infinity : result.pages.length;
      return result;
    }
    // As few pages as at the smallest font; with `perPage`, also paged only by it where the
    // smallest font was (12 taps at 5 a page stay 5, 5, 2, not 4, 4, 4 in larger type).
    function keeps(result) {
      if (result.count === Infinity) return false;  // even the smallest font is too narrow
      return result.count <= smallest.count && (!perPage || result.squeezed <= smallest.squeezed);
    }
    var smallest = at(range.minEm);
    // Past this font the columns would be too narrow (their width in px barely changes).
    var widest = choosing && columns > 1 ? smallest.widthEm * range.minEm / NARROWEST_COLUMN_EM : Infinity;
    var top = Math.max(range.minEm, Math.min(range.maxEm, widest));
    if (rival && (smallest.count > rival.count || (smallest.count === rival.count && rival.font > top))) {
      return smallest;  // cannot win: skip the search
    }
    var largest = at(top);
    if (keeps(largest)) return largest.together ? largest : together(largest);
    var low = range.minEm;
    var high = top;
    var best = smallest;
    for (var step = 0; step < SEARCH_STEPS; step++) {
      var mid = (low + high) / 2;
      var tried = at(mid);
      if (keeps(tried)) {
        low = mid;
        best = tried;
      } else {
        high = mid;
      }
    }
    return best.together ? best : together(best);

    // The largest font that keeps every section that fits a column whole, if it is at most
    // TOGETHER_COST smaller: a section split with one entry left behind reads badly.
    function together(loose) {
      var floor = Math.max(range.minEm, loose.font * TOGETHER_COST);
      var kept = at(floor, true);
      if (!kept.together || !keeps(kept)) return loose;
      var lowKept = floor;
      var highKept = loose.font;
      for (var step = 0; step < SEARCH_STEPS - 2; step++) {
        var mid = (lowKept + highKept) / 2;
        var tried = at(mid, true);
        if (tried.together && keeps(tried)) {
          lowKept = mid;
          kept = tried;
        } else {
          highKept = mid;
        }
      }
      return kept;
    }
  }

  // Fewer pages first; then larger text; then columns closer to a comfortable width.
  function better(a, b) {
    if (a.count !== b.count) return a.count < b.count;
    if (Math.abs(a.font - b.font) > SAME_FONT * b.font) return a.font > b.font;
    return Math.abs(a.widthEm - IDEAL_COLUMN_EM) < Math.abs(b.widthEm - IDEAL_COLUMN_EM);
  }

  // -> {font, columns, pages, widthEm}: the layout to draw.
  function plan(list, screen, settings, measure) {
    var range = fontRange(screen, settings.viewing_distance, settings.font_scale);
    var choices = columnChoices(screen, settings.columns);
    var best = null;
    for (var i = 0; i < choices.length; i++) {
      var candidate = fitColumns(list, choices[i], range, settings.taps_per_page, measure, best, choices.length > 1);
      if (!best || better(candidate, best)) best = candidate;
    }
    best.range = range;
    return best;
  }

  exports.ChalkboardLayout = {
    fontRange: fontRange,
    columnChoices: columnChoices,
    pack: pack,
    plan: plan,
    READABLE_DIVISOR: READABLE_DIVISOR
  };
})(window);
