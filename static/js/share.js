/* Sharing, enhanced: « Copier le lien » (and the badge's snippets) through the clipboard,
   and the Mastodon instance remembered in this browser's localStorage (never a cookie).
   Without it, the links still work and the fields can be copied by hand. */
(function () {
  "use strict";
  var INSTANCE = "coorace-mastodon-instance";

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.querySelector('[data-copy-status="' + button.getAttribute("data-copy") + '"]');
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      function done() { if (status) { status.textContent = button.getAttribute("data-copied") || "Copié."; } }
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          if (document.execCommand("copy")) { done(); }
        });
      } else if (document.execCommand("copy")) {
        done();
      }
    });
  });

  document.querySelectorAll("[data-mastodon-form]").forEach(function (form) {
    var input = form.querySelector('input[name="instance"]');
    if (!input) { return; }
    try {
      if (!input.value) { input.value = window.localStorage.getItem(INSTANCE) || ""; }
      form.addEventListener("submit", function () {
        window.localStorage.setItem(INSTANCE, input.value.trim());
      });
    } catch (error) {
      /* localStorage refused (private browsing, settings): the form works without it. */
    }
  });
})();
