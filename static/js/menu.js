/* The header's menu button below 768 px: the WAI-ARIA disclosure pattern. Without this
   script the button stays hidden and the menu stays open (the page is usable without
   JavaScript); with it, the menu starts closed on narrow screens, the button toggles it
   (aria-expanded), and Escape closes it and returns focus to the button. */
(function () {
  "use strict";
  var button = document.querySelector(".menu-toggle");
  if (!button) return;
  var menu = document.getElementById(button.getAttribute("aria-controls"));
  if (!menu) return;
  var header = button.closest(".site-header");

  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    header.classList.toggle("menu-open", open);
  }

  header.classList.add("menu-enhanced");
  button.hidden = false;
  setOpen(false);
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  header.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
})();
