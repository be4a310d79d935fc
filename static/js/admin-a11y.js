// The admin's accessibility fixes that need the page's script (issue 22; every axe-core rule
// passes on the admin pages staff use most, tests/e2e/test_admin_axe.py).
//
// Django's SelectFilter2.js (filter_horizontal) draws a magnifier icon as a <span> with an
// aria-label: a label on an element without a role is prohibited ARIA. The icon is an image
// with a name, so it gets role="img". The widgets are drawn on "load": an observer catches
// them as they are added.
(function () {
  "use strict";
  var SELECTOR = ".help-tooltip[aria-label]:not([role])";

  function fix(root) {
    if (!root.querySelectorAll) return;
    if (root.matches && root.matches(SELECTOR)) root.setAttribute("role", "img");
    root.querySelectorAll(SELECTOR).forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  new MutationObserver(function (records) {
    records.forEach(function (record) {
      record.addedNodes.forEach(fix);
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
  fix(document);
})();
