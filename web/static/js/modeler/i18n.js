// Texts of the modeler's properties panel and lint, in the page's language (<html lang>): Chinese in the
// Chinese UI, English in the English UI.
export function isZh() {
  return (document.documentElement.lang || "zh").toLowerCase().startsWith("zh");
}

const TEXTS = {
  "group.jiebang": ["流程属性", "Process properties"],
  "group.form": ["表单", "Form"],
  "group.lane": ["泳道角色", "Lane role"],
  "group.condition": ["条件", "Condition"],
  "group.script": ["脚本", "Script"],
  "group.timer": ["定时器", "Timer"],
  "group.multi": ["多实例集合", "Multi-instance collection"],
  "group.message": ["消息", "Message"],
  "group.call": ["调用流程", "Called process"],
  "group.decision": ["决策表", "Decision table"],
  "group.loop": ["循环", "Loop"],
  "form.key": ["表单", "Form"],
  "form.none": ["（未选择表单）", "(no form)"],
  "form.missing": ["（不在部署包中）", "(not in the bundle)"],
  "form.hint": ["用户任务显示的表单（部署包中的 *.form.json）。", "The form the user task shows (a *.form.json of the bundle)."],
  "lane.role": ["角色", "Role"],
  "lane.none": ["（未指定角色）", "(no role)"],
  "lane.hint": ["泳道名称写成“显示名 (角色代码)”，办理人按此角色分派。", "The lane is named \"display name (role code)\"; tasks go to people holding this role."],
  "condition.expr": ["条件表达式", "Condition expression"],
  "condition.hint": ["Python 表达式，如 approval != 'approve'。网关的默认流不需要条件。", "A Python expression, e.g. approval != 'approve'. The gateway's default flow needs none."],
  "condition.default": ["默认流", "Default flow"],
  "condition.isDefault": ["这是网关的默认流", "This is the gateway's default flow"],
  "script.text": ["脚本", "Script"],
  "script.hint": ["保持简短：调用一个已测试的领域函数并赋值，如 publicity_end = window_end(publicity_start, publicity_length, publicity_unit)。", "Keep it short: call a tested domain function and assign, e.g. publicity_end = window_end(publicity_start, publicity_length, publicity_unit)."],
  "script.pre": ["前置脚本", "Pre-script"],
  "script.post": ["后置脚本", "Post-script"],
  "timer.kind": ["定时方式", "Timer kind"],
  "timer.timeDate": ["到某一时刻", "At a date/time"],
  "timer.timeDuration": ["经过一段时间", "After a duration"],
  "timer.timeCycle": ["周期", "Cycle"],
  "timer.expr": ["定时表达式", "Timer expression"],
  "timer.hint": ["填写流程变量或表达式，如 end_of_day(team['stage_due'])。按工作日计算的期限先在脚本任务中用 window_end(开始, 天数, \"working_days\") 算出（跳过节假日、计入调休），再在此引用该变量，如 publicity_end。", "A process variable or expression, e.g. end_of_day(team['stage_due']). Compute working-day deadlines in a script task with window_end(start, length, \"working_days\") (skips holidays, counts make-up days) and name that variable here, e.g. publicity_end."],
  "multi.collection": ["输入集合（流程变量）", "Input collection (process variable)"],
  "multi.item": ["每项的变量名", "Element variable"],
  "multi.output": ["输出集合（流程变量）", "Output collection (process variable)"],
  "multi.outputItem": ["每项结果的变量名", "Output element variable"],
  "multi.sequential": ["依次执行", "Sequential"],
  "multi.hint": ["对输入集合的每一项各执行一次；每项结果收集到输出集合。", "Runs once for each item of the input collection; each result is collected into the output collection."],
  "message.name": ["消息名称", "Message name"],
  "message.variable": ["接收变量", "Receiving variable"],
  "message.variableHint": ["收到的消息内容存入此流程变量（不填则内容丢失）。", "The received payload is stored in this process variable (without it the payload is lost)."],
  "message.payload": ["发送内容（表达式）", "Payload (expression)"],
  "call.process": ["被调用流程", "Called process"],
  "call.hint": ["部署包中流程的编号。", "The id of a process in the bundle."],
  "decision.id": ["决策表编号", "Decision id"],
  "loop.max": ["最多循环次数 (maxLoops)", "Maximum loops (maxLoops)"],
  "loop.hint": ["网关回到前面的步骤时须声明，1–100。", "Required where a gateway loops back, 1–100."],
  "lint.userTaskForm": ["用户任务没有表单，请在属性面板中选择表单", "the user task has no form; choose one in the properties panel"],
  "lint.laneRole": ["泳道没有角色，请在属性面板中选择角色", "the lane has no role; choose one in the properties panel"],
  "lint.gatewayConditions": ["网关的出口缺少条件，请为每条出口设条件或指定默认流", "an outgoing flow of the gateway has no condition; give each a condition or mark a default flow"],
  "lint.multiInstance": ["多实例没有输入集合，请填写输入集合", "the multi-instance activity has no input collection; name one"],
  "lint.calledElement": ["调用活动没有指定被调用流程", "the call activity names no called process"],
  "lint.timer": ["定时器没有定时表达式", "the timer has no timer expression"],
  "lint.decision": ["业务规则任务没有指定决策表", "the business rule task names no decision table"],
};

/** bpmn-js, the properties panel and bpmn-js-bpmnlint texts (their English source → Chinese). */
const ZH = {
  "General": "常规",
  "Name": "名称",
  "ID": "编号",
  "Documentation": "说明",
  "Element documentation": "元素说明",
  "Process documentation": "流程说明",
  "Executable": "可执行",
  "Version tag": "版本标记",
  "Multi-instance": "多实例",
  "Loop cardinality": "循环次数",
  "Completion condition": "完成条件",
  "Message": "消息",
  "Global message reference": "全局消息引用",
  "Timer": "定时器",
  "Type": "类型",
  "Value": "值",
  "Date": "日期",
  "Duration": "时长",
  "Cycle": "周期",
  "<none>": "（无）",
  "Create new ...": "新建…",
  "Process": "流程",
  "Participant": "参与者",
  "Lane": "泳道",
  "Issues for child elements": "子元素的问题",
  "{errors} Errors, {warnings} Warnings": "{errors} 个错误，{warnings} 个警告",
  "No Issues": "没有问题",
  "Toggle linting overlays": "显示或隐藏检查结果",
  "Select a single element to edit its properties.": "请选择一个元素以编辑其属性。",
  "Multiple elements are selected. Select a single element to edit its properties.": "已选择多个元素。请只选择一个元素以编辑其属性。",
  "Activate the hand tool": "抓手工具",
  "Activate the lasso tool": "套索工具",
  "Activate the create/remove space tool": "创建/移除空间工具",
  "Activate the global connect tool": "连接工具",
  "Create start event": "创建开始事件",
  "Create end event": "创建结束事件",
  "Create intermediate/boundary event": "创建中间/边界事件",
  "Create gateway": "创建网关",
  "Create task": "创建任务",
  "Create data object reference": "创建数据对象引用",
  "Create data store reference": "创建数据存储引用",
  "Create expanded sub-process": "创建展开的子流程",
  "Create pool/participant": "创建池/参与者",
  "Create group": "创建分组",
  "Append task": "追加任务",
  "Append end event": "追加结束事件",
  "Append gateway": "追加网关",
  "Append intermediate/boundary event": "追加中间/边界事件",
  "Change element": "更改类型",
  "Delete": "删除",
  "Connect using sequence/message flow or association": "用顺序流/消息流或关联连接",
  "Connect to other element": "连接到其他元素",
  "Add text annotation": "添加文字注释",
  "Add lane above": "在上方添加泳道",
  "Add lane below": "在下方添加泳道",
  "Divide into two lanes": "拆分为两条泳道",
  "Divide into three lanes": "拆分为三条泳道",
};

export function text(key) {
  const pair = TEXTS[key];
  if (!pair) return key;
  return isZh() ? pair[0] : pair[1];
}

/** The bpmn-js ``translate`` service: Chinese in the Chinese UI, the libraries' English otherwise. */
export function translate(template, replacements) {
  const source = isZh() ? ZH[template] || template : template;
  const values = replacements || {};
  return source.replace(/{([^}]+)}/g, (_, key) => (key in values ? values[key] : `{${key}}`));
}

export const translateModule = { translate: ["value", translate] };

/** An element's name (its Chinese name in our diagrams), else its id. */
export function elementName(bo) {
  return (bo && (bo.name || "").trim()) || (bo && bo.id) || "";
}
