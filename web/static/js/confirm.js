// Forms marked data-jb-confirm="question" ask before they are sent (instead of inline onsubmit handlers,
// which the Content-Security-Policy forbids).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-jb-confirm]");
    if (form && !window.confirm(form.getAttribute("data-jb-confirm"))) {
      event.preventDefault();
    }
  });
})();
