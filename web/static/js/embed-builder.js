// The embed builder: every change to the options updates the preview, the snippets and the
// QR code at once. Without this file the form's button does the same with a page load.
(function () {
  "use strict";
  var form = document.getElementById("embed-options");
  if (!form) return;
  var base = form.getAttribute("data-embed-base");
  var origin = form.getAttribute("data-origin");
  var title = form.getAttribute("data-title");
  var preview = document.getElementById("embed-preview");
  var timer = null;

  function escape(text) {
    // As the server's html.escape, so both give the same snippet.
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }

  // Only what differs from the defaults, in the form's order: the same canonical query the
  // server builds, so the preview hits the same cached render as the snippet will.
  function query() {
    var pairs = [];
    var controls = form.querySelectorAll("[data-default]");
    for (var i = 0; i < controls.length; i++) {
      var control = controls[i];
      var value = control.type === "checkbox" ? (control.checked ? "1" : "0")
        : control.type === "color" ? control.value.replace("#", "").toLowerCase()
        : control.value;
      var fallback = control.getAttribute("data-default").replace("#", "").toLowerCase();
      if (value !== fallback) pairs.push(control.name + "=" + encodeURIComponent(value));
    }
    return pairs.join("&");
  }

  function update() {
    var q = query();
    var suffix = q ? "?" + q : "";
    var path = base + suffix;
    document.getElementById("snippet-iframe").value =
      '<iframe src="' + escape(origin + path) + '" title="' + escape(title) +
      '" style="width:100%;height:700px;border:0" loading="lazy"></iframe>';
    document.getElementById("snippet-script").value =
      '<script src="' + origin + '/embed.js" data-chalkboard="' + escape(path) +
      '" data-title="' + escape(title) + '" async></' + 'script>';
    var page = document.querySelector('[data-link="page"]');
    var pageUrl = origin + base.replace(/^\/embed\//, "/m/") + suffix;
    page.href = pageUrl;
    page.textContent = pageUrl;
    var qr = document.querySelector('[data-link="qr"]');
    qr.src = qr.getAttribute("src").split("?")[0] + suffix;
    var print = document.querySelector('[data-link="print"]');
    print.href = print.getAttribute("href").split("?")[0] + suffix;
    if (window.history.replaceState) {
      window.history.replaceState(null, "", form.getAttribute("action") + suffix);
    }
    clearTimeout(timer);
    timer = setTimeout(function () { preview.src = path; }, 250);
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", function (event) { event.preventDefault(); update(); });

  var confirmed = document.querySelectorAll("form[data-confirm]");
  for (var i = 0; i < confirmed.length; i++) {
    confirmed[i].addEventListener("submit", function (event) {
      if (!window.confirm(event.currentTarget.getAttribute("data-confirm"))) event.preventDefault();
    });
  }
})();
