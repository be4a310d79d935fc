// Suggestions for a text input with `data-suggest` (a JSON endpoint answering
// {"results": [...]}) and `list` (its <datalist>): the browser shows them as the person
// types. Without JavaScript the input stays a plain text field.
(function () {
  "use strict";
  if (!window.fetch) { return; }
  document.querySelectorAll("input[data-suggest][list]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.getAttribute("data-suggest");
    var timer = null;
    if (!list || !url) { return; }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var term = input.value.trim();
        if (term.length < 2) { return; }
        fetch(url + "?q=" + encodeURIComponent(term), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            list.replaceChildren();
            data.results.forEach(function (name) {
              var option = document.createElement("option");
              option.value = name;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 200);
    });
  });
})();
