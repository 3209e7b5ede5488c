// Chalkboard TV schedule (docs/schedules.md, "The TV side"): the board as the venue's
// day-parts show it at an instant, by the TV's own clock corrected by the server's, so a TV
// switches to the happy-hour prices on time even when its network is down at that moment.
//
// No timezone maths here: the server sends, with each board, the next changes as instants
// (`board.schedule.upcoming`: [{at, current: [day-part ids]}]) and the rules' effects
// (`board.dayparts.parts`); what the board leaves out in its own stretch comes as
// `hidden_now`. This is the same transformation as service/schedules/effective.py, for a
// given set of active day-parts. Pure functions over plain objects, plus one small clock.
//
// ES5 for old TV browsers, like tv.js. Exposes window.ChalkboardSchedule.
(function (exports) {
  "use strict";

  var CLOCK_SAMPLES = 4;  // the offset comes from the quickest of the last few round trips

  // The server's time, from the TV's: `offset` is server minus TV, measured from each pong
  // (`server_time` stamped between the ping leaving and the pong arriving: the middle of the
  // round trip, off by at most half of it).
  function Clock(offset) {
    this.offset = typeof offset === "number" && isFinite(offset) ? offset : 0;
    this.samples = [];
  }

  Clock.prototype.now = function () {
    return Date.now() + this.offset;
  };

  // A pong arrived at `receivedAt` for the ping sent at `sentAt` (both by Date.now()).
  // Returns true when the offset changed.
  Clock.prototype.sample = function (sentAt, receivedAt, serverTime) {
    if (typeof serverTime !== "number" || !isFinite(serverTime) || receivedAt < sentAt) return false;
    this.samples.push({ rtt: receivedAt - sentAt, offset: serverTime - (sentAt + receivedAt) / 2 });
    if (this.samples.length > CLOCK_SAMPLES) this.samples.shift();
    var best = this.samples[0];
    for (var i = 1; i < this.samples.length; i++) {
      if (this.samples[i].rtt <= best.rtt) best = this.samples[i];
    }
    var changed = Math.round(best.offset) !== this.offset;
    this.offset = Math.round(best.offset);
    return changed;
  };

  // A new connection: the old round trips say nothing about this one.
  Clock.prototype.reset = function () {
    this.samples = [];
  };

  // ---- which stretch of the schedule an instant falls in -------------------------------------

  function instant(text) {
    var ms = typeof text === "string" ? Date.parse(text) : NaN;
    return isNaN(ms) ? null : ms;
  }

  function ids(list) {
    var found = [];
    for (var i = 0; i < (list || []).length; i++) {
      var item = list[i];
      found.push(typeof item === "object" && item ? item.id : item);
    }
    return found.sort(function (a, b) { return a - b; });
  }

  // The ids of the day-parts active at `at` (ms, the server's clock), or null when the board
  // has no day-parts. Past its last known change, the last active set stays.
  function activeAt(board, at) {
    var schedule = board && board.schedule;
    if (!board || !board.dayparts || !schedule) return null;
    var active = ids(schedule.current);
    var upcoming = schedule.upcoming || [];
    for (var i = 0; i < upcoming.length; i++) {
      var when = instant(upcoming[i].at);
      if (when === null || when > at) break;
      active = ids(upcoming[i].current);
    }
    return active;
  }

  // The next change after `at` (ms), or null when none is known.
  function nextChange(board, at) {
    var upcoming = (board && board.dayparts && board.schedule && board.schedule.upcoming) || [];
    for (var i = 0; i < upcoming.length; i++) {
      var when = instant(upcoming[i].at);
      if (when !== null && when > at) return when;
    }
    return null;
  }

  // A key for the stretch: the same for every instant that shows the same board.
  function stretchKey(board, at) {
    var active = activeAt(board, at);
    return active === null ? "" : active.join(",");
  }

  // ---- the board at an instant -----------------------------------------------------------------

  function copy(object) {
    var made = {};
    for (var key in object) {
      if (object.hasOwnProperty(key)) made[key] = object[key];
    }
    return made;
  }

  function contains(list, value) {
    for (var i = 0; i < list.length; i++) {
      if (list[i] === value) return true;
    }
    return false;
  }

  // An entry with its usual prices (the board keeps them as `usual_prices` while a day-part
  // reprices it).
  function usual(entry) {
    if (!entry.usual_prices) return entry;
    var made = copy(entry);
    made.prices = entry.usual_prices;
    delete made.usual_prices;
    return made;
  }

  function insertAll(list, placed, key) {
    var sorted = (placed || []).slice().sort(function (a, b) { return a.index - b.index; });
    for (var i = 0; i < sorted.length; i++) {
      if (sorted[i] && sorted[i][key]) list.splice(Math.min(sorted[i].index, list.length), 0, sorted[i][key]);
    }
    return list;
  }

  // The stored board back from the one sent: usual prices, and what `hidden_now` left out
  // put back at its index.
  function stored(board, hiddenNow) {
    var held = hiddenNow || {};
    var heldEntries = held.entries || {};
    var sections = [];
    for (var s = 0; s < (board.sections || []).length; s++) {
      var section = copy(board.sections[s]);
      var entries = [];
      for (var e = 0; e < (section.entries || []).length; e++) entries.push(usual(section.entries[e]));
      section.entries = insertAll(entries, heldEntries[String(section.id)], "entry");
      sections.push(section);
    }
    return insertAll(sections, held.sections, "section");
  }

  // Shown while `active` are on? `kind` is "sections" or "entries". Hidden wins; an item
  // marked "only" by some day-parts shows while one of them is on.
  function visible(kind, id, parts, active) {
    var onlyFor = [];
    for (var i = 0; i < parts.length; i++) {
      var mark = (parts[i][kind] || {})[String(id)];
      if (mark === "hidden" && contains(active, parts[i].id)) return false;
      if (mark === "only") onlyFor.push(parts[i].id);
    }
    if (!onlyFor.length) return true;
    for (var j = 0; j < onlyFor.length; j++) {
      if (contains(active, onlyFor[j])) return true;
    }
    return false;
  }

  function repriced(entry, on) {
    var prices = copy(entry.prices || {});
    var changed = false;
    for (var size in prices) {
      if (!prices.hasOwnProperty(size)) continue;
      var lowest = null;
      for (var i = 0; i < on.length; i++) {
        var offered = ((on[i].prices || {})[String(entry.id)] || {})[size];
        // Two active day-parts pricing one size: the lower price shows.
        if (typeof offered === "number" && (lowest === null || offered < lowest)) lowest = offered;
      }
      if (lowest !== null && lowest !== prices[size]) {
        prices[size] = lowest;
        changed = true;
      }
    }
    if (!changed) return entry;
    var made = copy(entry);
    made.prices = prices;
    made.usual_prices = entry.prices;
    return made;
  }

  // The board as it shows while exactly the day-parts `active` are on.
  function transform(board, hiddenNow, active) {
    var parts = board.dayparts.parts || [];
    var on = [];
    for (var p = 0; p < parts.length; p++) {
      if (contains(active, parts[p].id)) on.push(parts[p]);
    }
    var all = stored(board, hiddenNow);
    var sections = [];
    for (var s = 0; s < all.length; s++) {
      if (!visible("sections", all[s].id, parts, active)) continue;
      var section = copy(all[s]);
      section.entries = [];
      for (var e = 0; e < all[s].entries.length; e++) {
        var entry = all[s].entries[e];
        if (visible("entries", entry.id, parts, active)) section.entries.push(repriced(entry, on));
      }
      sections.push(section);
    }
    var made = copy(board);
    made.sections = sections;
    var schedule = copy(board.schedule);
    schedule.current = [];
    for (var c = 0; c < on.length; c++) schedule.current.push({ id: on[c].id, name: on[c].name });
    made.schedule = schedule;
    return made;
  }

  // The board as it shows at `at` (ms, the server's clock): the one sent when `at` is in its
  // own stretch, else made from it for the stretch `at` is in.
  function boardAt(board, hiddenNow, at) {
    var active = activeAt(board, at);
    if (active === null || active.join(",") === ids(board.schedule.current).join(",")) return board;
    return transform(board, hiddenNow, active);
  }

  function changes(effects) {
    for (var key in effects || {}) if (effects.hasOwnProperty(key)) return true;
    return false;
  }

  // The names of the day-parts on in `board` (as it shows) that change this menu.
  function namesOn(board) {
    var parts = (board && board.dayparts && board.dayparts.parts) || [];
    var current = ids((board && board.schedule && board.schedule.current) || []);
    var names = [];
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i];
      if (!contains(current, part.id)) continue;
      if (changes(part.prices) || changes(part.entries) || changes(part.sections)) names.push(String(part.name));
    }
    return names;
  }

  exports.ChalkboardSchedule = {
    Clock: Clock,
    activeAt: activeAt,
    namesOn: namesOn,
    nextChange: nextChange,
    stretchKey: stretchKey,
    boardAt: boardAt
  };
})(window);
