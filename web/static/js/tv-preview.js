// The TV preview (web/templates/tv_preview.html): the real TV page in an iframe at the chosen
// screen's size, scaled down to the space it has. On a TV's settings page, the form's values
// go to the preview as they are typed, before they are saved.
"use strict";

const SHOW_FLAGS = /^show_/;

function themeFrom(form) {
  const theme = {};
  for (const field of form.elements) {
    if (!field.name) continue;
    if (field.type === "checkbox") {
      if (SHOW_FLAGS.test(field.name)) theme[field.name] = field.checked;
    } else if (field.type === "radio") {
      if (field.checked) theme[field.name] = field.value;
    } else if (/^(columns|taps_per_page|rotation_seconds|font_scale)$/.test(field.name)) {
      const number = Number(field.value);
      theme[field.name] = field.value !== "" && Number.isFinite(number) ? number : "auto";
    } else if (/_color$|^(viewing_distance|font)$/.test(field.name)) {
      theme[field.name] = field.value;
    }
  }
  return theme;
}

for (const preview of document.querySelectorAll("[data-tv-preview]")) {
  const frame = preview.querySelector("iframe");
  const box = preview.querySelector(".tv-preview-box");
  const screen = preview.querySelector("[data-screen]");
  const fit = () => {
    const [width, height] = screen.value.split("x").map(Number);
    frame.width = width;
    frame.height = height;
    const scale = box.clientWidth / width;
    frame.style.transform = `scale(${scale})`;
    box.style.height = `${Math.ceil(height * scale)}px`;
  };
  let chosen = false; // by the person: the display's orientation no longer decides
  screen.addEventListener("change", () => {
    chosen = true;
    fit();
  });
  window.addEventListener("message", (event) => {
    if (event.source !== frame.contentWindow || event.origin !== location.origin) return;
    if (event.data?.type !== "chalkboard-preview-display" || chosen) return;
    const portrait = event.data.orientation === "portrait";
    if (portrait !== (screen.value === "1080x1920")) {
      screen.value = portrait ? "1080x1920" : "1920x1080";
      fit();
    }
  });
  window.addEventListener("resize", fit);
  // A closed <details> has no width: fit again when it opens.
  preview.closest("details")?.addEventListener("toggle", fit);
  fit();

  // "Show the board" now or during a day-part: the frame loads that board at once (the
  // settings typed above go to it again on load); without JavaScript the form reloads.
  const at = document.querySelector("form[data-preview-at]");
  if (at) {
    at.querySelector("button").remove(); // the page need not reload
    at.addEventListener("change", () => {
      const picked = at.elements.namedItem("daypart").value;
      const source = at.dataset.previewAt + (picked ? `?daypart=${picked}` : "");
      frame.src = `/tv?preview=${encodeURIComponent(source)}`;
      history.replaceState(null, "", `${picked ? `?daypart=${picked}` : location.pathname}#preview`);
    });
  }

  const form = document.querySelector("form[data-previews]");
  if (form) {
    const send = () =>
      frame.contentWindow.postMessage(
        {
          type: "chalkboard-preview-theme",
          theme: themeFrom(form),
          orientation: form.elements.namedItem("orientation")?.value,
        },
        location.origin,
      );
    form.addEventListener("input", send);
    form.addEventListener("change", send);
    frame.addEventListener("load", send);
  }
}
