// Pickers of task forms (forms/FORMAT.md, type "picker"): a native select of names that submits codes. This
// script shows the search box above it and hides the options whose name does not contain what was typed; in a
// multiple picker the chosen options move to the top in the order chosen, so they are submitted in that order.
// A people picker with data-jb-people-of (forms/FORMAT.md "people_of") offers only the people whose unit
// (data-jb-unit) is chosen in the sibling pickers it names, or is one of data-jb-people-always: choosing a
// partner unit lists its people at once, without a reload. A page that lists only the people of the units chosen
// when it was made (the apply page: data-jb-people-url) has the script ask the server for the people of a unit
// chosen later (JSON, the access policy's answer) and add them. The server still refuses anyone else.
(function () {
  "use strict";
  function normal(text) { return (text || "").toLowerCase().replace(/\s+/g, ""); }

  function filter(search) {
    var select = document.getElementById(search.getAttribute("data-jb-picker-search"));
    if (!select) { return; }
    var wanted = normal(search.value);
    var firstShown = null;
    Array.prototype.forEach.call(select.options, function (option) {
      var show = !option.disabled && (option.value === "" || option.selected || !wanted ||
        normal(option.textContent).indexOf(wanted) !== -1 || normal(option.value).indexOf(wanted) !== -1);
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

  function words(text) { return (text || "").split(/\s+/).filter(Boolean); }

  function chosen(select) {
    return Array.prototype.filter.call(select.options, function (o) { return o.selected && o.value; })
      .map(function (o) { return o.value; });
  }

  // the sibling picker called ``name`` of ``select``: in the same group row, else outside every row
  function sibling(select, name) {
    var row = select.closest("[data-jb-row]");
    var scope = row || select.form || document;
    var found = scope.querySelectorAll('select[data-jb-picker][data-jb-name="' + name + '"]');
    return Array.prototype.find.call(found, function (s) { return s.closest("[data-jb-row]") === row; });
  }

  function wantedUnits(people) {
    var units = words(people.getAttribute("data-jb-people-always"));
    words(people.getAttribute("data-jb-people-of")).forEach(function (name) {
      var source = sibling(people, name);
      if (source) { units = units.concat(chosen(source)); }
    });
    return units;
  }

  // the people of ``units`` the page does not list yet, asked for once each; then narrow again
  function load(people, units) {
    var url = people.getAttribute("data-jb-people-url");
    var loaded = words(people.getAttribute("data-jb-people-loaded"));
    var missing = units.filter(function (u) { return loaded.indexOf(u) === -1; });
    if (!url || !missing.length) { return false; }
    people.setAttribute("data-jb-people-loaded", loaded.concat(missing).join(" "));
    people.removeAttribute("data-jb-people-ready");
    var query = missing.map(function (u) { return "unit=" + encodeURIComponent(u); }).join("&");
    fetch(url + "?" + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { people: [] }; })
      .catch(function () { return { people: [] }; })
      .then(function (answer) {
        (answer.people || []).forEach(function (person) {
          var option = Array.prototype.find.call(people.options, function (o) { return o.value === person.code; });
          if (option && option.hasAttribute("data-jb-unit")) { return; }
          if (!option) {  // (else one chosen before, shown without its unit: it now has one)
            option = document.createElement("option");
            option.value = person.code;
            people.appendChild(option);
          }
          option.textContent = person.label;  // text, never markup
          option.setAttribute("data-jb-unit", person.unit);
        });
        narrow(people);
      });
    return true;
  }

  function narrow(people) {
    var units = wantedUnits(people);
    if (load(people, units)) { return; }
    var changed = false;
    Array.prototype.forEach.call(people.options, function (option) {
      var unit = option.getAttribute("data-jb-unit");
      if (!unit) { return; }
      var allowed = units.indexOf(unit) !== -1;
      option.disabled = !allowed;
      option.hidden = !allowed;
      if (!allowed && option.selected) { option.selected = false; changed = true; }
    });
    if (changed && people.multiple) { keepOrder(people); }
    if (people.multiple) {  // the list box grows with the people offered (as the server sizes it), up to 8 rows
      var shown = Array.prototype.filter.call(people.options, function (o) { return !o.hidden; }).length;
      people.size = Math.min(Math.max(shown, 2), 8);
    }
    var search = document.querySelector('input[data-jb-picker-search="' + people.id + '"]');
    if (search) { filter(search); }
    people.setAttribute("data-jb-people-ready", "");
  }

  function narrowBeside(source) {
    var row = source.closest("[data-jb-row]");
    var scope = row || source.form || document;
    var name = source.getAttribute("data-jb-name");
    scope.querySelectorAll("select[data-jb-people-of]").forEach(function (people) {
      if (words(people.getAttribute("data-jb-people-of")).indexOf(name) !== -1 && sibling(people, name) === source) {
        narrow(people);
      }
    });
  }

  function setUp(root) {
    root.querySelectorAll("select[data-jb-people-of]").forEach(function (people) {
      if (people.hasAttribute("data-jb-people-url") && !people.hasAttribute("data-jb-people-loaded")) {
        people.setAttribute("data-jb-people-loaded", wantedUnits(people).join(" "));  // listed by the page
      }
      narrow(people);
    });
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
    if (select.matches && select.matches("select[data-jb-picker][data-jb-name]")) { narrowBeside(select); }
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
