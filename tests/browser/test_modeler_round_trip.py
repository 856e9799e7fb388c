"""Real Chromium: every shipped diagram survives the modeler. Opened in /modeler, saved unchanged with bpmn-js's
``saveXML`` and deployed, each diagram keeps its whole semantic content (process elements, attributes, extension
elements, conditions, scripts, timers, messages, multi-instance collections) and each process its parsed spec;
a main diagram with a renamed task deploys."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bundle import BundleFile, collect_paths
from engine.deploy import deploy_bundle
from engine.models.deployment import ProcessVersion
from tests.browser.conftest import ROOT, sign_in

pytestmark = pytest.mark.browser

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DI_NAMESPACES = (
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
)


def _is_model(element: Any) -> bool:
    return isinstance(element.tag, str) and not element.tag.startswith(
        tuple("{" + ns for ns in DI_NAMESPACES)
    )


def _name(qualified: str) -> str:
    """A tag or attribute name, with its namespace unless it is BPMN's model namespace (or none)."""
    name = etree.QName(qualified)
    return name.localname if name.namespace in (None, MODEL) else f"{{{name.namespace}}}{name.localname}"


def _facts(element: etree._Element, path: str = "") -> set[str]:
    """What an element says, one line per fact: its tag and attributes, its text, and the same for every
    descendant without an id of its own (those are compared on their own). Layout (BPMNDI) and formatting
    whitespace are left out; the order of siblings does not matter."""
    here = f"{path}/{_name(element.tag)}"
    attrs = " ".join(f"{_name(k)}={v!r}" for k, v in sorted(element.attrib.items()))
    facts = {f"{here}[{attrs}]"}
    if (element.text or "").strip():
        facts.add(f"{here} text={element.text.strip()!r}")
    for child in element:
        if not _is_model(child):
            continue
        if child.get("id"):
            facts.add(f"{here} has #{child.get('id')}")
        else:
            facts |= _facts(child, here)
    return facts


def _elements(xml: bytes) -> dict[str, set[str]]:
    """The facts of every model element of a diagram, by id."""
    root = etree.fromstring(xml)
    return {el.get("id"): _facts(el) for el in root.iter() if _is_model(el) and el.get("id")}


def _differences(original: bytes, saved: bytes) -> list[str]:
    before, after = _elements(original), _elements(saved)
    found = [f"lost element #{key}" for key in sorted(before.keys() - after.keys())]
    found += [f"added element #{key}" for key in sorted(after.keys() - before.keys())]
    for key in sorted(before.keys() & after.keys()):
        found += [f"#{key} lost {fact}" for fact in sorted(before[key] - after[key])]
        found += [f"#{key} added {fact}" for fact in sorted(after[key] - before[key])]
    return found


def _shipped_bundle() -> list[BundleFile]:
    return collect_paths([ROOT / "bpmn", ROOT / "forms" / "definitions"])


def _saved_in_modeler(
    page: Any, live_app: str, deployment: int, names: list[str], lint: dict[str, Any] | None = None
) -> dict[str, bytes]:
    """Each diagram opened and saved unchanged; ``lint`` collects what lint while drawing finds in it."""
    page.goto(f"{live_app}/modeler/deployments/{deployment}")
    page.wait_for_function("() => window.jbModeler && jbModeler.current()")
    saved: dict[str, bytes] = {}
    for name in names:
        page.evaluate("n => jbModeler.open(n)", name)
        assert page.evaluate("jbModeler.current()") == name
        assert page.get_attribute("#canvas-bpmn", "data-import") == "ok", (
            name,
            page.get_attribute("#canvas-bpmn", "data-error"),
        )
        if lint is not None:
            issues = page.evaluate("jbModeler.bpmn.get('linting').lint()")
            if issues:
                lint[name] = issues
        saved[name] = page.evaluate("jbModeler.getXML()").encode("utf-8")
    return saved


def _spec_json(session: Session, deployment: int) -> dict[str, dict[str, Any]]:
    rows = session.scalars(select(ProcessVersion).where(ProcessVersion.deployment_id == deployment))
    return {pv.process_key: json.loads(pv.spec_json) for pv in rows}


def test_every_shipped_diagram_survives_open_save_deploy_unchanged(
    page: Any, live_app: str, demo_data: Any, db_session: Session
) -> None:
    sign_in(page, live_app, "owner", "/modeler/")
    shipped = _shipped_bundle()
    diagrams = sorted(f.name for f in shipped if f.kind == "bpmn")
    assert len(diagrams) >= 14
    original_deployment = db_session.scalar(
        select(ProcessVersion.deployment_id).where(ProcessVersion.process_key == "dazu_challenge")
    )
    lint: dict[str, Any] = {}
    saved = _saved_in_modeler(page, live_app, original_deployment, diagrams, lint)
    # the shipped diagrams deploy, so lint while drawing (the same checks) finds nothing in them
    assert not lint, json.dumps(lint, ensure_ascii=False, indent=1)[:3000]

    by_name = {f.name: f for f in shipped}
    problems = {name: _differences(by_name[name].content, xml) for name, xml in saved.items()}
    problems = {name: found for name, found in problems.items() if found}
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)

    # deploy the exported XML: every process gets a new version whose parsed spec equals the shipped one
    exported = [BundleFile(f.name, saved.get(f.name, f.content)) for f in shipped]
    result = deploy_bundle(db_session, exported, deployed_by="owner", note="modeler round trip")
    assert all(p.created for p in result.processes), (
        "the exported bytes are new, so each process is re-versioned"
    )
    before = _spec_json(db_session, original_deployment)
    after = _spec_json(db_session, result.deployment_id)
    assert set(after) == set(before)
    changed = sorted(key for key in before if before[key] != after[key])
    assert not changed, f"parsed spec changed by the modeler round trip: {changed}"
    assert not page.js_errors, page.js_errors


def test_renaming_a_task_in_a_main_diagram_deploys(
    page: Any, live_app: str, demo_data: Any, db_session: Session
) -> None:
    sign_in(page, live_app, "owner", "/modeler/")
    pv = db_session.scalar(
        select(ProcessVersion).where(
            ProcessVersion.process_key == "dazu_applications", ProcessVersion.version == 1
        )
    )
    assert pv is not None
    page.goto(f"{live_app}/modeler/versions/{pv.id}")
    page.wait_for_selector("#canvas-bpmn[data-import=ok]", state="attached")
    assert page.evaluate("jbModeler.current()") == "bpmn/dazu/stages/dazu_applications.bpmn"
    # the modeler knows our extension elements as typed values (what a properties panel edits)
    typed = page.evaluate(
        """() => {
            const registry = jbModeler.bpmn.get('elementRegistry');
            const props = registry.get('collect_applications').businessObject.extensionElements.values
                .filter(v => v.$type === 'spiffworkflow:Properties')
                .flatMap(p => p.values.map(v => [v.$type, v.name, v.value]));
            const definition = registry.get('application_in').businessObject.eventDefinitions[0];
            const variable = definition.extensionElements.values.map(v => [v.$type, v.variable]);
            return { props, variable };
        }"""
    )
    assert typed == {
        "props": [
            ["spiffworkflow:Property", "formKey", "applications_form"],
        ],
        "variable": [["spiffworkflow:MessageVariable", "application_received"]],
    }, typed
    page.evaluate(
        """() => { const m = jbModeler.bpmn; const el = m.get('elementRegistry').get('eligibility');
                   m.get('modeling').updateLabel(el, '资格审查（修订）'); }"""
    )
    page.fill("#deploy-note", "重命名资格审查 rename the eligibility check")
    page.click("#btn-deploy")
    page.wait_for_selector("body[data-deployed]", state="attached")
    assert page.get_attribute("body", "data-deployed") == "ok", page.inner_text("#result")
    assert "大足·揭榜与资格审查 v2" in page.inner_text("#result")
    db_session.rollback()  # end the read snapshot: the page deployed through the app
    new = db_session.scalar(
        select(ProcessVersion).where(
            ProcessVersion.process_key == "dazu_applications", ProcessVersion.version == 2
        )
    )
    assert new is not None
    specs = json.loads(new.spec_json)["spec"]["task_specs"]
    assert specs["eligibility [child]"]["bpmn_name"] == "资格审查（修订）"
    # the multi-instance collections the engine reads are still there
    assert specs["eligibility"]["data_input"]["bpmn_id"] == "applications"
    assert specs["eligibility"]["data_output"]["bpmn_id"] == "eligibility_results"
    assert not page.js_errors, page.js_errors


def test_semantic_comparison_sees_a_lost_collection() -> None:
    """The comparison the round-trip test relies on reports a dropped multi-instance collection."""
    original = (ROOT / "bpmn" / "dazu" / "stages" / "dazu_applications.bpmn").read_bytes()
    dropped = original.replace(b"<bpmn:loopDataInputRef>applications</bpmn:loopDataInputRef>", b"", 1)
    assert dropped != original
    assert any("eligibility" in d for d in _differences(original, dropped))
    assert not _differences(original, original)


def _panel_edit(page: Any, element: str, entry: str, value: str | bool) -> None:
    """Select ``element`` on the canvas and set the properties panel's ``entry`` (as a person types)."""
    page.evaluate(
        """id => { const m = jbModeler.bpmn; const el = m.get('elementRegistry').get(id);
                   m.get('canvas').scrollToElement(el); m.get('selection').select(el); }""",
        element,
    )
    selector = f"#bio-properties-panel-{entry}"
    page.wait_for_selector(selector)
    tag = page.eval_on_selector(selector, "e => e.tagName + ':' + (e.type || '')")
    if tag.startswith("SELECT"):
        page.select_option(selector, str(value))
    elif tag == "INPUT:checkbox":
        page.set_checked(selector, bool(value))
    else:
        page.fill(selector, str(value))
        page.press(selector, "Tab")  # leave the field: the panel writes it without waiting for its debounce


def _properties(xml: bytes, element: str) -> dict[str, str]:
    root = etree.fromstring(xml)
    found = root.find(f".//*[@id='{element}']")
    assert found is not None, element
    spiff = "http://spiffworkflow.org/bpmn/schema/1.0/core"
    return {p.get("name"): p.get("value") for p in found.iter(f"{{{spiff}}}property")}


def test_what_the_properties_panel_edits_reaches_the_deployed_spec(
    page: Any, live_app: str, demo_data: Any, db_session: Session
) -> None:
    """Each kind of property the panel edits (form, lane role, condition and default flow, script, timer,
    multi-instance collection, message variable and correlation, called process, decision table, maxLoops, start roles), changed in the
    panel, saved and deployed, is what the engine parses."""
    sign_in(page, live_app, "owner", "/modeler/")
    pv = db_session.scalar(
        select(ProcessVersion).where(ProcessVersion.process_key == "dazu_needs", ProcessVersion.version == 1)
    )
    assert pv is not None
    page.goto(f"{live_app}/modeler/versions/{pv.id}")
    page.wait_for_selector("#canvas-bpmn[data-import=ok]", state="attached")
    page.wait_for_selector(".bio-properties-panel-container", state="attached")

    # Dazu's stages: needs and list, applications, race; then the top-level lifecycle
    _panel_edit(page, "post_need", "jb-formKey", "need_review")
    _panel_edit(page, "Lane_issuer", "jb-laneRole", "third_party")
    _panel_edit(page, "f_need_ok__end_refused", "jb-condition", "len(need_refusals) > 1")
    _panel_edit(page, "check_need", "jb-script", "need_refusals = []\nneed_checked = True")
    xml = page.evaluate("jbModeler.getXML()").encode("utf-8")
    assert _properties(xml, "post_need") == {"formKey": "need_review", "candidateOrganisation": "issuer_code"}
    page.evaluate("n => jbModeler.open(n)", "bpmn/dazu/stages/dazu_applications.bpmn")
    _panel_edit(page, "window_closes", "jb-timer", "end_of_day(application_end)")
    _panel_edit(page, "eligibility", "jb-collection", "applications_checked")
    _panel_edit(page, "eligibility", "jb-output", "eligibility_checks")
    _panel_edit(page, "eligibility", "jb-item", "candidate")
    _panel_edit(page, "eligibility", "jb-decision", "eligibility_karamay")
    _panel_edit(page, "application_in", "jb-messageVariable", "application_payload")
    _panel_edit(page, "application_in", "jb-correlationKey", "project_id")
    _panel_edit(page, "application_in", "jb-correlationExpr", "project['id']")
    page.evaluate("n => jbModeler.open(n)", "bpmn/dazu/stages/dazu_race.bpmn")
    _panel_edit(page, "race", "jb-called", "expert_review")
    _panel_edit(page, "race_again", "jb-maxLoops", "12")
    xml = page.evaluate("jbModeler.getXML()").encode("utf-8")
    assert _properties(xml, "race_again") == {"maxLoops": "12"}
    page.evaluate("n => jbModeler.open(n)", "bpmn/dazu/dazu_challenge.bpmn")
    _panel_edit(page, "start", "jb-startRoles", "bureau, issuer")

    page.fill("#deploy-note", "properties panel round trip")
    page.click("#btn-deploy")
    page.wait_for_selector("body[data-deployed]", state="attached")
    assert page.get_attribute("body", "data-deployed") == "ok", page.inner_text("#result")
    db_session.rollback()

    def new_specs(process: str) -> dict[str, Any]:
        found = db_session.scalar(
            select(ProcessVersion).where(ProcessVersion.process_key == process, ProcessVersion.version == 2)
        )
        assert found is not None, process
        return json.loads(found.spec_json)["spec"]["task_specs"]

    specs = new_specs("dazu_needs")
    assert specs["post_need"]["extensions"]["properties"]["formKey"] == "need_review"
    assert specs["post_need"]["lane"] == "发榜方 (third_party)"
    conditions = [c["condition"] for c in specs["need_ok"]["cond_task_specs"]]
    assert "len(need_refusals) > 1" in conditions, conditions
    assert specs["check_need"]["script"] == "need_refusals = []\nneed_checked = True"
    assert new_specs("dazu_challenge")["start"]["extensions"]["properties"]["startRoles"] == "bureau,issuer"
    specs = new_specs("dazu_race")
    assert specs["race [child]"]["spec"] == "expert_review"
    specs = new_specs("dazu_applications")
    assert specs["eligibility"]["data_input"]["bpmn_id"] == "applications_checked"
    assert specs["eligibility"]["data_output"]["bpmn_id"] == "eligibility_checks"
    assert specs["eligibility"]["input_item"]["bpmn_id"] == "candidate"
    assert specs["eligibility [child]"]["extensions"]["calledDecisionId"] == "eligibility_karamay"
    assert specs["eligibility [child]"]["decision_table"]["id"] == "Table_eligibility_karamay"
    # the event-based gateway before the timer and the message catch holds both event definitions
    waits = {
        d["description"]: d for d in specs["application_window"]["event_definition"]["event_definitions"]
    }
    assert waits["Timer"]["expression"] == "end_of_day(application_end)", waits
    assert json.dumps(waits, ensure_ascii=False).count('"application_payload"') == 1, waits
    message = next(d for d in waits.values() if "application_payload" in json.dumps(d))
    assert "project_id" in json.dumps(message) and "project['id']" in json.dumps(message), message
    assert not page.js_errors, page.js_errors
