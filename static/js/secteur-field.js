/* « Ma candidature »: the secteur field only for Paris, Lyon and Marseille, with only the
   chosen city's secteurs. An enhancement: without JavaScript every secteur is offered and
   the server says which one is needed. */
(function () {
  "use strict";
  var field = document.querySelector("[data-secteur-field]");
  var commune = document.getElementById("id_commune");
  if (!field || !commune) return;
  var select = field.querySelector("select");
  var groups = select.querySelectorAll("optgroup[data-commune]");

  function update() {
    var code = commune.value;
    if (!code) return; // no commune chosen yet (or being typed): leave the field as it is
    var sectorCity = false;
    groups.forEach(function (group) {
      var mine = group.dataset.commune === code;
      sectorCity = sectorCity || mine;
      group.hidden = !mine;
      group.disabled = !mine;
    });
    var chosen = select.options[select.selectedIndex];
    if (chosen && chosen.parentElement.disabled) select.value = "";
    // A field the server found wrong stays in view, with its message.
    field.hidden = !sectorCity && !field.classList.contains("field--error");
  }

  document.addEventListener("commune-chosen", update);
  document.querySelectorAll("input[name=commune][type=radio]").forEach(function (radio) {
    radio.addEventListener("change", function () { commune.value = radio.value; update(); });
  });
  update();
})();
