// The version diff page: the two versions' diagrams side by side in bpmn-js viewers, with the elements
// added, removed, changed and moved marked (bpmn-js-differ). Reads <script id="diff-config">.
import { diff } from "../vendor/bpmn-js-differ/index.esm.js";

const config = JSON.parse(document.getElementById("diff-config").textContent);
const labels = config.labels;
const summary = document.getElementById("diagram-summary");
const list = document.getElementById("element-changes");

function open(url, container) {
  /* global BpmnJS */
  const viewer = new BpmnJS({ container: container });
  return fetch(url, { credentials: "same-origin" })
    .then((r) => {
      if (!r.ok) throw new Error(String(r.status));
      return r.text();
    })
    .then((xml) => viewer.importXML(xml))
    .then(() => {
      viewer.get("canvas").zoom("fit-viewport");
      return viewer;
    });
}

function mark(viewer, ids, css) {
  const registry = viewer.get("elementRegistry");
  const canvas = viewer.get("canvas");
  ids.forEach((id) => {
    if (registry.get(id)) canvas.addMarker(id, css);
  });
}

// Centre both viewers on one element at full size (a whole lifecycle fitted into half a page is unreadable).
function focus(viewers, id) {
  viewers.forEach((viewer) => {
    const element = viewer.get("elementRegistry").get(id);
    if (!element) return;
    const canvas = viewer.get("canvas");
    canvas.zoom(1);
    const box = canvas.viewbox();
    canvas.viewbox({
      x: element.x + (element.width || 0) / 2 - box.width / 2,
      y: element.y + (element.height || 0) / 2 - box.height / 2,
      width: box.width,
      height: box.height,
    });
  });
}

// Panning or zooming one viewer moves the other the same way, so the same part of both stays in view.
function follow(viewers) {
  let moving = false;
  viewers.forEach((viewer, i) => {
    viewer.on("canvas.viewbox.changed", (event) => {
      if (moving) return;
      moving = true;
      const box = event.viewbox;
      viewers[1 - i].get("canvas").viewbox({ x: box.x, y: box.y, width: box.width, height: box.height });
      moving = false;
    });
  });
}

let shown = [];

function describe(kind, element) {
  const li = document.createElement("li");
  li.tabIndex = 0;
  li.addEventListener("click", () => focus(shown, element.id));
  li.className = "jb-diff-" + kind;
  li.setAttribute("data-element", element.id || "");
  li.setAttribute("data-change", kind);
  li.textContent = labels[kind] + "：" + (element.name || element.id || "");
  list.appendChild(li);
}

Promise.all([open(config.old, document.getElementById("canvas-old")), open(config.new, document.getElementById("canvas-new"))])
  .then(([before, after]) => {
    shown = [before, after];
    const changes = diff(before.getDefinitions(), after.getDefinitions());
    const added = Object.keys(changes._added);
    const removed = Object.keys(changes._removed);
    const changed = Object.keys(changes._changed);
    const moved = Object.keys(changes._layoutChanged).filter((id) => !changes._changed[id]);
    mark(before, removed, "jb-diff-removed");
    mark(before, changed, "jb-diff-changed");
    mark(after, added, "jb-diff-added");
    mark(after, changed, "jb-diff-changed");
    mark(after, moved, "jb-diff-layout");
    added.forEach((id) => describe("added", changes._added[id]));
    removed.forEach((id) => describe("removed", changes._removed[id]));
    changed.forEach((id) => describe("changed", changes._changed[id].model));
    moved.forEach((id) => describe("layout", changes._layoutChanged[id]));
    const first = [...changed, ...added, ...removed, ...moved][0];
    if (first) focus(shown, first);
    follow(shown);
    const total = added.length + removed.length + changed.length + moved.length;
    summary.textContent = total
      ? [labels.added + " " + added.length, labels.removed + " " + removed.length, labels.changed + " " + changed.length, labels.layout + " " + moved.length].join(" · ")
      : labels.none;
    document.body.setAttribute("data-diff", "ready");
  })
  .catch((err) => {
    summary.className = "jb-result jb-error";
    summary.textContent = labels.failed + " " + (err && err.message ? err.message : err);
    document.body.setAttribute("data-diff", "failed");
  });
