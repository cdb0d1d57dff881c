/* « Tout cocher » for each proposal on the signing page: an enhancement only. Its words
   come from the JavaScript catalogue (/jsi18n/, loaded before it), else are the source’s. */
(function () {
  "use strict";
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };
  document.querySelectorAll("[data-check-all]").forEach(function (fieldset) {
    var boxes = fieldset.querySelectorAll("input[type=checkbox]");
    if (boxes.length < 2) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button--small button--secondary check-all";
    var legend = fieldset.querySelector("legend");
    var number = legend ? legend.textContent.trim().split(" ")[0] : "";
    function allChecked() {
      return Array.prototype.every.call(boxes, function (box) { return box.checked; });
    }
    function label() {
      button.textContent = allChecked() ? gettext("Tout décocher") : gettext("Tout cocher");
      button.setAttribute("aria-label", interpolate(
        gettext("%(action)s (proposition %(number)s)"),
        { action: button.textContent, number: number },
        true
      ));
    }
    button.addEventListener("click", function () {
      var check = !allChecked();
      boxes.forEach(function (box) { box.checked = check; });
      label();
    });
    boxes.forEach(function (box) { box.addEventListener("change", label); });
    label();
    var context = fieldset.querySelector(".proposal-fieldset__context");
    (context || legend).insertAdjacentElement("afterend", button);
  });
})();
