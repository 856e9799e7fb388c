// Lint while drawing: a bpmnlint rule set mirroring the deploy-time checks (engine/lint.py, engine/deploy.py),
// so a process owner sees a problem on the element while drawing instead of at deployment. Bundled for the
// browser by scripts/vendor-assets.mjs (esbuild) into web/static/vendor/jiebang-modeler/.
import { is, isAny } from "bpmn-js/lib/util/ModelUtil";
import { text, elementName, isZh } from "./i18n.js";

/** engine/lint.py ROLE_CODE / ROLE_IN_LANE: a lane is named by a role code, or a name ending in "(code)". */
const ROLE_CODE = /^[a-z][a-z0-9_]{1,31}$/;
const ROLE_IN_LANE = /[(（]\s*([a-z][a-z0-9_]{1,31})\s*[)）]\s*$/;

export function roleOfLane(name) {
  const lane = (name || "").trim();
  if (!lane) return null;
  if (ROLE_CODE.test(lane)) return lane;
  const found = ROLE_IN_LANE.exec(lane);
  return found ? found[1] : null;
}

/** The spiffworkflow:property values of an element's extensionElements, as {name: value}. */
export function spiffProperties(bo) {
  const out = {};
  const ext = bo && bo.get && bo.get("extensionElements");
  ((ext && ext.get("values")) || []).forEach((v) => {
    if (v.$type !== "spiffworkflow:Properties") return;
    (v.get("values") || []).forEach((p) => { if (p.name) out[p.name] = p.value; });
  });
  return out;
}

function report(reporter, node, key) {
  reporter.report(node.id, `${elementName(node)}：${text(key)}`);
}

function rule(check) {
  return () => ({ check });
}

function bodyOf(expr) {
  return expr && typeof expr.get === "function" ? (expr.get("body") || "").trim() : "";
}

/** What the bundle holds, when known (a deployment opened in the modeler): its form ids. */
export const bundle = { forms: null };

export function setBundleForms(ids) {
  bundle.forms = ids && ids.length ? new Set(ids) : null;
}

export const RULES = {
  // engine/lint.py _lint_user_task: every user task names its form
  "user-task-form": rule((node, reporter) => {
    if (!is(node, "bpmn:UserTask")) return;
    const key = spiffProperties(node).formKey;
    if (!key) report(reporter, node, "lint.userTaskForm");
    else if (bundle.forms && !bundle.forms.has(key)) {
      reporter.report(node.id, `${elementName(node)}：${text("lint.formMissing").replace("{form}", key)}`);
    }
  }),
  // engine/lint.py role_of_lane: every lane is named by a role code
  "lane-role": rule((node, reporter) => {
    if (is(node, "bpmn:Lane") && !roleOfLane(node.name)) report(reporter, node, "lint.laneRole");
  }),
  // a splitting exclusive/inclusive gateway: each outgoing flow has a condition or is the default
  "gateway-conditions": rule((node, reporter) => {
    if (!isAny(node, ["bpmn:ExclusiveGateway", "bpmn:InclusiveGateway"])) return;
    const outgoing = node.outgoing || [];
    if (outgoing.length < 2) return;
    const missing = outgoing.filter((flow) => flow !== node.default && !bodyOf(flow.conditionExpression));
    if (missing.length) report(reporter, node, "lint.gatewayConditions");
  }),
  // SpiffWorkflow needs a collection (loopDataInputRef) or a cardinality to run a multi-instance activity
  "multi-instance-collection": rule((node, reporter) => {
    if (!is(node, "bpmn:MultiInstanceLoopCharacteristics")) return;
    if (!node.loopDataInputRef && !bodyOf(node.loopCardinality)) {
      const owner = node.$parent || node;
      reporter.report(owner.id, `${elementName(owner)}：${text("lint.multiInstance")}`);
    }
  }),
  // engine/deploy.py: a call activity names the process it calls
  "call-activity-process": rule((node, reporter) => {
    if (is(node, "bpmn:CallActivity") && !(node.calledElement || "").trim()) report(reporter, node, "lint.calledElement");
  }),
  // engine/lint.py _timer_expressions: a timer has a date, duration or cycle expression
  "timer-definition": rule((node, reporter) => {
    if (!is(node, "bpmn:TimerEventDefinition")) return;
    if (!bodyOf(node.timeDate) && !bodyOf(node.timeDuration) && !bodyOf(node.timeCycle)) {
      const owner = node.$parent || node;
      reporter.report(owner.id, `${elementName(owner)}：${text("lint.timer")}`);
    }
  }),
  // engine/deploy.py: a business rule task names its decision table
  "decision-id": rule((node, reporter) => {
    if (!is(node, "bpmn:BusinessRuleTask")) return;
    const ext = node.get("extensionElements");
    const called = ((ext && ext.get("values")) || []).find((v) => v.$type === "spiffworkflow:CalledDecisionId");
    if (!called || !(called.decisionId || "").trim()) report(reporter, node, "lint.decision");
  }),
};

/** The server's checks of the drawing: set by the page (bpmn-ui.js), a function returning a Promise of the
 * problems [{element, message, message_zh}] the server finds in the diagram as it is now (POST /modeler/lint). */
export const server = { lint: null };

export function setServerLint(lint) {
  server.lint = typeof lint === "function" ? lint : null;
}

/** A rule whose problems the server finds, asked again on every lint (bpmn-js-bpmnlint makes a new Linter, so
 * resolves the rule anew, for each change; an answer for a diagram changed since is dropped by its update). */
function serverRule() {
  const asked = server.lint ? Promise.resolve().then(server.lint) : Promise.resolve([]);
  return asked.catch((err) => {
    console.warn("server lint:", err);  // the rule stays quiet; 校验 and 部署 still run every check
    return [];
  }).then((found) => {
    const byElement = new Map();
    (found || []).forEach((p) => {
      if (!p || !p.element) return;
      if (!byElement.has(p.element)) byElement.set(p.element, []);
      byElement.get(p.element).push((isZh() ? p.message_zh : p.message) || p.message || p.message_zh || "");
    });
    return rule((node, reporter) => {
      (byElement.get(node.id) || []).forEach((message) => reporter.report(node.id, message));
    });
  });
}

export const SERVER_RULES = {
  // engine/lint.py lane_problems: a node drawn in another lane than the embedded subprocess it is in runs in
  // the subprocess's lane. The server's check and words are the deployment's own: one source of rule and text.
  "subprocess-lane": serverRule,
};

/** The bpmnlint configuration for bpmn-js-bpmnlint (``linting.bpmnlint``), with a resolver for our rules. */
export const lintConfig = {
  config: {
    rules: Object.fromEntries(
      [...Object.keys(RULES), ...Object.keys(SERVER_RULES)].map((name) => [`jiebang/${name}`, "error"]),
    ),
  },
  resolver: {
    resolveRule(_pkg, ruleName) {
      return SERVER_RULES[ruleName] ? SERVER_RULES[ruleName]() : RULES[ruleName];
    },
    resolveConfig() {
      return null;
    },
  },
};
