// Repeating groups of task forms (see forms/FORMAT.md): add and remove rows, respecting min/max items.
(function () {
  "use strict";
  function rows(group, name) {
    return group.querySelectorAll('[data-jb-rows="' + name + '"] > [data-jb-row="' + name + '"]');
  }
  function renumber(group, name) {
    rows(group, name).forEach(function (row, i) {
      var number = row.querySelector("[data-jb-row-number]");
      if (number) { number.textContent = String(i + 1); }
    });
  }
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-jb-add-row]");
    var remove = event.target.closest("[data-jb-remove-row]");
    if (add) {
      event.preventDefault();
      var name = add.getAttribute("data-jb-add-row");
      var group = add.closest('[data-jb-group="' + name + '"]');
      var max = parseInt(group.getAttribute("data-jb-max-items") || "100", 10);
      if (rows(group, name).length >= max) { return; }
      var template = group.querySelector('template[data-jb-row-template="' + name + '"]');
      var index = group.getAttribute("data-jb-next-index") || "0";
      var html = template.innerHTML.split("__index__").join(index);
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var row = holder.firstElementChild;
      group.querySelector('[data-jb-rows="' + name + '"]').appendChild(row);
      group.setAttribute("data-jb-next-index", String(parseInt(index, 10) + 1));
      renumber(group, name);
      var first = row.querySelector("input, select, textarea");
      if (first) { first.focus(); }
    } else if (remove) {
      event.preventDefault();
      var rname = remove.getAttribute("data-jb-remove-row");
      var rgroup = remove.closest('[data-jb-group="' + rname + '"]');
      var min = parseInt(rgroup.getAttribute("data-jb-min-items") || "0", 10);
      if (rows(rgroup, rname).length <= min) { return; }
      remove.closest('[data-jb-row="' + rname + '"]').remove();
      renumber(rgroup, rname);
    }
  });
  // A field shown only while a select (or a checkbox) beside it has one of some values (forms/FORMAT.md "shown_when"): hidden
  // otherwise; the server stores nothing of a hidden field whatever it holds.
  function applyShownWhen(form) {
    form.querySelectorAll("[data-jb-shown-when]").forEach(function (wrapper) {
      var control = form.querySelector('[name="' + wrapper.getAttribute("data-jb-shown-when") + '"]');
      var values = JSON.parse(wrapper.getAttribute("data-jb-shown-values") || "[]");
      // a checkbox counts as "true" (ticked) or "false", a select by its chosen option
      var chosen = control && control.type === "checkbox" ? (control.checked ? "true" : "false") : control && control.value;
      wrapper.hidden = !control || values.indexOf(chosen) < 0;
    });
  }
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.querySelector("[data-jb-shown-when]")) { applyShownWhen(form); }
  });
  document.querySelectorAll("form").forEach(function (form) {
    if (form.querySelector("[data-jb-shown-when]")) { applyShownWhen(form); }
  });
})();
