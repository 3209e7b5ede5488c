// The menu editor's enhancements. Every page works without this file: each feature here
// has a plain form doing the same thing underneath.
"use strict";

const csrfToken = () => document.querySelector('meta[name="csrf-token"]').content;

// --- Type-ahead: the library search in "Add to …" fills the pick list as you type. ------
function renderPicks(list, beverages) {
  const checked = list.querySelector("input:checked");
  list.replaceChildren();
  if (beverages.length === 0) {
    const empty = document.createElement("li");
    empty.className = "muted small";
    empty.textContent = "No beverages match; create a new one below.";
    list.append(empty);
  }
  for (const beverage of beverages) {
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "beverage_id";
    input.value = String(beverage.id);
    input.checked = checked !== null && checked.value === input.value;
    const name = document.createElement("strong");
    name.textContent = beverage.name;
    const about = document.createElement("small");
    about.className = "muted";
    about.textContent = [beverage.producer, beverage.style].filter(Boolean).join(" · ");
    const text = document.createElement("span");
    text.append(name, " ", about);
    const label = document.createElement("label");
    label.className = "pick";
    label.append(input, text);
    const item = document.createElement("li");
    item.append(label);
    list.append(item);
  }
}

function typeahead(form) {
  const list = document.getElementById(form.dataset.typeahead);
  const box = form.querySelector('input[name="q"]');
  const endpoint = document.querySelector("[data-beverages]").dataset.beverages;
  let timer = 0;
  let latest = 0;
  const search = async () => {
    const asked = ++latest;
    try {
      const query = new URLSearchParams({ q: box.value.trim(), limit: "50" });
      const response = await fetch(`${endpoint}?${query}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const found = await response.json();
      // Answers can arrive out of order: only the newest search may draw.
      if (response.ok && asked === latest) renderPicks(list, found.beverages);
    } catch {
      // Offline or no API: the Search button still searches on the server.
    }
  };
  box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault(); // no page load: what is typed in the add form below stays
    clearTimeout(timer);
    search();
  });
}

// --- Drag and drop: reorder entries within and across sections, by touch or mouse. -------
// Pointer events cover both; the handle has `touch-action: none` so dragging never scrolls.
// The entry moves in the page as the pointer goes; on drop its move form's endpoint (the
// same as the ↑ ↓ buttons') is posted. Moves and the drop are heard on the document: moving
// the entry in the page would end a pointer capture on its handle.
function dropBefore(list, item, y) {
  return [...list.children].find((child) => {
    if (child === item) return false;
    const box = child.getBoundingClientRect();
    return y < box.top + box.height / 2;
  });
}

async function saveMove(item, putBack) {
  const list = item.parentElement;
  const body = new URLSearchParams({
    csrf_token: csrfToken(),
    based_on: document.querySelector(".editor").dataset.version,
    section_id: list.dataset.section,
    position: String([...list.children].indexOf(item)),
  });
  item.classList.add("saving");
  let response;
  try {
    response = await fetch(item.dataset.move, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrfToken() },
    });
  } catch {
    item.classList.remove("saving");
    putBack();
    window.alert("The new order was not saved: check the connection and try again.");
    return;
  }
  if (response.ok && response.redirected && new URL(response.url).searchParams.has("done")) {
    window.location.replace(response.url); // the editor, with what changed and Undo
    return;
  }
  // Refused (someone else moved it first, or it is gone): the page fetched says why, once.
  window.history.replaceState(null, "", response.url);
  document.open();
  document.write(await response.text());
  document.close();
}

function draggable(handle) {
  const item = handle.closest(".entry");
  handle.dataset.bound = "1";
  handle.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    const home = { list: item.parentElement, next: item.nextElementSibling };
    const putBack = () => home.list.insertBefore(item, home.next);
    item.classList.add("dragging");
    const move = (e) => {
      if (e.pointerId !== event.pointerId) return;
      const under = document.elementFromPoint(e.clientX, e.clientY);
      const list = under && under.closest(".entries");
      if (list) {
        const before = dropBefore(list, item, e.clientY) || null;
        if (item.parentElement !== list || item.nextElementSibling !== before) {
          list.insertBefore(item, before);
        }
      }
      if (e.clientY < 60) window.scrollBy(0, -12);
      if (e.clientY > window.innerHeight - 60) window.scrollBy(0, 12);
    };
    const finish = (e) => {
      if (e.pointerId !== event.pointerId) return false;
      document.removeEventListener("pointermove", move);
      document.removeEventListener("pointerup", up);
      document.removeEventListener("pointercancel", cancel);
      item.classList.remove("dragging");
      return true;
    };
    const up = (e) => {
      if (!finish(e)) return;
      if (item.parentElement !== home.list || item.nextElementSibling !== home.next) {
        saveMove(item, putBack);
      }
    };
    const cancel = (e) => {
      if (finish(e)) putBack();
    };
    document.addEventListener("pointermove", move);
    document.addEventListener("pointerup", up);
    document.addEventListener("pointercancel", cancel);
  });
}

// --- Live: what changes elsewhere (another phone, the API) shows here as it happens. ------
// The page follows the menu's feed (server-sent events: the new version, nothing more), then
// fetches itself and swaps in the sections and entries that changed. Anything the person is
// busy with (a field they are in or have typed in, an open drawer) is left exactly as it
// is, with the version it was based on, so their save merges or says what clashed.
function busy(node) {
  if (node.contains(document.activeElement) && document.activeElement !== document.body) {
    return true;
  }
  if (node.querySelector("details.drawer[open], .dragging, .saving")) return true;
  for (const field of node.querySelectorAll("input, select, textarea")) {
    if (field.type === "hidden") continue;
    if (field.type === "checkbox" || field.type === "radio") {
      if (field.checked !== field.defaultChecked) return true;
    } else if (field.tagName === "SELECT") {
      if ([...field.options].some((option) => option.selected !== option.defaultSelected)) {
        return true;
      }
    } else if (field.value !== field.defaultValue) {
      return true;
    }
  }
  return false;
}

// A busy node is never taken out of the page (that would lose the focus): others move.
function mergeEntries(old, fresh) {
  const list = old.querySelector(".entries");
  const next = fresh.querySelector(".entries");
  if (!list || !next) return;
  for (const item of [...list.children]) if (!busy(item)) item.remove();
  let cursor = list.firstElementChild;
  for (const item of [...next.children]) {
    const mine = item.id && document.getElementById(item.id);
    if (mine && mine.parentElement === list) {
      if (mine === cursor) cursor = cursor.nextElementSibling;
    } else {
      list.insertBefore(item, cursor);
    }
  }
}

function redraw(fresh) {
  const swap = (selector) => {
    const old = document.querySelector(selector);
    const next = fresh.querySelector(selector);
    if (old && next && !busy(old)) old.replaceWith(next);
  };
  swap(".editor-head");
  swap(".editor-preview .tv");
  const main = document.querySelector(".editor-main");
  const sections = [...fresh.querySelectorAll(".editor-main > .ed-section")];
  const wanted = new Set(sections.map((section) => section.id));
  for (const old of main.querySelectorAll(":scope > .ed-section")) {
    if (!wanted.has(old.id) && !busy(old)) old.remove();
  }
  let previous = null;
  for (const section of sections) {
    const old = document.getElementById(section.id);
    const kept = old && busy(old);
    if (kept) mergeEntries(old, section);
    else if (old) old.replaceWith(section);
    const placed = kept ? old : section;
    const at = previous ? previous.nextElementSibling : main.firstElementChild;
    if (placed !== at && !kept) main.insertBefore(placed, at);
    previous = placed;
  }
  for (const handle of main.querySelectorAll(".entry .handle:not([data-bound])")) {
    draggable(handle);
  }
}

function follow(editor) {
  let drawing = false;
  let again = false;
  const notice = editor.querySelector(".live-notice");
  const said = notice.querySelector(".live-said");
  notice.querySelector("[data-dismiss]").addEventListener("click", () => {
    notice.hidden = true;
  });
  const refresh = async () => {
    if (drawing) {
      again = true;
      return;
    }
    drawing = true;
    try {
      const response = await fetch(window.location.pathname, { credentials: "same-origin" });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      const next = fresh.querySelector(".editor");
      if (!next || Number(next.dataset.version) <= Number(editor.dataset.version)) return;
      redraw(fresh);
      editor.dataset.version = next.dataset.version;
      said.textContent = `Just changed elsewhere: ${next.dataset.changed || "the menu"}`;
      notice.hidden = false;
      for (const toast of editor.querySelectorAll(":scope > .toast")) toast.remove(); // older news
    } catch {
      // Offline for a moment: the next change (or a reload) brings the page up to date.
    } finally {
      drawing = false;
      if (again) {
        again = false;
        refresh();
      }
    }
  };
  const feed = new EventSource(`${editor.dataset.live}?v=${editor.dataset.version}`);
  feed.addEventListener("version", (event) => {
    if (Number(event.data) > Number(editor.dataset.version)) refresh();
  });
}

const editorPage = document.querySelector(".editor[data-live]");
if (editorPage && "EventSource" in window) follow(editorPage);

// --- Small things ------------------------------------------------------------------------
document.addEventListener("submit", (event) => {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

for (const picker of document.querySelectorAll("input[type=file][data-fills]")) {
  picker.closest("[hidden]").hidden = false;
  picker.addEventListener("change", async () => {
    const file = picker.files[0];
    if (file) document.getElementById(picker.dataset.fills).value = await file.text();
  });
}

// "Add" fills in the next tap number; a beer going on deck waits for whichever tap kicks
// first, so it gets none (unless one was typed).
for (const form of document.querySelectorAll(".add-entry form[method=post]")) {
  const tap = form.querySelector('input[name="tap_label"]');
  const status = form.querySelector('select[name="status"]');
  if (!tap || !status || !tap.defaultValue) continue;
  status.addEventListener("change", () => {
    if (tap.value === tap.defaultValue || tap.value === "") {
      tap.value = status.value === "on_tap" ? tap.defaultValue : "";
    }
  });
}

for (const form of document.querySelectorAll("form[data-typeahead]")) typeahead(form);
for (const handle of document.querySelectorAll(".entry .handle")) draggable(handle);

// The preview sits beside the editor on wide screens: open it there.
if (window.matchMedia("(min-width: 60rem)").matches) {
  for (const preview of document.querySelectorAll("[data-open-wide]")) preview.open = true;
}

// A form that came back with problems: take the person to the first one.
const invalid = document.querySelector("[aria-invalid=true]");
if (invalid) invalid.focus();

// "Add, then add another": straight back into the form, at the field the next one starts in
// (once loaded: the browser's jump to the #add-… anchor would otherwise take the focus back).
const again = document.querySelector(".add-entry[data-again]");
const start =
  again && (again.querySelector(".new-beverage[open] input") || again.querySelector("input[type=search]"));
if (start && !invalid) window.addEventListener("load", () => start.focus({ preventScroll: true }));
