// Pickers of task forms (forms/FORMAT.md, type "picker"): a native select of names that submits codes. This
// script shows the search box above it and hides the options whose name does not contain what was typed; in a
// multiple picker the chosen options move to the top in the order chosen, so they are submitted in that order.
(function () {
  "use strict";
  function normal(text) { return (text || "").toLowerCase().replace(/\s+/g, ""); }

  function filter(search) {
    var select = document.getElementById(search.getAttribute("data-jb-picker-search"));
    if (!select) { return; }
    var wanted = normal(search.value);
    var firstShown = null;
    Array.prototype.forEach.call(select.options, function (option) {
      var show = option.value === "" || option.selected || !wanted ||
        normal(option.textContent).indexOf(wanted) !== -1 || normal(option.value).indexOf(wanted) !== -1;
      option.hidden = !show;
      if (show && option.value !== "" && !option.selected && firstShown === null) { firstShown = option; }
    });
    if (!select.multiple && firstShown !== null && wanted) {
      select.value = firstShown.value;  // a single picker takes the first match; the list stays open to change it
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function keepOrder(select) {
    var order = (select.getAttribute("data-jb-picker-order") || "").split(",").filter(Boolean);
    var chosen = Array.prototype.filter.call(select.options, function (o) { return o.selected; })
      .map(function (o) { return o.value; });
    order = order.filter(function (v) { return chosen.indexOf(v) !== -1; });
    chosen.forEach(function (v) { if (order.indexOf(v) === -1) { order.push(v); } });
    select.setAttribute("data-jb-picker-order", order.join(","));
    var anchor = select.firstChild;
    order.forEach(function (value) {
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === value; });
      if (option) { select.insertBefore(option, anchor); anchor = option.nextSibling; }
    });
  }

  function setUp(root) {
    root.querySelectorAll("input[data-jb-picker-search]").forEach(function (search) {
      search.hidden = false;
      var select = document.getElementById(search.getAttribute("data-jb-picker-search"));
      if (select && select.multiple) {
        select.setAttribute("data-jb-picker-order", Array.prototype.filter.call(select.options, function (o) {
          return o.selected;
        }).map(function (o) { return o.value; }).join(","));
      }
    });
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("input[data-jb-picker-search]")) { filter(event.target); }
  });
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-jb-picker][multiple]")) { keepOrder(select); }
  });
  // Rows added by forms.js come from a template: set up their pickers when they appear.
  new MutationObserver(function (records) {
    records.forEach(function (record) {
      record.addedNodes.forEach(function (node) { if (node.querySelectorAll) { setUp(node); } });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
})();
