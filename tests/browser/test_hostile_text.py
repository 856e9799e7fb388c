"""Real Chromium: hostile text filed through every public and staff input reaches every page that shows it, for
each role that opens it, as plain visible text. A test fails on any dialog (a script ran), any Content-Security-
Policy violation (the page tried to run or load something the policy forbids: an injected handler or inline
script is blocked, and reported), any page error, an element created from the text (``<img src=x>``, a
``javascript:`` link, a script holding the text) or the text not appearing where it belongs.

Inputs: the portal's objection (name, contact, text; also re-shown after a validation error), a need's fields
and its attachment's file name in the issuer's task form, a solver's online application and its solution
document's file name, and a BPMN process / manual task (name, documentation, instructions) with a DMN table
(decision name, input label, rule annotation, output) and a deployment note, deployed through the modeler page:
the XML is put into the modeler with its page API (``jbModeler.importText``, as a user's file import does) and
validated and deployed with the page's buttons.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import instances, tasks, timers
from engine.lint import role_of_lane
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from tests.browser.conftest import visible
from web.uploads import clean_name

pytestmark = pytest.mark.browser

SCRIPT = "<script>alert(1)</script>"
ATTR = '"><img src=x onerror=alert(1)>'
CLOSE = "</script><script>alert(2)</script>"
JS_URL = "javascript:alert(3)"
NEED_FILE = f"需求申报书{ATTR}.pdf"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _instance_id(session: Session, key: str) -> int:
    return session.scalars(select(ProcessInstance.id).where(ProcessInstance.business_key == key)).one()


def _open_task(session: Session, instance_id: int, spec: str) -> int:
    session.rollback()
    return session.scalars(
        select(HumanTask.id).where(
            HumanTask.instance_id == instance_id, HumanTask.task_spec == spec, HumanTask.status == "ready"
        )
    ).one()


def _diagram(selector: str = "#diagram") -> str:
    return f"{selector}[data-import=ok]"


def test_hostile_objection_is_text_for_the_public_the_bureau_and_the_supervisor(
    roles: Any, people: None, db_session: Session
) -> None:
    key = "DEMO-URUMQI-001"
    iid = _instance_id(db_session, key)
    name, contact, text = f"王五 {ATTR}", f"{JS_URL} {SCRIPT}", f"异议 {CLOSE} {ATTR} {SCRIPT}"

    public = roles(None)
    public.open(f"/portal/notices/{key}")
    public.page.fill("#o-name", name)
    public.page.fill("#o-contact", contact)
    public.page.click("#objection button[type=submit]")  # no text: refused, the input is shown again
    public.page.wait_for_selector("#o-text-error")
    assert public.page.input_value("#o-name") == name and public.page.input_value("#o-contact") == contact
    public.check(shot="hostile-portal-objection-error")
    public.page.fill("#o-text", text)
    public.page.click("#objection button[type=submit]")
    public.page.wait_for_selector("[data-receipt]")
    public.check()

    bureau = roles("bureau_urumqi")
    bureau.open(f"/instances/{iid}", name, contact, text, shot="hostile-instance-objection")
    bureau.open(f"/tasks/{_open_task(db_session, iid, 'handle_objection')}", text)
    bureau.open(f"/monitor/instances/{iid}", name, contact, text, wait_for=_diagram(), expand=True)
    supervisor = roles("supervisor")
    supervisor.open(
        f"/monitor/instances/{iid}",
        text,
        wait_for=_diagram(),
        shot="hostile-monitor-instance-objection",
        expand=True,
    )
    supervisor.open("/monitor/", key)


def _fill_need(page: Any, fields: dict[str, str]) -> None:
    for field, value in fields.items():
        page.fill(f"[name={field}]", value)
    page.select_option("select[name=category]", "breakthrough")
    page.select_option("select[name=scope]", "public")
    page.fill("[name=deadline]", "2028-12-31")
    page.fill("[name=need_total_fen]", "8,000,000")
    for box in ("issuer_end_user", "pledge_unit", "pledge_leader"):
        page.check(f"input[name={box}]")
    page.set_input_files(
        "input[name=application_form]",
        files=[{"name": NEED_FILE, "mimeType": "application/pdf", "buffer": PDF}],
    )
    for audit in ("audit_prev", "audit_last"):  # required of a breakthrough need
        page.set_input_files(
            f"input[name={audit}]",
            files=[{"name": f"{audit}.pdf", "mimeType": "application/pdf", "buffer": PDF}],
        )


def test_hostile_need_application_and_file_names_are_text_for_every_role(
    roles: Any, people: None, db_session: Session, sim: Any
) -> None:
    # an issuer files a need with hostile fields and a hostile attachment name in the task form
    need_key = "KARAMAY-2026-001"  # Karamay's policy sets no call deadline, so the need is accepted
    need_iid = _instance_id(db_session, need_key)
    post_need = _open_task(db_session, need_iid, "post_need")
    fields = {
        "need_title": f"需求 {ATTR}",
        "problem": f"问题 {SCRIPT}",
        "indicators": f"指标 {CLOSE}",
        "ip_terms": JS_URL,
        "solver_conditions": f"条件 {ATTR} {CLOSE}",
    }
    issuer = roles("issuer_karamay")
    issuer.open(f"/tasks/{post_need}")
    if issuer.page.locator(".task-meta button", has_text="认领").count():
        issuer.page.click(".task-meta button:has-text('认领')")
        issuer.page.wait_for_load_state("networkidle")
    _fill_need(issuer.page, fields)
    issuer.page.click("button[name=action][value=submit]")
    issuer.page.wait_for_url(re.compile(r".*/tasks(\?.*)?$"))
    issuer.check()
    db_session.rollback()
    assert db_session.get(HumanTask, post_need).status == "completed", "the need was not accepted"
    (review,) = tasks.list_tasks(db_session, instance_id=need_iid)
    assert review.task_spec == "need_review", instances.describe(db_session, need_iid)["data"].get(
        "need_refusals"
    )

    reviewer = roles(f"{role_of_lane(review.lane)}_karamay")
    reviewer.open(
        f"/tasks/{review.id}",
        fields["need_title"],
        fields["problem"],
        fields["indicators"],
        shot="hostile-need-review-task",
    )
    file_name = clean_name(NEED_FILE)
    bureau = roles("bureau_karamay")
    bureau.open(f"/instances/{need_iid}", *fields.values(), file_name)
    bureau.open(
        f"/monitor/instances/{need_iid}", *fields.values(), file_name, wait_for=_diagram(), expand=True
    )
    issuer.open(f"/instances/{need_iid}", *fields.values(), file_name)
    roles("supervisor").open(
        f"/monitor/instances/{need_iid}", *fields.values(), wait_for=_diagram(), expand=True
    )

    # a solver applies online with a hostile plan and a hostile solution-document name
    challenge_key = "DAZU-2026-002"
    challenge_iid = _instance_id(db_session, challenge_key)
    plan, raw_doc_name = f"方案 {CLOSE} {ATTR}", f"方案书<svg onload=alert(4)>{ATTR}.pdf"
    doc_name = clean_name(raw_doc_name)  # what the system keeps of a file's name
    assert doc_name.startswith("方案书")
    solver = roles("solver_dazu")
    solver.open(f"/portal/challenges/{challenge_key}/apply")
    solver.page.select_option("[name=members]", ["DAZU-P1", "DAZU-P2"])
    solver.page.fill("[name=plan]", plan)
    solver.page.fill("[name=budget_fen]", "1,000,000")
    solver.page.set_input_files(
        "input[name=plan_file]", files=[{"name": raw_doc_name, "mimeType": "application/pdf", "buffer": PDF}]
    )
    solver.page.check("input[name=pledge]")
    solver.page.click("main form button.primary")
    solver.page.wait_for_load_state("networkidle")
    assert re.search(r"/portal/?$", solver.page.url), solver.page.inner_text("main")
    solver.check()

    bureau_dazu = roles("bureau_dazu")
    bureau_dazu.open(f"/instances/{challenge_iid}", plan, doc_name, shot="hostile-instance-application")
    bureau_dazu.open(f"/monitor/instances/{challenge_iid}", plan, doc_name, wait_for=_diagram(), expand=True)

    # the window closes: the bureau's task lists the application
    sim.set((sim.now() + timedelta(days=31)).isoformat())
    timers.sweep(db_session)
    db_session.commit()
    bureau_dazu.open(
        f"/tasks/{_open_task(db_session, challenge_iid, 'collect_applications')}",
        plan,
        doc_name,
        shot="hostile-applications-task",
    )
    roles("supervisor").open(f"/monitor/instances/{challenge_iid}", plan, wait_for=_diagram(), expand=True)


PROCESS_NAME = f"流程 {ATTR}"
TASK_NAME = f"确认{CLOSE}"
DOCUMENTATION = f"说明 {SCRIPT} {ATTR}"
INSTRUCTIONS = f"办理须知 {CLOSE} {JS_URL}"
DECISION_NAME = f"决策{CLOSE}"
INPUT_LABEL = f"输入{ATTR}"
ANNOTATION = f"注释 {SCRIPT}"
NOTE = f"部署说明 {ATTR} {CLOSE}"


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


HOSTILE_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="Definitions_xss" targetNamespace="http://jiebang.example/bpmn">
  <bpmn:collaboration id="Collaboration_xss">
    <bpmn:participant id="Participant_xss" name="{_xml(PROCESS_NAME)}" processRef="xss_demo"/>
  </bpmn:collaboration>
  <bpmn:process id="xss_demo" name="{_xml(PROCESS_NAME)}" isExecutable="true">
    <bpmn:documentation>{_xml(DOCUMENTATION)}</bpmn:documentation>
    <bpmn:laneSet id="LaneSet_xss">
      <bpmn:lane id="Lane_bureau" name="科技局 (bureau)">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>confirm</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="开始"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:manualTask id="confirm" name="{_xml(TASK_NAME)}">
      <bpmn:documentation>{_xml(DOCUMENTATION)}</bpmn:documentation>
      <bpmn:extensionElements>
        <spiffworkflow:instructionsForEndUser>{_xml(INSTRUCTIONS)}</spiffworkflow:instructionsForEndUser>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:manualTask>
    <bpmn:endEvent id="end" name="结束"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="confirm"/>
    <bpmn:sequenceFlow id="f2" sourceRef="confirm" targetRef="end"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_xss">
    <bpmndi:BPMNPlane id="Plane_xss" bpmnElement="Collaboration_xss">
      <bpmndi:BPMNShape id="Participant_xss_di" bpmnElement="Participant_xss" isHorizontal="true">
        <dc:Bounds x="100" y="60" width="700" height="220"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_bureau_di" bpmnElement="Lane_bureau" isHorizontal="true">
        <dc:Bounds x="130" y="60" width="670" height="220"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="200" y="152" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="confirm_di" bpmnElement="confirm"><dc:Bounds x="320" y="110" width="220" height="120"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="640" y="152" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="236" y="170"/><di:waypoint x="320" y="170"/>
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="540" y="170"/><di:waypoint x="640" y="170"/>
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""

HOSTILE_DMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="Definitions_xss_rule"
  name="{_xml(DECISION_NAME)}" namespace="http://jiebang.example/dmn">
  <decision id="xss_rule" name="{_xml(DECISION_NAME)}">
    <description>{_xml(DOCUMENTATION)}</description>
    <decisionTable id="Table_xss_rule" hitPolicy="UNIQUE">
      <input id="in_0" label="{_xml(INPUT_LABEL)}">
        <inputExpression id="in_0_expr"><text>cause</text></inputExpression>
      </input>
      <output id="out_0" label="result" name="result"/>
      <rule id="rule_0">
        <description>{_xml(ANNOTATION)}</description>
        <inputEntry id="rule_0_in_0"><text>'a'</text></inputEntry>
        <outputEntry id="rule_0_out_0"><text>{_xml(repr(CLOSE))}</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""


def test_hostile_diagram_names_deployed_through_the_modeler_are_text_everywhere(
    roles: Any, people: None, db_session: Session
) -> None:
    owner = roles("owner")
    owner.open("/modeler/new", wait_for=_diagram("#canvas-bpmn"))
    page = owner.page
    page.evaluate("([n, x]) => jbModeler.importText(n, x)", ["xss_rule.dmn", HOSTILE_DMN])
    page.wait_for_selector(_diagram("#canvas-dmn"), state="attached")
    owner.check(DECISION_NAME, INPUT_LABEL, ANNOTATION, shot="hostile-modeler-dmn")
    page.evaluate("([n, x]) => jbModeler.importText(n, x)", ["xss_demo.bpmn", HOSTILE_BPMN])
    assert page.get_attribute("#canvas-bpmn", "data-import") == "ok"  # importText resolves after the import
    page.click("#btn-validate")
    page.wait_for_selector("body[data-validated]", state="attached")
    assert page.get_attribute("body", "data-validated") == "ok", page.inner_text("#problems-box")
    page.fill("#deploy-note", NOTE)
    page.click("#btn-deploy")
    page.wait_for_selector("body[data-deployed]", state="attached")
    assert page.get_attribute("body", "data-deployed") == "ok", page.inner_text("#result")
    owner.check(TASK_NAME, PROCESS_NAME)

    inst = instances.start_instance(
        db_session,
        "xss_demo",
        business_key="XSS-2026-001",
        data={"jurisdiction": "urumqi", "title": f"标题 {ATTR}"},
        actor="bureau_urumqi",
    )
    db_session.commit()
    task_id = _open_task(db_session, inst.id, "confirm")

    owner.open("/modeler/", PROCESS_NAME, NOTE, shot="hostile-modeler-index")
    owner.page.click("a.open-version[data-process=xss_demo]")
    owner.page.wait_for_selector(_diagram("#canvas-bpmn"), state="attached")
    owner.check(TASK_NAME, shot="hostile-modeler-bpmn")
    owner.page.select_option("#file-select", "xss_rule.dmn")  # the modeler's grouped file list
    owner.page.wait_for_selector(_diagram("#canvas-dmn"), state="attached")
    owner.check(DECISION_NAME, INPUT_LABEL, ANNOTATION)

    bureau = roles("bureau_urumqi")
    bureau.open("/tasks", TASK_NAME)
    bureau.open(f"/tasks/{task_id}", TASK_NAME, INSTRUCTIONS, shot="hostile-task-from-diagram")
    bureau.open(f"/instances/{inst.id}", f"标题 {ATTR}", TASK_NAME)
    bureau.open(f"/monitor/instances/{inst.id}", TASK_NAME, f"标题 {ATTR}", wait_for=_diagram())
    supervisor = roles("supervisor")
    supervisor.open("/monitor/", f"标题 {ATTR}")
    supervisor.open(
        f"/monitor/instances/{inst.id}", TASK_NAME, wait_for=_diagram(), shot="hostile-monitor-diagram"
    )
    diagram_text = supervisor.page.text_content("#diagram") or ""
    assert visible(TASK_NAME, diagram_text), "the task's name is not drawn in the diagram"
