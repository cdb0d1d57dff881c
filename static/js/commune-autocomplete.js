/* Commune autocomplete for « Ma candidature ». Enhances a plain text field: without
   JavaScript the form still works (the server offers the matching communes to choose).
   ARIA 1.2 combobox pattern: arrows move, Enter chooses, Escape closes.
   Its phrases come from Django's JavaScript catalogue (/jsi18n/, loaded before this file):
   ngettext there follows the French rule, 0 and 1 singular. */
(function () {
  "use strict";

  // Without the catalogue (it failed to load), the source strings under the same rule.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (singular, plural, count) {
    return count > 1 ? plural : singular;
  };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };

  function setup(input) {
    var hidden = document.getElementById(input.dataset.communeAutocomplete);
    if (!hidden) return;
    var listId = input.id + "-liste";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "autocomplete__list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", gettext("Communes proposées"));
    list.hidden = true;
    input.parentNode.appendChild(list);
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.parentNode.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var results = [];
    var active = -1;
    var timer = null;
    var controller = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var commune = results[index];
      if (!commune) return;
      if (!commune.elects_council) {
        status.textContent = interpolate(gettext("%(name)s n’élit pas de conseil municipal."), { name: commune.name }, true);
        return;
      }
      hidden.value = commune.insee_code;
      input.value = commune.name + " (" + commune.departement_code + ")";
      status.textContent = interpolate(gettext("Commune choisie : %(name)s, %(departement)s."), { name: commune.name, departement: commune.departement_name }, true);
      close();
      input.dispatchEvent(new CustomEvent("commune-chosen", { bubbles: true, detail: commune }));
    }

    function render() {
      list.textContent = "";
      results.forEach(function (commune, i) {
        var item = document.createElement("li");
        item.id = listId + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        if (!commune.elects_council) item.setAttribute("aria-disabled", "true");
        var name = document.createElement("strong");
        name.textContent = commune.name;
        var meta = document.createElement("span");
        meta.textContent = " " + commune.departement_name + " (" + commune.departement_code + ")" +
          (commune.postal_codes.length ? " · " + commune.postal_codes[0] : "") +
          (commune.elects_council ? "" : " · " + gettext("pas de conseil municipal"));
        item.appendChild(name);
        item.appendChild(meta);
        item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(item);
      });
      list.hidden = results.length === 0;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      status.textContent = results.length
        ? interpolate(ngettext("%(count)s commune proposée.", "%(count)s communes proposées.", results.length), { count: results.length }, true)
        : gettext("Aucune commune trouvée.");
      active = -1;
    }

    function search() {
      var query = input.value.trim();
      if (query.length < 2) { results = []; close(); return; }
      if (controller) controller.abort();
      controller = new AbortController();
      fetch("/api/communes/?limit=8&q=" + encodeURIComponent(query), { signal: controller.signal })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { results = data.results || []; render(); })
        .catch(function () { /* offline or aborted: the server-side path still works */ });
    }

    input.addEventListener("input", function () {
      hidden.value = "";  // typed text no longer matches the chosen commune
      clearTimeout(timer);
      timer = setTimeout(search, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(Math.min(active + 1, results.length - 1)); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(active); }
      else if (event.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  document.querySelectorAll("[data-commune-autocomplete]").forEach(setup);
})();
