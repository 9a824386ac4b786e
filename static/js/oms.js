/* Small behaviours of the tablet screens. htmx does the rest (see base.html). */
(function () {
  "use strict";

  // A select marked data-autosubmit (the store picker) submits its form on change.
  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.requestSubmit();
  });

  // After a scan form's search, select its text: the next scan replaces it.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt.closest && event.detail.elt.closest("[data-scan-form]");
    if (!form) return;
    var field = form.querySelector("input.scan");
    if (field) { field.focus(); field.select(); }
  });

  // htmx puts autofocus on swapped content only if it is visible; make sure the
  // scan field of a freshly swapped form has the focus for the next scan.
  document.addEventListener("htmx:afterSettle", function (event) {
    var field = event.detail.elt.querySelector && event.detail.elt.querySelector("input.scan[autofocus]");
    if (field && document.activeElement !== field && !event.detail.elt.closest("[data-scan-form]")) field.focus();
  });

  // Errors that are not refusals (403, 404, 5xx, network): say so on screen.
  function flash(templateId) {
    var box = document.getElementById("flash");
    var text = document.getElementById(templateId);
    if (!box || !text) return;
    box.textContent = text.content.textContent.trim();
    box.hidden = false;
    window.clearTimeout(flash.timer);
    flash.timer = window.setTimeout(function () { box.hidden = true; }, 6000);
  }
  document.addEventListener("htmx:responseError", function () { flash("refused-error"); });
  document.addEventListener("htmx:sendError", function () { flash("network-error"); });
})();
