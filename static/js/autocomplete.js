// Autocomplete for long lists (countries, expertise tags): the WAI-ARIA 1.2 combobox
// pattern, "list autocomplete with manual selection". A text input marked
// data-autocomplete="<kind>" and data-suggest-url gets a listbox of suggestions from the
// server; without JavaScript it stays a plain text field the form accepts (name or code).
//
// Keyboard: type to get suggestions; Down/Up move through them (Alt+Down opens the list);
// Enter takes the highlighted one; Escape closes the list (a second Escape clears the
// field); Tab leaves the field with what was typed. The number of suggestions is announced
// through a polite live region.
(function () {
  "use strict";
  if (!window.fetch) { return; }
  var counter = 0;
  var MESSAGES = {
    "es": { none: "Sin sugerencias", one: "1 sugerencia; usa las flechas para elegirla", many: " sugerencias; usa las flechas para elegir una" },
    "en": { none: "No suggestions", one: "1 suggestion; use the arrow keys to choose it", many: " suggestions; use the arrow keys to choose one" }
  };
  var lang = (document.documentElement.lang || "es").slice(0, 2) === "en" ? "en" : "es";

  function setUp(input) {
    counter += 1;
    var url = input.getAttribute("data-suggest-url");
    var kind = input.getAttribute("data-autocomplete");
    if (!url || !kind) { return; }
    var listId = (input.id || "autocomplete-" + counter) + "-listbox";
    var wrapper = document.createElement("div");
    wrapper.className = "autocomplete";
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "autocomplete-list";
    list.setAttribute("role", "listbox");
    var label = input.id ? document.querySelector("label[for='" + input.id + "']") : null;
    if (label) {
      if (!label.id) { label.id = input.id + "-label"; }
      list.setAttribute("aria-labelledby", label.id);
    }
    list.hidden = true;
    wrapper.appendChild(list);
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    wrapper.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var options = [];
    var active = -1;
    var timer = null;
    var lastTerm = null;
    var request = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      if (!options.length) { return; }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function highlight(index) {
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      input.value = options[index].textContent;
      close();
      input.focus();
    }

    function show(names) {
      list.replaceChildren();
      options = names.map(function (name, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = name;
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();  // keep the focus in the input
          choose(i);
        });
        list.appendChild(option);
        return option;
      });
      active = -1;
      var text = MESSAGES[lang];
      status.textContent = !names.length ? text.none : (names.length === 1 ? text.one : names.length + text.many);
      if (names.length) { open(); } else { close(); }
    }

    function fetchSuggestions() {
      var term = input.value.trim();
      if (term === lastTerm) { open(); return; }
      lastTerm = term;
      if (term.length < (kind === "country" ? 1 : 2)) { show([]); status.textContent = ""; return; }
      request += 1;
      var mine = request;
      fetch(url + "?kind=" + encodeURIComponent(kind) + "&q=" + encodeURIComponent(term), {
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (mine === request) { show(data.results || []); } })
        .catch(function () { if (mine === request) { show([]); } });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, 150);
    });

    input.addEventListener("keydown", function (event) {
      var expanded = !list.hidden;
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (!expanded) { open(); if (!event.altKey && options.length) { highlight(0); } return; }
          if (options.length) { highlight(active < options.length - 1 ? active + 1 : 0); }
          return;
        case "ArrowUp":
          event.preventDefault();
          if (!expanded) { open(); if (options.length) { highlight(options.length - 1); } return; }
          if (options.length) { highlight(active > 0 ? active - 1 : options.length - 1); }
          return;
        case "Enter":
          if (expanded && active >= 0) { event.preventDefault(); choose(active); }
          return;
        case "Escape":
          if (expanded) { event.preventDefault(); close(); } else if (input.value) { event.preventDefault(); input.value = ""; lastTerm = null; }
          return;
        case "Tab":
          close();
          return;
        default:
          return;
      }
    });

    input.addEventListener("blur", function () { window.setTimeout(close, 100); });
  }

  document.querySelectorAll("input[data-autocomplete][data-suggest-url]").forEach(setUp);
})();
