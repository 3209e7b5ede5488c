// A TV's page: while the TV has not taken its key, re-read the page now and then and show
// its state as soon as it changes. Without this file the page says the same after a reload.
"use strict";

const POLL_MS = 3000;
const GIVE_UP_MS = 5 * 60 * 1000; // a TV that has not connected by then needs a person

const state = document.getElementById("tv-state");
if (state && state.hasAttribute("data-waiting")) {
  const started = Date.now();
  const poll = async () => {
    try {
      const response = await fetch(location.pathname, { headers: { Accept: "text/html" } });
      if (response.status === 404) return; // revoked meanwhile
      if (response.ok) {
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const now = page.getElementById("tv-state");
        if (now && !now.hasAttribute("data-waiting")) {
          state.replaceWith(now);
          return;
        }
      }
    } catch (error) {
      // Offline for a moment: try again on the next tick.
    }
    if (Date.now() - started < GIVE_UP_MS) setTimeout(poll, POLL_MS);
  };
  setTimeout(poll, POLL_MS);
}

// Picking a look puts its palette in the colour fields (the server does the same when the
// colours were left as they were, for a browser without this script).
for (const choice of document.querySelectorAll("input[name=look][data-palette]")) {
  choice.addEventListener("change", () => {
    const palette = JSON.parse(choice.dataset.palette);
    for (const [name, value] of Object.entries(palette)) {
      const field = choice.form.elements.namedItem(name);
      if (field) field.value = value;
    }
    choice.form.dispatchEvent(new Event("input", { bubbles: true }));
  });
}
