// The "print or save as PDF" button of the printable reports: the page works without it.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-imprimir]").forEach(function (boton) {
    boton.addEventListener("click", function () { window.print(); });
  });
});
