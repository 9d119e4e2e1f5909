// A "Print" button on printable back-office pages (statements): the browser's print dialog, whose print CSS
// leaves out the menu and the forms.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
