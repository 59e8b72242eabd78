/* 长者模式: larger text and higher contrast (CSS variables under html.elder-mode, see site.css).
   Loaded in <head> so that a remembered choice applies before the page paints; the switch button is
   added by this script, so without JavaScript there is no dead control and the page reads as usual. */
(function () {
  "use strict";
  var KEY = "xz-elder-mode";
  var root = document.documentElement;
  function stored() {
    try { return window.localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }
  function remember(on) {
    try {
      if (on) { window.localStorage.setItem(KEY, "1"); } else { window.localStorage.removeItem(KEY); }
    } catch (e) { /* storage unavailable (private mode, file://): the switch still works for this page */ }
  }
  if (stored()) { root.classList.add("elder-mode"); }
  function addSwitch() {
    var header = document.querySelector(".site-header");
    if (!header || header.querySelector(".elder-toggle")) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "elder-toggle";
    function show() {
      var on = root.classList.contains("elder-mode");
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "退出长者模式" : "长者模式";
    }
    button.addEventListener("click", function () {
      var on = !root.classList.contains("elder-mode");
      root.classList.toggle("elder-mode", on);
      remember(on);
      show();
    });
    show();
    header.insertBefore(button, header.firstChild);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", addSwitch);
  } else {
    addSwitch();
  }
})();
