/* « Tout cocher » for each proposal on the signing page: an enhancement only. */
(function () {
  "use strict";
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
      button.textContent = allChecked() ? "Tout décocher" : "Tout cocher";
      button.setAttribute("aria-label", button.textContent + " (proposition " + number + ")");
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
