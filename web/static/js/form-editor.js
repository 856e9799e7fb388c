// The modeler's form editor: edit a *.form.json (title, fields: add, remove, reorder, label zh/en, type,
// required, options, min/max) with a live preview rendered by the server's form renderer and the deployment's
// own form checks shown beside the field. Texts in the page's language.
(function () {
  "use strict";

  var ZH = (document.documentElement.lang || "zh").toLowerCase().indexOf("zh") === 0;
  var T = {
    title: ["表单标题", "Form title"],
    fields: ["字段", "Fields"],
    name: ["字段名", "Field name"],
    type: ["类型", "Type"],
    labelZh: ["中文标签", "Chinese label"],
    labelEn: ["英文标签", "English label"],
    required: ["必填", "Required"],
    min: ["最小值", "Minimum"],
    max: ["最大值", "Maximum"],
    minLength: ["最少字数", "Minimum length"],
    maxLength: ["最多字数", "Maximum length"],
    options: ["选项（每行一个：值|中文|English）", "Options (one a line: value|中文|English)"],
    up: ["上移", "Move up"],
    down: ["下移", "Move down"],
    remove: ["删除字段", "Remove field"],
    add: ["添加字段", "Add field"],
    preview: ["预览", "Preview"],
    checking: ["检查中…", "Checking…"],
    valid: ["表单有效。", "The form is valid."],
    invalid: ["表单有问题，部署会被拒绝：", "The form has problems; deployment would refuse it:"],
    subfields: ["该分组的子字段请在 JSON 中编辑。", "Edit this group's sub-fields in the JSON."],
    newLabel: ["新字段", "New field"],
    notJson: ["文件不是有效的 JSON，无法编辑：", "The file is not valid JSON and cannot be edited here: "],
    unsaved: ["已修改，部署时一并保存。", "Changed; saved with the next deployment."],
    failed: ["预览失败：", "Preview failed: "],
  };
  var TYPES = {
    text: ["文本", "Text"], number: ["数字", "Number"], money: ["金额（元）", "Money (yuan)"], date: ["日期", "Date"],
    datetime: ["日期时间", "Date and time"], select: ["选择", "Choice"], checkbox: ["勾选", "Checkbox"],
    group: ["可重复分组", "Repeating group"], file: ["文件", "File"], readonly: ["只读显示", "Read-only"],
  };
  function t(key) { return T[key][ZH ? 0 : 1]; }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "value") node.value = attrs[k];
      else if (k === "checked") node.checked = !!attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function labeled(text, input) {
    return el("label", { class: "jb-fe-prop" }, [el("span", { text: text }), input]);
  }

  function numberOrText(value) {
    var s = String(value).trim();
    if (s === "") return undefined;
    return /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s;
  }

  /** One editor in ``box`` (an element with #fe-fields, #fe-preview, #fe-status). */
  function create(box, options) {
    var form = null;
    var name = null;
    var timer = null;
    var lastText = null;
    var fieldsBox = box.querySelector("[data-fe=fields]");
    var previewBox = box.querySelector("[data-fe=preview]");
    var statusBox = box.querySelector("[data-fe=status]");
    var problemsBox = box.querySelector("[data-fe=problems]");
    var titleZh = box.querySelector("[data-fe=title-zh]");
    var titleEn = box.querySelector("[data-fe=title-en]");

    function changed() {
      if (options.onChange) options.onChange();
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    }

    function setLocal(obj, key, lang, value) {
      obj[key] = Object.assign({}, obj[key] || {});
      obj[key][lang] = value;
    }

    function bind(input, apply, event) {
      input.addEventListener(event || "input", function () { apply(input); changed(); });
      return input;
    }

    function limitInputs(field) {
      var out = [];
      var keys = field.type === "text" ? [["min_length", "minLength"], ["max_length", "maxLength"]]
        : (["number", "money", "date"].indexOf(field.type) >= 0 ? [["min", "min"], ["max", "max"]] : []);
      keys.forEach(function (pair) {
        var input = el("input", { "data-prop": pair[0], size: "10", value: field[pair[0]] === undefined ? "" : String(field[pair[0]]) });
        bind(input, function (i) {
          var v = numberOrText(i.value);
          if (v === undefined) delete field[pair[0]]; else field[pair[0]] = v;
        });
        out.push(labeled(t(pair[1]) + (field.type === "money" ? (ZH ? "（分）" : " (fen)") : ""), input));
      });
      return out;
    }

    function optionsInput(field) {
      if (field.type !== "select") return null;
      var lines = (field.options || []).map(function (o) {
        var label = o.label || {};
        return [o.value, label.zh || "", label.en || ""].join("|");
      });
      var area = el("textarea", { "data-prop": "options", rows: String(Math.max(3, lines.length)), cols: "40", value: lines.join("\n") });
      bind(area, function (a) {
        field.options = a.value.split("\n").filter(function (l) { return l.trim(); }).map(function (l) {
          var parts = l.split("|");
          return { value: parts[0].trim(), label: { zh: (parts[1] || "").trim(), en: (parts[2] || "").trim() } };
        });
      });
      return labeled(t("options"), area);
    }

    function renderFields() {
      fieldsBox.innerHTML = "";
      form.fields.forEach(function (field, index) {
        var label = field.label || {};
        var typeSelect = el("select", { "data-prop": "type" }, Object.keys(TYPES).map(function (k) {
          return el("option", { value: k, text: TYPES[k][ZH ? 0 : 1] });
        }));
        typeSelect.value = field.type;
        var legend = el("legend", {});
        // the field's heading follows its label (in the page's language) as it is typed
        function title() {
          var now = field.label || {};
          legend.textContent = (index + 1) + ". " + ((ZH ? now.zh : now.en) || field.name || "");
        }
        title();
        var row = el("fieldset", { class: "jb-fe-field", "data-field": String(index), "data-name": field.name || "" }, [
          legend,
          labeled(t("name"), bind(el("input", { "data-prop": "name", size: "16", value: field.name || "" }), function (i) { field.name = i.value.trim(); title(); })),
          labeled(t("type"), bind(typeSelect, function (s) { field.type = s.value; renderFields(); }, "change")),
          labeled(t("labelZh"), bind(el("input", { "data-prop": "label-zh", size: "24", value: label.zh || "" }), function (i) { setLocal(field, "label", "zh", i.value); title(); })),
          labeled(t("labelEn"), bind(el("input", { "data-prop": "label-en", size: "24", value: label.en || "" }), function (i) { setLocal(field, "label", "en", i.value); title(); })),
          field.type === "readonly" ? null : labeled(t("required"), bind(el("input", { type: "checkbox", "data-prop": "required", checked: field.required }), function (c) {
            if (c.checked) field.required = true; else delete field.required;
          }, "change")),
        ].concat(limitInputs(field), [optionsInput(field),
          field.type === "group" ? el("p", { class: "jb-fe-note", text: t("subfields") }) : null,
          el("div", { class: "jb-fe-actions" }, [
            action(t("up"), "up", index > 0, function () { move(index, -1); }),
            action(t("down"), "down", index < form.fields.length - 1, function () { move(index, 1); }),
            action(t("remove"), "remove", form.fields.length > 1, function () { form.fields.splice(index, 1); renderFields(); changed(); }),
          ]),
          el("p", { class: "jb-fe-error", "data-error-for": String(index), hidden: "hidden" }),
        ]));
        fieldsBox.appendChild(row);
      });
    }

    function action(text, name, enabled, handler) {
      var b = el("button", { type: "button", "data-action": name, text: text });
      if (!enabled) b.disabled = true;
      b.addEventListener("click", handler);
      return b;
    }

    function move(index, delta) {
      var item = form.fields.splice(index, 1)[0];
      form.fields.splice(index + delta, 0, item);
      renderFields();
      changed();
    }

    function addField() {
      var n = form.fields.length + 1;
      var used = form.fields.map(function (f) { return f.name; });
      while (used.indexOf("field_" + n) >= 0) n += 1;
      form.fields.push({ name: "field_" + n, type: "text", label: { zh: T.newLabel[0], en: T.newLabel[1] } });
      renderFields();
      changed();
    }

    function refresh() {
      var text = serialize();
      if (text === lastText) return Promise.resolve();
      lastText = text;
      statusBox.textContent = t("checking");
      return fetch(options.previewUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ name: name, text: text }),
      }).then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      }).then(function (data) {
        if (text !== lastText) return;
        showProblems(data.problems || []);
        if (data.ok) previewBox.innerHTML = data.html;  // escaped by the server's form renderer
        box.setAttribute("data-preview", data.ok ? "ok" : "problems");
        statusBox.textContent = data.ok ? t("valid") : t("invalid");
        statusBox.className = "jb-result " + (data.ok ? "jb-ok" : "jb-error");
      }).catch(function (err) {
        statusBox.textContent = t("failed") + (err && err.message || err);
        box.setAttribute("data-preview", "failed");
      });
    }

    function showProblems(problems) {
      box.querySelectorAll("[data-error-for]").forEach(function (p) { p.textContent = ""; p.hidden = true; });
      box.querySelectorAll(".jb-fe-field").forEach(function (f) { f.classList.remove("jb-fe-invalid"); });
      problemsBox.innerHTML = "";
      problems.forEach(function (p) {
        var target = p.field === null || p.field === undefined ? null : box.querySelector('[data-error-for="' + p.field + '"]');
        // beside the field: what inside it is wrong ("max_length", "options[1].label") and the message
        var inner = (p.path || "").replace(/^fields\[\d+\](\([^)]*\))?\.?/, "");
        var text = (inner ? inner + (ZH ? "：" : ": ") : "") + p.message;
        if (target) {
          target.hidden = false;
          target.textContent = (target.textContent ? target.textContent + (ZH ? "；" : "; ") : "") + text;
          target.parentNode.classList.add("jb-fe-invalid");
        } else {
          problemsBox.appendChild(el("li", { text: (p.path ? p.path + (ZH ? "：" : ": ") : "") + p.message }));
        }
      });
    }

    function serialize() {
      return JSON.stringify(form, null, 2) + "\n";
    }

    box.querySelector("[data-fe=add]").addEventListener("click", addField);
    bind(titleZh, function (i) { setLocal(form, "title", "zh", i.value); });
    bind(titleEn, function (i) { setLocal(form, "title", "en", i.value); });

    return {
      /** Open ``text`` (a form file's JSON); false when it is not JSON an editor can show. */
      load: function (fileName, text) {
        name = fileName;
        lastText = null;
        try {
          form = JSON.parse(text);
          if (!form || !Array.isArray(form.fields)) throw new Error("fields");
        } catch (err) {
          form = null;
          fieldsBox.innerHTML = "";
          statusBox.textContent = t("notJson") + (err && err.message || err);
          return false;
        }
        titleZh.value = (form.title || {}).zh || "";
        titleEn.value = (form.title || {}).en || "";
        renderFields();
        refresh();
        return true;
      },
      text: function () { return form ? serialize() : null; },
      refresh: refresh,
    };
  }

  window.JiebangFormEditor = { create: create };
})();
