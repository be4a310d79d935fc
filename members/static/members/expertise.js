// Expertise autocomplete: suggests existing tags for the word being typed (after the last comma).
(function () {
  "use strict";
  var input = document.getElementById("id_expertise");
  var list = document.getElementById("expertise-options");
  if (!input || !list || !window.fetch) { return; }
  var url = list.getAttribute("data-suggest-url");
  var timer = null;
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var parts = input.value.split(",");
      var term = parts.pop().trim();
      var prefix = parts.map(function (p) { return p.trim(); }).filter(Boolean).join(", ");
      if (term.length < 2) { return; }
      fetch(url + "?q=" + encodeURIComponent(term), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) {
          list.replaceChildren();
          data.results.forEach(function (name) {
            var option = document.createElement("option");
            option.value = prefix ? prefix + ", " + name : name;
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }, 200);
  });
})();
