// The day sheet's print button: the browser's own print (the page's print stylesheet lays it out).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
