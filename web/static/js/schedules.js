// The Schedules page: a planned change's price fields show only the sizes of the chosen
// entry's section (the server refuses any other; without this file all are shown).
(function () {
  "use strict";
  function fit(fieldset, first) {
    var select = document.getElementById(fieldset.getAttribute("data-entry-select"));
    var sizes = JSON.parse(fieldset.getAttribute("data-entry-sizes"))[select.value] || [];
    fieldset.querySelectorAll("[data-size]").forEach(function (field) {
      var input = field.querySelector("input");
      // On load, a price already typed stays in sight (a refused form shows what was typed).
      var used = sizes.indexOf(Number(field.getAttribute("data-size"))) !== -1 || (first && input.value !== "");
      field.hidden = !used;
      input.disabled = !used;
    });
  }
  document.querySelectorAll("fieldset[data-entry-sizes]").forEach(function (fieldset) {
    fit(fieldset, true);
    document.getElementById(fieldset.getAttribute("data-entry-select"))
      .addEventListener("change", function () { fit(fieldset, false); });
  });
})();
