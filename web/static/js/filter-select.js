/* Jiebang: a search box that narrows the options of a list (input[data-jb-filter-select="<select id>"]). */
(function () {
  "use strict";
  document.querySelectorAll("input[data-jb-filter-select]").forEach(function (input) {
    var select = document.getElementById(input.getAttribute("data-jb-filter-select"));
    if (!select) return;
    input.addEventListener("input", function () {
      var words = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options, function (option) {
        var text = (option.getAttribute("data-jb-text") || option.textContent).toLowerCase();
        option.hidden = words !== "" && text.indexOf(words) < 0;
      });
    });
  });
})();
