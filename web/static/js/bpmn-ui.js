/* Jiebang: the bpmn-js viewer of the monitor (instance states, call-activity drill-down) and the bpmn-js /
 * dmn-js modeler (edit, validate with problems on the elements, deploy). Plain browser JavaScript: the
 * bpmn.io bundles are loaded as <script> globals (BpmnJS, DmnJS) from /static/vendor. */
(function () {
  "use strict";

  var STATES = ["completed", "active", "waiting", "failed", "cancelled"];

  function shanghai(iso) {
    try {
      return new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
    } catch (e) {
      return iso;
    }
  }

  /** A modeler text in the page's language (<html lang>). */
  function say(zh, en) {
    return (document.documentElement.lang || "zh").toLowerCase().indexOf("zh") === 0 ? zh : en;
  }

  /** dmn-js's own texts (the policy tables' editor), Chinese in the Chinese UI; dmn-js's English otherwise. */
  var DMN_ZH = {
    "View DRD": "查看决策关系图", "Hit policy:": "命中策略：", "Hit policy": "命中策略",
    "Unique": "唯一", "First": "首条", "Priority": "优先级", "Any": "任一", "Collect": "汇总全部",
    "Collect (Sum)": "汇总（求和）", "Collect (Min)": "汇总（最小值）", "Collect (Max)": "汇总（最大值）",
    "Collect (Count)": "汇总（计数）", "Rule order": "按规则顺序", "Output order": "按输出顺序",
    "When": "条件", "And": "并且", "Then": "结果", "Annotation": "备注", "Annotations": "备注",
    "Input": "输入", "Output": "输出", "Input label": "输入名称", "Output label": "输出名称",
    "Input label: ": "输入名称：", "Output label: ": "输出名称：", "Input expression": "输入表达式",
    "Input expression: ": "输入表达式：", "Output name": "输出变量名", "Output name: ": "输出变量名：",
    "Expression": "表达式", "Expression language": "表达式语言", "Expression language:": "表达式语言：",
    "Input type": "输入类型", "Output type": "输出类型", "Type": "类型", "Value": "取值", "Values": "取值",
    "Input values": "输入取值", "Output values": "输出取值", "Predefined values": "预设取值",
    "Yes": "是", "No": "否", "Decision name": "决策名称", "Decision name: ": "决策名称：",
    "Add rule": "添加规则", "Add rule above": "在上方添加规则", "Add rule below": "在下方添加规则",
    "Remove rule": "删除规则", "Copy rule": "复制规则", "Cut rule": "剪切规则", "Move rule": "移动规则",
    "Paste rule above": "粘贴到上方", "Paste rule below": "粘贴到下方",
    "Add input": "添加输入", "Add output": "添加输出", "Add input column left": "在左侧添加输入列",
    "Add input column right": "在右侧添加输入列", "Add output column left": "在左侧添加输出列",
    "Add output column right": "在右侧添加输出列", "Remove input column": "删除输入列",
    "Remove output column": "删除输出列", "Add cell description": "添加单元格说明",
    "Remove cell description": "删除单元格说明", "Edit string": "编辑文本", "Edit number": "编辑数字",
    "Edit boolean": "编辑是/否", "Edit": "编辑", "Enter expression": "输入表达式",
    "Strings must be in double quotes": "文本须加双引号", "Search in diagram": "在图中搜索",
    "Variable name": "变量名", "Variable name:": "变量名：", "Variable type": "变量类型",
    "Variable type:": "变量类型：", "Literal expression": "字面表达式",
  };

  function dmnTranslate(template, replacements) {
    var text = say(DMN_ZH[template] || template, template);
    return text.replace(/{([^}]+)}/g, function (all, key) {
      return replacements && replacements[key] !== undefined ? replacements[key] : all;
    });
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) return meta.getAttribute("content");
    var field = document.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  function shapeCount(registry) {
    return registry.filter(function (e) {
      return e.type !== "label" && e.type !== "bpmn:Process" && e.type !== "bpmn:Collaboration" &&
        e.type !== "bpmn:Definitions" && !!e.businessObject && e.parent;
    }).length;
  }

  /** Report the outcome of an import on the container (tests and people read it). */
  function reportImport(container, outcome) {
    container.setAttribute("data-import", outcome.error ? "error" : "ok");
    container.setAttribute("data-shapes", String(outcome.shapes || 0));
    if (outcome.error) container.setAttribute("data-error", outcome.error);
    else container.removeAttribute("data-error");
    window.jbLastImport = outcome;
  }

  /** After fitting the diagram, keep it clear of the modeler's palette (which floats over the canvas's left
   * edge): the whole diagram is drawn right of the palette, never larger than its natural size. */
  function clearPalette(canvas, container) {
    var palette = container.querySelector(".djs-palette");
    if (!palette) return;
    var vb = canvas.viewbox();
    var room = palette.getBoundingClientRect().right - container.getBoundingClientRect().left + 16;
    var outer = vb.outer, inner = vb.inner;
    if (!inner.width || !inner.height || room <= 0 || room > outer.width / 2) return;
    var scale = Math.min(1, (outer.width - room - 16) / inner.width, (outer.height - 32) / inner.height);
    canvas.viewbox({
      x: inner.x - room / scale,
      y: inner.y - (outer.height / scale - inner.height) / 2,
      width: outer.width / scale,
      height: outer.height / scale,
    });
  }

  function importInto(instance, xml, container) {
    return instance.importXML(xml).then(function (result) {
      var canvas = instance.get("canvas");
      canvas.zoom("fit-viewport", "auto");
      clearPalette(canvas, container);
      var outcome = { shapes: shapeCount(instance.get("elementRegistry")), warnings: (result.warnings || []).length };
      reportImport(container, outcome);
      return outcome;
    }, function (err) {
      var outcome = { error: String(err && err.message || err), shapes: 0 };
      reportImport(container, outcome);
      throw err;
    });
  }

  // ---------------------------------------------------------------------------------------------- monitor

  function instanceDiagram(container, state) {
    var viewer = new BpmnJS({ container: container });
    var url = container.getAttribute("data-diagram-url");
    var crumbs = document.getElementById("diagram-crumbs");
    var stack = [];
    /** A process's display name (state.names, in the page's language), its id when unknown. */
    function nameOf(pid) { return (state.names && state.names[pid]) || pid; }
    var merged = {};
    Object.keys(state.processes || {}).forEach(function (pid) {
      var states = state.processes[pid];
      Object.keys(states).forEach(function (el) {
        var old = merged[el];
        if (!old || STATES.indexOf(states[el]) > STATES.indexOf(old) && states[el] !== "cancelled") merged[el] = states[el];
      });
    });

    function decorate() {
      var registry = viewer.get("elementRegistry");
      var canvas = viewer.get("canvas");
      var overlays = viewer.get("overlays");
      var marked = {};
      Object.keys(merged).forEach(function (el) {
        if (merged[el] === "cancelled") return;
        if (registry.get(el)) {
          canvas.addMarker(el, "jb-" + merged[el]);
          marked[merged[el]] = (marked[merged[el]] || 0) + 1;
        }
      });
      (state.timers || []).forEach(function (t) {
        if (registry.get(t.element)) {
          var badge = document.createElement("span");
          badge.className = "jb-badge jb-badge-timer";
          badge.title = "到期 due";
          badge.textContent = "⏰ " + shanghai(t.due_at);
          overlays.add(t.element, { position: { bottom: -4, left: -20 }, html: badge });
        }
      });
      if (state.error && state.error.task) {
        Object.keys(merged).forEach(function (el) {
          if (merged[el] === "failed" && registry.get(el)) {
            var badge = document.createElement("span");
            badge.className = "jb-badge jb-badge-failed";
            badge.textContent = "! " + (state.error.message || "").slice(0, 60);
            overlays.add(el, { position: { top: -12, left: 0 }, html: badge });
          }
        });
      }
      registry.filter(function (e) { return e.type === "bpmn:CallActivity"; }).forEach(function (e) {
        var called = e.businessObject.calledElement;
        if (!called) return;
        var button = document.createElement("span");
        button.className = "jb-badge jb-badge-drill";
        button.setAttribute("data-called", called);
        button.textContent = "↘ " + nameOf(called);
        button.title = say("查看被调用流程：", "Open the called process: ") + nameOf(called);
        button.addEventListener("click", function () { open(called); });
        overlays.add(e.id, { position: { bottom: 10, right: 10 }, html: button });
      });
      container.setAttribute("data-marked", JSON.stringify(marked));
    }

    function renderCrumbs() {
      if (!crumbs) return;
      crumbs.innerHTML = "";
      stack.forEach(function (pid, i) {
        var a = document.createElement(i === stack.length - 1 ? "strong" : "a");
        a.textContent = nameOf(pid);
        if (i < stack.length - 1) a.addEventListener("click", function () { stack = stack.slice(0, i); open(pid); });
        crumbs.appendChild(a);
        if (i < stack.length - 1) crumbs.appendChild(document.createTextNode(" › "));
      });
    }

    function open(pid) {
      container.setAttribute("data-import", "loading");
      var query = pid && pid !== state.process ? "?process=" + encodeURIComponent(pid) : "";
      return fetch(url + query, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error("diagram " + r.status);
        return r.text();
      }).then(function (xml) {
        return importInto(viewer, xml, container);
      }).then(function () {
        stack.push(pid || state.process);
        container.setAttribute("data-process", pid || state.process);
        renderCrumbs();
        decorate();
      }).catch(function (err) {
        reportImport(container, { error: String(err && err.message || err) });
      });
    }

    document.querySelectorAll("[data-due]").forEach(function (el) { el.textContent = shanghai(el.getAttribute("data-due")); });
    window.jbViewer = viewer;
    window.jbOpenProcess = open;
    return open(state.process);
  }

  function readFile(input) {
    return new Promise(function (resolve, reject) {
      var file = input.files && input.files[0];
      if (!file) return reject(new Error("no file"));
      var reader = new FileReader();
      reader.onload = function () { resolve({ name: file.name, text: String(reader.result) }); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsText(file, "utf-8");
    });
  }

  /** The role code at the end of a lane's name, as engine/lint.py ROLE_IN_LANE reads it. */
  var ROLE_IN_LANE = /[(（]\s*[a-z][a-z0-9_]{1,31}\s*[)）]\s*$/;

  /** A local file as the viewer draws it: a lane named "发榜方 (issuer)" shows "发榜方" (the code is the
   * engine's; the monitor's diagrams come so from the server, engine/diagram_names.py shown_diagram). */
  function withoutRoleCodes(xml) {
    var doc = new DOMParser().parseFromString(xml, "application/xml");
    if (doc.getElementsByTagName("parsererror").length) return xml;  // bpmn-js reports what is wrong
    var lanes = doc.getElementsByTagNameNS("http://www.omg.org/spec/BPMN/20100524/MODEL", "lane");
    for (var i = 0; i < lanes.length; i++) {
      var shown = (lanes[i].getAttribute("name") || "").replace(ROLE_IN_LANE, "").trim();
      if (shown) lanes[i].setAttribute("name", shown);
    }
    return new XMLSerializer().serializeToString(doc);
  }

  function fileViewer(container, input, status) {
    var viewer = new BpmnJS({ container: container });
    window.jbViewer = viewer;
    input.addEventListener("change", function () {
      readFile(input).then(function (file) {
        status.textContent = file.name + " …";
        return importInto(viewer, withoutRoleCodes(file.text), container).then(function (outcome) {
          status.textContent = file.name + say("：", ": ") + outcome.shapes + say(" 个元素", " elements");
        });
      }).catch(function (err) { status.textContent = say("打开失败：", "Import failed: ") + (err && err.message || err); });
    });
  }

  // ---------------------------------------------------------------------------------------------- modeler

  var EMPTY_BPMN = '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" ' +
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" ' +
    'id="Definitions_new" targetNamespace="http://jiebang.example/bpmn">\n' +
    '  <bpmn:process id="new_process" name="新流程 New process" isExecutable="true">\n' +
    '    <bpmn:startEvent id="start" name="开始"/>\n  </bpmn:process>\n' +
    '  <bpmndi:BPMNDiagram id="Diagram_new"><bpmndi:BPMNPlane id="Plane_new" bpmnElement="new_process">\n' +
    '    <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="180" y="160" width="36" height="36"/></bpmndi:BPMNShape>\n' +
    '  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n</bpmn:definitions>\n';

  /** bpmn-js module keeping multi-instance collections. SpiffWorkflow reads the text of loopDataInputRef /
   * loopDataOutputRef as the name of a process variable; bpmn-moddle reads it as a reference to an element id,
   * cannot resolve it and would drop it on save. Each such unresolved reference becomes a detached
   * bpmn:Property of that name, which saveXML writes back as the same text. */
  function LoopCollections(eventBus, moddle) {
    eventBus.on("import.parse.complete", function (event) {
      (event.warnings || []).forEach(function (w) {
        if (!w.element || !w.value || !/^bpmn:loopData(Input|Output)Ref$/.test(w.property || "")) return;
        w.element.set(w.property, moddle.create("bpmn:Property", { id: w.value, name: w.value }));
      });
    });
  }
  LoopCollections.$inject = ["eventBus", "moddle"];
  var LOOP_COLLECTIONS = { __init__: ["jbLoopCollections"], jbLoopCollections: ["type", LoopCollections] };

  /** bpmn-js module drawing each lane by its name: "揭榜方 (solver)" shows "揭榜方" on the modeler's canvas, as
   * the monitor shows it (engine/diagram_names.py shown_diagram). Only the drawing changes: the lane keeps its
   * whole name, so saving writes the role code the engine reads (engine/lint.py role_of_lane), and the name
   * field and direct editing show it, for the owner to keep. */
  function LaneNames(eventBus, bpmnRenderer) {
    eventBus.on("render.shape", 1500, function (event, context) {
      var element = context.element;
      if (element.type !== "bpmn:Lane") return undefined;
      var semantic = element.businessObject;
      var name = semantic.get("name") || "";
      var shown = name.replace(ROLE_IN_LANE, "").trim();
      if (!shown || shown === name) return undefined;
      semantic.set("name", shown);  // the default lane drawing, with the name people read
      try {
        return bpmnRenderer.drawShape(context.gfx, element, context.attrs);
      } finally {
        semantic.set("name", name);
      }
    });
  }
  LaneNames.$inject = ["eventBus", "bpmnRenderer"];
  var LANE_NAMES = { __init__: ["jbLaneNames"], jbLaneNames: ["type", LaneNames] };

  /** The moddle descriptor of the spiffworkflow: extension elements the engine reads (a static JSON file). */
  function loadExtensions(url) {
    if (!url) return Promise.resolve({});
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("moddle descriptor " + r.status);
      return r.json();
    }).then(function (descriptor) { return { spiffworkflow: descriptor }; });
  }

  function modeler(config) {
    var bpmnBox = document.getElementById("canvas-bpmn");
    return loadExtensions(bpmnBox.getAttribute("data-moddle-url")).then(function (extensions) {
      return startModeler(config, bpmnBox, extensions);
    }, function (err) {
      reportImport(bpmnBox, { error: String(err && err.message || err) });
      throw err;
    });
  }

  function startModeler(config, bpmnBox, extensions) {
    var dmnBox = document.getElementById("canvas-dmn");
    var fileSelect = document.getElementById("file-select");
    var formBox = document.getElementById("form-editor");
    var panelBox = document.getElementById("properties-panel");
    var problemsBox = document.getElementById("problems");
    var resultBox = document.getElementById("result");
    // keyboard: bound to the canvas implicitly (bpmn-js 18)
    // With our bundle (web/static/vendor/jiebang-modeler): the properties panel, our provider and lint while
    // drawing; without it, the plain bpmn-js modeler.
    var extras = window.JiebangModeler;
    if (extras) extras.setBundleForms(((config.settings || {}).forms || []).map(function (f) { return f.id; }));
    var bpmn = extras ? new extras.Modeler({
      container: bpmnBox, moddleExtensions: extensions,
      additionalModules: [LOOP_COLLECTIONS, LANE_NAMES].concat(extras.modules),
      propertiesPanel: { parent: panelBox },
      linting: { bpmnlint: extras.lintConfig, active: true },
      jiebang: config.settings || {},
    }) : new BpmnJS({ container: bpmnBox, moddleExtensions: extensions, additionalModules: [LOOP_COLLECTIONS, LANE_NAMES] });
    // the checks of the drawing only the server knows (a node in another lane than its subprocess's): each lint
    // sends the diagram as drawn now, and shows the server's problems on the elements, in its words
    if (extras && extras.setServerLint && config.lintUrl) extras.setServerLint(function () {
      return bpmn.saveXML().then(function (r) {
        return fetch(config.lintUrl, {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify({ xml: r.xml }),
        });
      }).then(function (r) {
        if (!r.ok) throw new Error("lint " + r.status);
        return r.json();
      }).then(function (data) { return data.problems || []; });
    });
    var formEditor = formBox && window.JiebangFormEditor ? JiebangFormEditor.create(formBox, {
      previewUrl: config.previewUrl,
      onChange: function () { if (current && files[current].kind === "form") { files[current].edited = true; renderTabs(); } },
    }) : null;
    var dmn = null;
    var files = {};      // name -> {kind, url, text (when loaded or edited), edited}
    var order = [];
    var current = null;
    var problems = [];
    (config.files || []).forEach(function (f) { files[f.name] = { kind: f.kind, url: f.url, group: f.group, title: f.title, text: null, edited: false }; order.push(f.name); });

    function dmnModeler() {
      // keyboard: bound to the canvas implicitly; dmn-js's own texts in the page's language
      // (each view's own additionalModules replace the "common" ones in dmn-js, so each view is given them)
      var translated = function () { return { additionalModules: [{ translate: ["value", dmnTranslate] }] }; };
      if (!dmn) dmn = new DmnJS({ container: dmnBox, drd: translated(), decisionTable: translated(), literalExpression: translated() });
      return dmn;
    }

    /** The files as one select, grouped by jurisdiction and kind (diagrams, decision tables, forms). */
    function renderTabs() {
      fileSelect.innerHTML = "";
      var groups = {};
      order.forEach(function (name) {
        var f = files[name];
        if (f.kind !== "bpmn" && f.kind !== "dmn" && (f.kind !== "form" || !formEditor)) return;
        var label = f.group || say("本次导入或新建", "Imported or new");
        if (!groups[label]) {
          groups[label] = document.createElement("optgroup");
          groups[label].label = label;
          fileSelect.appendChild(groups[label]);
        }
        var o = document.createElement("option");
        o.value = name;
        o.textContent = (f.title || name.split("/").pop().replace(/\.form\.json$|\.bpmn$|\.dmn$/, "")) + (f.edited ? " *" : "");
        o.title = name;
        o.setAttribute("data-file", name);
        if (name === current) o.selected = true;
        groups[label].appendChild(o);
      });
    }
    fileSelect.addEventListener("change", function () { switchTo(fileSelect.value); });

    function saveCurrent() {
      if (!current) return Promise.resolve();
      var f = files[current];
      if (f.kind === "form") {
        var text = formEditor && formEditor.text();
        if (text !== null && text !== undefined) {
          if (text !== f.loadedXml) f.edited = true;
          if (f.edited) f.text = text;
        }
        return Promise.resolve();
      }
      var instance = f.kind === "dmn" ? dmn : bpmn;
      if (!instance) return Promise.resolve();
      return instance.saveXML({ format: true }).then(function (r) {
        if (f.text !== null && r.xml !== f.loadedXml) f.edited = true;
        f.text = r.xml;
      });
    }

    function load(name) {
      var f = files[name];
      if (f.text !== null) return Promise.resolve(f.text);
      return fetch(f.url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error(name + ": " + r.status);
        return r.text();
      }).then(function (text) { f.text = text; return text; });
    }

    function show(name, xml) {
      var f = files[name];
      current = name;
      bpmnBox.hidden = f.kind !== "bpmn";
      if (panelBox) panelBox.hidden = f.kind !== "bpmn";
      dmnBox.hidden = f.kind !== "dmn";
      if (formBox) formBox.hidden = f.kind !== "form";
      var done;
      if (f.kind === "form") {
        formEditor.load(name, xml);
        f.loadedXml = formEditor.text();
        renderTabs();
        return Promise.resolve();
      }
      if (f.kind === "dmn") {
        bpmnBox.setAttribute("data-import", "idle");
        done = dmnModeler().importXML(xml).then(function () {
          reportImport(dmnBox, { shapes: dmn.getViews().length });
        }, function (err) { reportImport(dmnBox, { error: String(err && err.message || err) }); throw err; });
      } else {
        done = importInto(bpmn, xml, bpmnBox);
      }
      return done.then(function () {
        var instance = f.kind === "dmn" ? dmn : bpmn;
        return instance.saveXML({ format: true }).then(function (r) { f.loadedXml = r.xml; });
      }).then(function () { renderTabs(); markProblems(); });
    }

    function switchTo(name) {
      return saveCurrent().then(function () { return load(name); }).then(function (xml) { return show(name, xml); })
        .catch(function (err) { resultBox.textContent = say("打开失败：", "Cannot open: ") + (err && err.message || err); });
    }

    function markProblems() {
      var f = current && files[current];
      if (!f || f.kind !== "bpmn") return;
      var registry = bpmn.get("elementRegistry");
      var overlays = bpmn.get("overlays");
      var canvas = bpmn.get("canvas");
      overlays.remove({ type: "jb-problem" });
      registry.forEach(function (e) { canvas.removeMarker(e, "jb-problem"); });
      problems.forEach(function (p) {
        if (p.file !== current || !p.element || !registry.get(p.element)) return;
        canvas.addMarker(p.element, "jb-problem");
        var note = document.createElement("div");
        note.className = "jb-problem-note";
        note.setAttribute("data-element", p.element);
        note.textContent = say(p.message_zh, p.message) || p.message || p.message_zh || "";
        overlays.add(p.element, "jb-problem", { position: { bottom: 0, left: 0 }, html: note });
      });
    }

    function renderProblems(list) {
      problems = list || [];
      problemsBox.innerHTML = "";
      problems.forEach(function (p) {
        var li = document.createElement("li");
        li.textContent = [p.file || "", p.line ? say("第 " + p.line + " 行", "line " + p.line) : "", p.element || ""].filter(Boolean).join(" · ") +
          say("：", ": ") + (say(p.message_zh, p.message) || p.message || p.message_zh || "");
        if (p.file && files[p.file]) {
          li.className = "on-canvas";
          li.addEventListener("click", function () {
            switchTo(p.file).then(function () {
              if (p.element && files[p.file].kind === "bpmn" && bpmn.get("elementRegistry").get(p.element)) {
                bpmn.get("canvas").scrollToElement(p.element);
                bpmn.get("selection").select(bpmn.get("elementRegistry").get(p.element));
              }
            });
          });
        }
        problemsBox.appendChild(li);
      });
      document.getElementById("problems-box").hidden = !problems.length;
      markProblems();
    }

    function editedFiles() {
      return saveCurrent().then(function () {
        var out = {};
        order.forEach(function (name) {
          var f = files[name];
          if (f.edited || (config.newBundle && f.text !== null)) out[name] = f.text;
        });
        return out;
      });
    }

    function post(url, extra) {
      return editedFiles().then(function (edited) {
        var body = Object.assign({ files: edited }, extra || {});
        return fetch(url, {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify(body),
        }).then(function (r) { return r.json().then(function (data) { data.httpStatus = r.status; return data; }); });
      });
    }

    function validate() {
      resultBox.textContent = say("校验中…", "Validating…");
      return post(config.validateUrl).then(function (data) {
        renderProblems(data.problems);
        resultBox.className = "jb-result " + (data.ok ? "jb-ok" : "jb-error");
        resultBox.textContent = data.ok ? say("校验通过。", "Valid.") : say("发现 " + data.problems.length + " 个问题。", data.problems.length + " problem(s).");
        document.body.setAttribute("data-validated", data.ok ? "ok" : "problems");
        return data;
      });
    }

    function text(s) { return document.createTextNode(s); }

    function link(href, label, css) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = label;
      if (css) a.className = css;
      return a;
    }

    // The outcome of a deploy: the processes that got a new version (with a link to compare it with the
    // one before) and those left unchanged, in the user's language (config.labels).
    function showDeployed(data) {
      var L = config.labels || {};
      resultBox.className = "jb-result jb-ok";
      resultBox.innerHTML = "";
      var created = (data.processes || []).filter(function (p) { return p.created; });
      var kept = (data.processes || []).filter(function (p) { return !p.created; });
      var head = document.createElement("div");
      head.appendChild(text((L.deployed || "") + " " + (L.new_versions || "") + " "));
      var newList = document.createElement("span");
      newList.id = "deploy-new-versions";
      created.forEach(function (p) {
        var item = document.createElement("span");
        item.className = "jb-deployed-item";
        item.setAttribute("data-process", p.key);
        item.title = p.key;
        item.appendChild(link(p.url, (p.name || p.key) + " v" + p.version, "jb-deployed"));
        if (p.diff) { item.appendChild(text(" (")); item.appendChild(link(p.diff, L.compare || "diff", "jb-compare")); item.appendChild(text(")")); }
        item.appendChild(text(" "));
        newList.appendChild(item);
      });
      if (!created.length) newList.appendChild(text(L.none || "-"));
      head.appendChild(newList);
      resultBox.appendChild(head);
      // the processes left as they were: their count, the list on request (one name each, as on the index)
      var rest = document.createElement("details");
      rest.id = "deploy-unchanged";
      var summary = document.createElement("summary");
      summary.textContent = (L.unchanged || "") + " " + (kept.length
        ? (L.processes || "%(count)s").replace("%(count)s", String(kept.length)) : (L.none || "-"));
      rest.appendChild(summary);
      kept.forEach(function (p, i) {
        var item = document.createElement("span");
        item.className = "jb-kept-item";
        item.title = p.key;
        item.setAttribute("data-process", p.key);
        item.setAttribute("data-version", String(p.version));
        item.textContent = (p.name || p.key) + " v" + p.version + (i < kept.length - 1 ? "、" : "");
        rest.appendChild(item);
      });
      resultBox.appendChild(rest);
    }

    // Deploying from an older base than versions deployed since: say what would be overwritten; deploy only
    // when the owner confirms.
    function showStale(data) {
      var L = config.labels || {};
      resultBox.className = "jb-result jb-error";
      resultBox.innerHTML = "";
      var box = document.createElement("div");
      box.id = "stale-base";
      var p = document.createElement("p");
      p.textContent = data.message || "";
      box.appendChild(p);
      var ul = document.createElement("ul");
      (data.versions || []).forEach(function (v) {
        var li = document.createElement("li");
        li.title = v.key;
        li.setAttribute("data-process", v.key);
        li.appendChild(text((v.name || v.key) + " v" + v.version + " · " + (v.deployed_by || "") + " "));
        if (v.url) li.appendChild(link(v.url, L.compare || "diff", "jb-compare"));
        ul.appendChild(li);
      });
      box.appendChild(ul);
      if ((data.files || []).length) box.appendChild(text((L.stale_files || "") + " " + data.files.join(", ")));
      var bar = document.createElement("div");
      var yes = document.createElement("button");
      yes.type = "button";
      yes.id = "btn-overwrite";
      yes.textContent = L.overwrite || "OK";
      yes.addEventListener("click", function () { deploy(true); });
      var no = document.createElement("button");
      no.type = "button";
      no.textContent = L.cancel || "Cancel";
      no.addEventListener("click", function () { resultBox.innerHTML = ""; });
      bar.appendChild(yes);
      bar.appendChild(no);
      box.appendChild(bar);
      resultBox.appendChild(box);
    }

    // After a deploy the page's base is what it deployed: the next deploy starts from there.
    function continueFrom(next) {
      if (!next) return;
      config.deployment = next.deployment;
      config.processKey = next.processKey;
      config.deployUrl = next.deployUrl;
      config.validateUrl = next.validateUrl;
      config.newBundle = false;
      (next.files || []).forEach(function (f) {
        if (files[f.name]) files[f.name].url = f.url;
        else { files[f.name] = { kind: f.kind, url: f.url, group: f.group, text: null, edited: false }; order.push(f.name); }
      });
      // the heading names the new version and deployment; the address opens the same page on a reload
      var heading = document.getElementById("modeler-heading");
      if (heading && next.heading) heading.innerHTML = next.heading;
      if (next.pageUrl && window.history && window.history.replaceState) window.history.replaceState(null, "", next.pageUrl);
    }

    function deploy(confirmStale) {
      var note = document.getElementById("deploy-note").value;
      resultBox.textContent = say("部署中…", "Deploying…");
      return post(config.deployUrl, { note: note, confirm_stale: confirmStale === true, process: config.processKey || null }).then(function (data) {
        renderProblems(data.problems || []);
        if (data.ok) {
          showDeployed(data);
          order.forEach(function (name) {
            if (files[name].edited && files[name].kind === "form") files[name].loadedXml = files[name].text;
            else if (files[name].kind !== "form") files[name].loadedXml = files[name].text;
            files[name].edited = false;
          });
          continueFrom(data.next);
          renderTabs();
        } else if (data.stale) {
          showStale(data);
        } else {
          resultBox.className = "jb-result jb-error";
          resultBox.textContent = data.message || say("部署被拒绝", "Deployment refused");
        }
        document.body.setAttribute("data-deployed", data.ok ? "ok" : data.stale ? "stale" : "refused");
        return data;
      });
    }

    function importLocal(input) {
      return readFile(input).then(function (file) {
        var kind = /\.dmn$/i.test(file.name) ? "dmn" : "bpmn";
        if (!files[file.name]) order.push(file.name);
        files[file.name] = { kind: kind, url: null, text: file.text, edited: true };
        return saveCurrent().then(function () { return show(file.name, file.text); });
      });
    }

    document.getElementById("btn-validate").addEventListener("click", validate);
    document.getElementById("btn-deploy").addEventListener("click", function () { deploy(false); });
    document.getElementById("btn-download").addEventListener("click", function () {
      saveCurrent().then(function () {
        var blob = new Blob([files[current].text], { type: "application/xml" });
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = current.split("/").pop();
        a.click();
      });
    });
    var input = document.getElementById("import-file");
    input.addEventListener("change", function () {
      importLocal(input).catch(function (err) { resultBox.textContent = say("打开失败：", "Import failed: ") + (err && err.message || err); });
    });

    window.jbModeler = {
      bpmn: bpmn,
      dmn: function () { return dmn; },
      current: function () { return current; },
      getXML: function () { return saveCurrent().then(function () { return files[current].text; }); },
      open: switchTo,
      formEditor: function () { return formEditor; },
      validate: validate,
      deploy: deploy,
      importText: function (name, text) {
        var kind = /\.dmn$/i.test(name) ? "dmn" : "bpmn";
        if (!files[name]) order.push(name);
        files[name] = { kind: kind, url: null, text: text, edited: true };
        return saveCurrent().then(function () { return show(name, text); });
      },
    };
    if (config.open && files[config.open]) return switchTo(config.open);
    if (config.newBundle) {
      files["new_process.bpmn"] = { kind: "bpmn", url: null, text: EMPTY_BPMN, edited: true };
      order.push("new_process.bpmn");
      return show("new_process.bpmn", EMPTY_BPMN);
    }
    return Promise.resolve();
  }

  window.JiebangBpmn = { instanceDiagram: instanceDiagram, fileViewer: fileViewer, modeler: modeler };
})();
