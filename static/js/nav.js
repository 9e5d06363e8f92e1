/* On a narrow screen the main links scroll sideways in one row: the current page's link starts in view
   (again when the window's width changes, say a tablet turned), and a link reached with Tab is brought
   wholly into view (the browser alone may leave it half cut off). */
(function () {
  "use strict";
  var nav = document.querySelector(".mainnav");
  if (!nav) { return; }
  var current = nav.querySelector("[aria-current=page]");
  var width = window.innerWidth;
  function scrolls() { return nav.scrollWidth > nav.clientWidth; }
  function showCurrent() {
    if (current && scrolls()) {
      nav.scrollLeft = Math.max(0, current.offsetLeft - nav.offsetLeft - (nav.clientWidth - current.offsetWidth) / 2);
    }
  }
  showCurrent();
  window.addEventListener("resize", function () {
    if (window.innerWidth !== width) { width = window.innerWidth; showCurrent(); }
  });
  nav.addEventListener("focusin", function (event) {
    if (scrolls()) { event.target.scrollIntoView({ block: "nearest", inline: "nearest" }); }
  });
}());
