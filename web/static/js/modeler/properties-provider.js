// The properties panel's provider for what our engine reads from a diagram: a user task's form
// (spiffworkflow:property formKey), a lane's role, conditions, scripts, timers, multi-instance collections,
// messages, called processes and decision tables, and a gateway's maxLoops. Labels follow the page's language.
import { h } from "@bpmn-io/properties-panel/preact";
import {
  CheckboxEntry,
  SelectEntry,
  TextAreaEntry,
  TextFieldEntry,
  isCheckboxEntryEdited,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited,
} from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";
import { getBusinessObject, is, isAny } from "bpmn-js/lib/util/ModelUtil";
import { text } from "./i18n.js";
import { roleOfLane, spiffProperties } from "./lint-rules.js";

// --- reading and writing the model (every change goes through modeling, so it can be undone) -------------

function extensionOf(injector, element, owner, create) {
  const modeling = injector.get("modeling");
  let ext = owner.get("extensionElements");
  if (!ext && create) {
    ext = injector.get("moddle").create("bpmn:ExtensionElements", { values: [] });
    ext.$parent = owner;
    modeling.updateModdleProperties(element, owner, { extensionElements: ext });
  }
  return ext;
}

function findExtension(owner, type) {
  const ext = owner.get("extensionElements");
  return ((ext && ext.get("values")) || []).find((v) => v.$type === type);
}

export function setSpiffProperty(injector, element, name, value) {
  const modeling = injector.get("modeling");
  const moddle = injector.get("moddle");
  const bo = getBusinessObject(element);
  const current = findExtension(bo, "spiffworkflow:Properties");
  const existing = current && current.get("values").find((p) => p.name === name);
  if (!value) {
    if (existing) modeling.updateModdleProperties(element, current, { values: current.get("values").filter((p) => p !== existing) });
    return;
  }
  if (existing) {
    modeling.updateModdleProperties(element, existing, { value });
    return;
  }
  const ext = extensionOf(injector, element, bo, true);
  let props = current;
  if (!props) {
    props = moddle.create("spiffworkflow:Properties", { values: [] });
    props.$parent = ext;
    modeling.updateModdleProperties(element, ext, { values: ext.get("values").concat([props]) });
  }
  const prop = moddle.create("spiffworkflow:Property", { name, value });
  prop.$parent = props;
  modeling.updateModdleProperties(element, props, { values: props.get("values").concat([prop]) });
}

/** A spiffworkflow:<type> extension holding one text (messageVariable, calledDecisionId, preScript…). */
function getSpiffText(owner, type, prop) {
  const found = findExtension(owner, type);
  return (found && found.get(prop)) || "";
}

function setSpiffText(injector, element, owner, type, prop, value) {
  const modeling = injector.get("modeling");
  const found = findExtension(owner, type);
  if (!value) {
    if (found) {
      const ext = owner.get("extensionElements");
      modeling.updateModdleProperties(element, ext, { values: ext.get("values").filter((v) => v !== found) });
    }
    return;
  }
  if (found) {
    modeling.updateModdleProperties(element, found, { [prop]: value });
    return;
  }
  const ext = extensionOf(injector, element, owner, true);
  const created = injector.get("moddle").create(type, { [prop]: value });
  created.$parent = ext;
  modeling.updateModdleProperties(element, ext, { values: ext.get("values").concat([created]) });
}

function bodyOf(expr) {
  return (expr && expr.get && expr.get("body")) || "";
}

function expression(injector, owner, value) {
  if (!value) return undefined;
  const expr = injector.get("moddle").create("bpmn:FormalExpression", { body: value });
  expr.$parent = owner;
  return expr;
}

function options(list, current, none) {
  const out = [{ value: "", label: none }].concat(list);
  if (current && !list.some((o) => o.value === current)) out.push({ value: current, label: `${current} ${text("form.missing")}` });
  return out;
}

// --- entries ------------------------------------------------------------------------------------------------

function useCommon() {
  return {
    injector: useService("injector"),
    debounce: useService("debounceInput"),
    settings: useService("config.jiebang") || {},
  };
}

function FormKeyEntry({ element, id }) {
  const { injector, settings } = useCommon();
  const bo = getBusinessObject(element);
  return h(SelectEntry, {
    element, id, label: text("form.key"), description: text("form.hint"),
    getValue: () => spiffProperties(bo).formKey || "",
    setValue: (value) => setSpiffProperty(injector, element, "formKey", value),
    getOptions: () => options((settings.forms || []).map((f) => ({ value: f.id, label: f.title ? `${f.title} (${f.id})` : f.id })),
      spiffProperties(bo).formKey, text("form.none")),
  });
}

function LaneRoleEntry({ element, id }) {
  const { injector, settings } = useCommon();
  const bo = getBusinessObject(element);
  return h(SelectEntry, {
    element, id, label: text("lane.role"), description: text("lane.hint"),
    getValue: () => roleOfLane(bo.name) || "",
    setValue: (code) => {
      const base = (bo.name || "").replace(/\s*[(（]\s*[a-z][a-z0-9_]{1,31}\s*[)）]\s*$/, "").trim();
      const role = (settings.roles || []).find((r) => r.value === code);
      const display = base && !/^[a-z][a-z0-9_]{1,31}$/.test(base) ? base : (role ? role.name : "");
      const name = code ? (display ? `${display} (${code})` : code) : display;
      injector.get("modeling").updateProperties(element, { name });
    },
    getOptions: () => options(settings.roles || [], roleOfLane(bo.name), text("lane.none")),
  });
}

function ConditionEntry({ element, id }) {
  const { injector, debounce } = useCommon();
  const bo = getBusinessObject(element);
  return h(TextAreaEntry, {
    element, id, label: text("condition.expr"), description: text("condition.hint"), debounce, monospace: true, rows: 2,
    getValue: () => bodyOf(bo.conditionExpression),
    setValue: (value) => injector.get("modeling").updateProperties(element, { conditionExpression: expression(injector, bo, value) }),
  });
}

function DefaultFlowEntry({ element, id }) {
  const { injector } = useCommon();
  const bo = getBusinessObject(element);
  const source = element.source;
  return h(CheckboxEntry, {
    element, id, label: text("condition.isDefault"),
    getValue: () => !!(source && getBusinessObject(source).default === bo),
    setValue: (checked) => injector.get("modeling").updateProperties(source, { default: checked ? bo : undefined }),
  });
}

function ScriptEntry({ element, id }) {
  const { injector, debounce } = useCommon();
  const bo = getBusinessObject(element);
  return h(TextAreaEntry, {
    element, id, label: text("script.text"), description: text("script.hint"), debounce, monospace: true, rows: 4,
    getValue: () => bo.script || "",
    setValue: (value) => injector.get("modeling").updateProperties(element, { script: value || undefined, scriptFormat: bo.scriptFormat || "python" }),
  });
}

function spiffTextEntry(type, prop, labelKey, hintKey, ownerOf, area) {
  return function SpiffTextEntry({ element, id }) {
    const { injector, debounce } = useCommon();
    const owner = ownerOf(element);
    return h(area ? TextAreaEntry : TextFieldEntry, {
      element, id, label: text(labelKey), description: hintKey ? text(hintKey) : undefined, debounce, monospace: !!area, rows: 3,
      getValue: () => getSpiffText(owner, type, prop),
      setValue: (value) => setSpiffText(injector, element, owner, type, prop, (value || "").trim() ? value : ""),
    });
  };
}

function eventDefinition(element, type) {
  const bo = getBusinessObject(element);
  return (bo.eventDefinitions || []).find((d) => is(d, type));
}

const TIMER_KINDS = ["timeDate", "timeDuration", "timeCycle"];

function timerKind(def) {
  return TIMER_KINDS.find((k) => def.get(k)) || "timeDate";
}

function TimerKindEntry({ element, id }) {
  const { injector } = useCommon();
  const def = eventDefinition(element, "bpmn:TimerEventDefinition");
  return h(SelectEntry, {
    element, id, label: text("timer.kind"),
    getValue: () => timerKind(def),
    setValue: (kind) => {
      const value = bodyOf(def.get(timerKind(def)));
      const props = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
      props[kind] = expression(injector, def, value || " ");
      injector.get("modeling").updateModdleProperties(element, def, props);
    },
    getOptions: () => TIMER_KINDS.map((k) => ({ value: k, label: text(`timer.${k}`) })),
  });
}

function TimerExpressionEntry({ element, id }) {
  const { injector, debounce } = useCommon();
  const def = eventDefinition(element, "bpmn:TimerEventDefinition");
  return h(TextFieldEntry, {
    element, id, label: text("timer.expr"), description: text("timer.hint"), debounce,
    getValue: () => bodyOf(def.get(timerKind(def))).trim(),
    setValue: (value) => injector.get("modeling").updateModdleProperties(element, def, { [timerKind(def)]: expression(injector, def, value) }),
  });
}

function loopOf(element) {
  return getBusinessObject(element).loopCharacteristics;
}

function refName(ref) {
  return (ref && (ref.name || ref.id)) || "";
}

function multiRefEntry(prop, labelKey, type, hintKey) {
  return function MultiRefEntry({ element, id }) {
    const { injector, debounce } = useCommon();
    const loop = loopOf(element);
    return h(TextFieldEntry, {
      element, id, label: text(labelKey), description: hintKey ? text(hintKey) : undefined, debounce,
      getValue: () => refName(loop.get(prop)),
      setValue: (value) => {
        const name = (value || "").trim();
        let ref;
        if (name) {
          ref = injector.get("moddle").create(type, { id: name, name });
          if (type !== "bpmn:Property") ref.$parent = loop;
        }
        injector.get("modeling").updateModdleProperties(element, loop, { [prop]: ref });
      },
    });
  };
}

function SequentialEntry({ element, id }) {
  const { injector } = useCommon();
  const loop = loopOf(element);
  return h(CheckboxEntry, {
    element, id, label: text("multi.sequential"),
    getValue: () => !!loop.isSequential,
    setValue: (value) => injector.get("modeling").updateModdleProperties(element, loop, { isSequential: value }),
  });
}

function messageOwner(element) {
  const bo = getBusinessObject(element);
  return isAny(bo, ["bpmn:ReceiveTask", "bpmn:SendTask"]) ? bo : eventDefinition(element, "bpmn:MessageEventDefinition");
}

function MessageNameEntry({ element, id }) {
  const { injector, debounce } = useCommon();
  const owner = messageOwner(element);
  return h(TextFieldEntry, {
    element, id, label: text("message.name"), debounce,
    getValue: () => (owner.messageRef && owner.messageRef.name) || "",
    setValue: (value) => {
      const name = (value || "").trim();
      const modeling = injector.get("modeling");
      if (!name) return;
      const definitions = injector.get("canvas").getRootElement().businessObject.$parent;
      const roots = (definitions && definitions.get("rootElements")) || [];
      let message = roots.find((r) => is(r, "bpmn:Message") && r.name === name);
      if (!message) {
        message = injector.get("moddle").create("bpmn:Message", { id: `Message_${name.replace(/[^A-Za-z0-9_]/g, "_")}`, name });
        message.$parent = definitions;
        modeling.updateModdleProperties(element, definitions, { rootElements: roots.concat([message]) });
      }
      modeling.updateModdleProperties(element, owner, { messageRef: message });
    },
  });
}

/** The first spiffworkflow:processVariableCorrelation of a message catch: a correlation property and the
 * expression (over this process's data) its value must equal for the message to reach this wait. */
function correlationEntry(part, labelKey, hintKey) {
  return function CorrelationEntry({ element, id }) {
    const { injector, debounce } = useCommon();
    const owner = messageOwner(element);
    const read = (which) => {
      const found = findExtension(owner, "spiffworkflow:ProcessVariableCorrelation");
      const child = found && found.get(which);
      return (child && child.get("value")) || "";
    };
    return h(TextFieldEntry, {
      element, id, label: text(labelKey), description: hintKey ? text(hintKey) : undefined, debounce,
      getValue: () => read(part),
      setValue: (value) => {
        const modeling = injector.get("modeling");
        const moddle = injector.get("moddle");
        const trimmed = (value || "").trim();
        let found = findExtension(owner, "spiffworkflow:ProcessVariableCorrelation");
        const other = part === "propertyId" ? "expression" : "propertyId";
        if (!trimmed && !read(other)) {
          if (found) {
            const ext = owner.get("extensionElements");
            modeling.updateModdleProperties(element, ext, { values: ext.get("values").filter((v) => v !== found) });
          }
          return;
        }
        if (!found) {
          const ext = extensionOf(injector, element, owner, true);
          found = moddle.create("spiffworkflow:ProcessVariableCorrelation", {});
          found.$parent = ext;
          modeling.updateModdleProperties(element, ext, { values: ext.get("values").concat([found]) });
        }
        const child = moddle.create(part === "propertyId" ? "spiffworkflow:PropertyId" : "spiffworkflow:Expression", { value: trimmed });
        child.$parent = found;
        modeling.updateModdleProperties(element, found, { [part]: child });
      },
    });
  };
}

function CalledProcessEntry({ element, id }) {
  const { injector, settings } = useCommon();
  const bo = getBusinessObject(element);
  return h(SelectEntry, {
    element, id, label: text("call.process"), description: text("call.hint"),
    getValue: () => bo.calledElement || "",
    setValue: (value) => injector.get("modeling").updateProperties(element, { calledElement: value || undefined }),
    getOptions: () => options((settings.processes || []).map((p) => ({ value: p.id, label: p.name ? `${p.name} (${p.id})` : p.id })),
      bo.calledElement, text("call.none")),
  });
}

function MaxLoopsEntry({ element, id }) {
  const { injector, debounce } = useCommon();
  const bo = getBusinessObject(element);
  return h(TextFieldEntry, {
    element, id, label: text("loop.max"), description: text("loop.hint"), debounce,
    getValue: () => spiffProperties(bo).maxLoops || "",
    setValue: (value) => setSpiffProperty(injector, element, "maxLoops", (value || "").trim()),
  });
}

function StartRolesEntry({ element, id }) {
  const { injector, debounce } = useCommon();
  const bo = getBusinessObject(element);
  return h(TextFieldEntry, {
    element, id, label: text("start.roles"), description: text("start.hint"), debounce,
    getValue: () => spiffProperties(bo).startRoles || "",
    setValue: (value) => setSpiffProperty(injector, element, "startRoles", (value || "").split(/[,，\s]+/).filter(Boolean).join(",")),
  });
}

// --- groups -------------------------------------------------------------------------------------------------

function group(id, labelKey, entries) {
  return { id: `jiebang-${id}`, label: text(labelKey), entries, shouldOpen: true };
}

const self = (element) => getBusinessObject(element);

export function groupsFor(element) {
  const bo = getBusinessObject(element);
  const groups = [];
  if (isAny(bo, ["bpmn:UserTask", "bpmn:ManualTask"])) {
    groups.push(group("form", "group.form", [{ id: "jb-formKey", component: FormKeyEntry, isEdited: isSelectEntryEdited }]));
  }
  if (is(bo, "bpmn:StartEvent") && is(bo.$parent, "bpmn:Process")) {
    groups.push(group("start", "group.start", [{ id: "jb-startRoles", component: StartRolesEntry, isEdited: isTextFieldEntryEdited }]));
  }
  if (is(bo, "bpmn:Lane")) {
    groups.push(group("lane", "group.lane", [{ id: "jb-laneRole", component: LaneRoleEntry, isEdited: isSelectEntryEdited }]));
  }
  if (is(bo, "bpmn:SequenceFlow") && element.source && isAny(getBusinessObject(element.source), ["bpmn:ExclusiveGateway", "bpmn:InclusiveGateway"])) {
    groups.push(group("condition", "group.condition", [
      { id: "jb-condition", component: ConditionEntry, isEdited: isTextAreaEntryEdited },
      { id: "jb-default", component: DefaultFlowEntry, isEdited: isCheckboxEntryEdited },
    ]));
  }
  if (is(bo, "bpmn:ScriptTask")) {
    groups.push(group("script", "group.script", [{ id: "jb-script", component: ScriptEntry, isEdited: isTextAreaEntryEdited }]));
  }
  if (isAny(bo, ["bpmn:Task"]) && !is(bo, "bpmn:ScriptTask")) {
    groups.push(group("scripts", "group.script", [
      { id: "jb-prescript", component: spiffTextEntry("spiffworkflow:PreScript", "script", "script.pre", null, self, true), isEdited: isTextAreaEntryEdited },
      { id: "jb-postscript", component: spiffTextEntry("spiffworkflow:PostScript", "script", "script.post", null, self, true), isEdited: isTextAreaEntryEdited },
    ]));
  }
  if (eventDefinition(element, "bpmn:TimerEventDefinition")) {
    groups.push(group("timer", "group.timer", [
      { id: "jb-timerKind", component: TimerKindEntry, isEdited: isSelectEntryEdited },
      { id: "jb-timer", component: TimerExpressionEntry, isEdited: isTextFieldEntryEdited },
    ]));
  }
  if (bo.loopCharacteristics && is(bo.loopCharacteristics, "bpmn:MultiInstanceLoopCharacteristics")) {
    groups.push(group("multi", "group.multi", [
      { id: "jb-collection", component: multiRefEntry("loopDataInputRef", "multi.collection", "bpmn:Property", "multi.hint"), isEdited: isTextFieldEntryEdited },
      { id: "jb-item", component: multiRefEntry("inputDataItem", "multi.item", "bpmn:DataInput"), isEdited: isTextFieldEntryEdited },
      { id: "jb-output", component: multiRefEntry("loopDataOutputRef", "multi.output", "bpmn:Property"), isEdited: isTextFieldEntryEdited },
      { id: "jb-outputItem", component: multiRefEntry("outputDataItem", "multi.outputItem", "bpmn:DataOutput"), isEdited: isTextFieldEntryEdited },
      { id: "jb-sequential", component: SequentialEntry, isEdited: isCheckboxEntryEdited },
    ]));
  }
  const messageDef = eventDefinition(element, "bpmn:MessageEventDefinition");
  if (messageDef || isAny(bo, ["bpmn:ReceiveTask", "bpmn:SendTask"])) {
    const owner = (el) => messageOwner(el);
    const catching = isAny(bo, ["bpmn:CatchEvent", "bpmn:ReceiveTask"]);
    const entries = [{ id: "jb-messageName", component: MessageNameEntry, isEdited: isTextFieldEntryEdited }];
    if (catching) {
      entries.push(
        { id: "jb-messageVariable", component: spiffTextEntry("spiffworkflow:MessageVariable", "variable", "message.variable", "message.variableHint", owner, false), isEdited: isTextFieldEntryEdited },
        { id: "jb-correlationKey", component: correlationEntry("propertyId", "message.correlationKey", "message.correlationHint"), isEdited: isTextFieldEntryEdited },
        { id: "jb-correlationExpr", component: correlationEntry("expression", "message.correlationExpr"), isEdited: isTextFieldEntryEdited },
      );
    } else {
      entries.push({ id: "jb-messagePayload", component: spiffTextEntry("spiffworkflow:MessagePayload", "expression", "message.payload", null, owner, true), isEdited: isTextAreaEntryEdited });
    }
    groups.push(group("message", "group.message", entries));
  }
  if (is(bo, "bpmn:CallActivity")) {
    groups.push(group("call", "group.call", [{ id: "jb-called", component: CalledProcessEntry, isEdited: isSelectEntryEdited }]));
  }
  if (is(bo, "bpmn:BusinessRuleTask")) {
    groups.push(group("decision", "group.decision", [
      { id: "jb-decision", component: spiffTextEntry("spiffworkflow:CalledDecisionId", "decisionId", "decision.id", null, self, false), isEdited: isTextFieldEntryEdited },
    ]));
  }
  if (is(bo, "bpmn:Gateway")) {
    groups.push(group("loop", "group.loop", [{ id: "jb-maxLoops", component: MaxLoopsEntry, isEdited: isTextFieldEntryEdited }]));
  }
  return groups;
}

function JiebangPropertiesProvider(propertiesPanel) {
  propertiesPanel.registerProvider(400, this);
}
JiebangPropertiesProvider.$inject = ["propertiesPanel"];

JiebangPropertiesProvider.prototype.getGroups = function (element) {
  return function (groups) {
    // Our groups right after "General"; the base provider's timer and message groups are replaced (its multi-instance group keeps cardinality and completion condition).
    const replaced = new Set(["timer", "message"]);
    const kept = groups.filter((g) => !replaced.has(g.id));
    const at = Math.max(kept.findIndex((g) => g.id === "general") + 1, 0);
    kept.splice(at, 0, ...groupsFor(element));
    return kept;
  };
};

export default {
  __init__: ["jiebangPropertiesProvider"],
  jiebangPropertiesProvider: ["type", JiebangPropertiesProvider],
};
