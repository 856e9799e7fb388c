// The heat overlay: a process version's diagram with, on each element, the number of running instances
// waiting there (#heat-data); a number opens the list of those instances; a call activity opens its process.
(function () {
  "use strict";
  var holder = document.getElementById("heat-data");
  var container = document.getElementById("diagram");
  if (!holder || !container || typeof BpmnJS === "undefined") { return; }
  var heat = JSON.parse(holder.textContent);
  var viewer = new BpmnJS({ container: container });
  var url = container.getAttribute("data-diagram-url");
  var crumbs = document.getElementById("diagram-crumbs");
  var stack = [];
  var all = Object.assign({}, heat.counts, heat.stages || {});
  var top = Math.max.apply(null, [1].concat(Object.keys(all).map(function (k) { return all[k]; })));

  function decorate() {
    var registry = viewer.get("elementRegistry");
    var overlays = viewer.get("overlays");
    var shown = {};
    Object.keys(heat.counts).forEach(function (element) {
      if (!registry.get(element)) { return; }
      var link = document.createElement("a");
      var level = Math.min(4, Math.ceil(4 * heat.counts[element] / top));
      link.className = "jb-heat jb-heat-" + level;
      link.href = heat.links[element];
      link.textContent = String(heat.counts[element]);
      link.setAttribute("data-element", element);
      overlays.add(element, { position: { top: -14, right: 14 }, html: link, scale: false });
      shown[element] = heat.counts[element];
    });
    // a stage (call activity, subprocess): how many instances wait somewhere inside it
    Object.keys(heat.stages || {}).forEach(function (element) {
      if (!registry.get(element) || shown[element]) { return; }
      var link = document.createElement("a");
      var level = Math.min(4, Math.ceil(4 * heat.stages[element] / top));
      link.className = "jb-heat jb-heat-stage jb-heat-" + level;
      link.href = heat.links[element];
      link.textContent = String(heat.stages[element]);
      link.setAttribute("data-element", element);
      link.setAttribute("data-stage", "1");
      overlays.add(element, { position: { top: -14, right: 14 }, html: link, scale: false });
      shown[element] = heat.stages[element];
    });
    registry.filter(function (e) { return e.type === "bpmn:CallActivity"; }).forEach(function (e) {
      var called = e.businessObject.calledElement;
      if (!called) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "jb-badge jb-badge-drill";
      button.textContent = "↘ " + (e.businessObject.name || called);
      button.addEventListener("click", function () { open(called, e.businessObject.name || called); });
      overlays.add(e.id, { position: { bottom: 10, right: 10 }, html: button });
    });
    container.setAttribute("data-heat", JSON.stringify(shown));
  }

  function renderCrumbs() {
    crumbs.textContent = "";
    stack.forEach(function (entry, i) {
      var part = document.createElement(i === stack.length - 1 ? "strong" : "a");
      part.textContent = entry.label;
      if (i < stack.length - 1) {
        part.href = "#";
        part.addEventListener("click", function (ev) {
          ev.preventDefault();
          stack = stack.slice(0, i);
          open(entry.pid, entry.label);
        });
      }
      crumbs.appendChild(part);
      if (i < stack.length - 1) { crumbs.appendChild(document.createTextNode(" › ")); }
    });
  }

  function open(pid, label) {
    container.setAttribute("data-import", "loading");
    var query = pid && pid !== heat.process ? "?process=" + encodeURIComponent(pid) : "";
    return fetch(url + query, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error("diagram " + r.status); }
      return r.text();
    }).then(function (xml) {
      return viewer.importXML(xml);
    }).then(function () {
      viewer.get("canvas").zoom("fit-viewport", "auto");
      stack.push({ pid: pid, label: label || pid });
      renderCrumbs();
      decorate();
      container.setAttribute("data-import", "ok");
    }).catch(function (err) {
      container.setAttribute("data-import", "error");
      container.setAttribute("data-error", String(err && err.message || err));
    });
  }

  open(heat.process, heat.name);
})();
