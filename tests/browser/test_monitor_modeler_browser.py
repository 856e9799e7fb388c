"""Real Chromium: a supervisor sees the highlighted diagram of a running instance (and drills into the called
process); a process owner validates and deploys a changed diagram in the modeler; every MIWG reference model
opens and draws in the viewer and the modeler, and a modeler round trip keeps every element id."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests.browser.conftest import SCREENSHOTS, copy_for_readme, screenshot, sign_in
from tests.conftest import MIWG

pytestmark = pytest.mark.browser


def _wait_import(page: Any, selector: str) -> dict[str, Any]:
    page.wait_for_selector(f"{selector}[data-import=ok], {selector}[data-import=error]", state="attached")
    return page.eval_on_selector(
        selector,
        "el => ({import: el.dataset.import, shapes: Number(el.dataset.shapes || 0), error: el.dataset.error || null,"
        " marked: el.dataset.marked ? JSON.parse(el.dataset.marked) : null, process: el.dataset.process || null})",
    )


def test_supervisor_sees_highlighted_running_instance(page: Any, live_app: str, demo_data: Any) -> None:
    sign_in(page, live_app, "supervisor", "/monitor/")
    page.goto(f"{live_app}/monitor/")
    # 4 publicity demos + 4 challenges at the start + 1 challenge open for online applications
    assert page.locator("table.jb-instances tbody tr").count() == 9
    copy_for_readme(screenshot(page, "monitor-list"), "monitor-list")

    page.click("text=DEMO-URUMQI-001")
    page.wait_for_selector("#diagram[data-marked]", state="attached")
    info = _wait_import(page, "#diagram")
    assert info["import"] == "ok" and info["shapes"] > 3, info
    assert info["marked"].get("completed") and (
        info["marked"].get("active") or info["marked"].get("waiting")
    ), info
    assert page.locator(".djs-element.jb-completed").count() >= 2
    assert page.locator("form button[name=op]").count() == 0  # read-only for a supervisor
    copy_for_readme(screenshot(page, "monitor-instance"), "monitor-instance")

    # drill down into the called publicity process (named, not its id): its timer is waiting, with its due time
    assert page.locator(".jb-badge-drill").inner_text() == "↘ 公示"
    page.click(".jb-badge-drill")
    page.wait_for_selector("#diagram[data-process=publicity][data-marked]", state="attached")
    assert page.inner_text("#diagram-crumbs") == "拟支持项目公示（演示） › 公示"
    info = _wait_import(page, "#diagram")
    assert info["import"] == "ok" and info["marked"].get("waiting"), info
    assert page.locator(".jb-badge-timer").count() >= 1
    screenshot(page, "monitor-instance-drilldown")
    assert not page.js_errors, page.js_errors


def test_supervisor_pages_forward_and_back_through_a_filtered_list(
    page: Any, live_app: str, demo_data: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The monitor pages by the edge of the page seen (keyset paging): the filter stays chosen on every page,
    each page shows the next instances of the filtered list, newest first, and 上一页 goes back to them."""
    monkeypatch.setattr("web.views.monitor.PAGE_SIZE", 1)
    sign_in(page, live_app, "supervisor", "/monitor/")
    page.goto(f"{live_app}/monitor/")
    page.select_option("select[name=process]", label="拟支持项目公示（演示）")
    page.select_option("select[name=status]", label="运行中")
    page.click("#monitor-filters button[type=submit]")

    def shown() -> tuple[list[str], str]:
        keys = page.locator("table.jb-instances tbody tr td:nth-child(2)").all_inner_texts()
        return keys, page.inner_text("nav.jb-pages span")

    # the four publicity demos, newest first, one a page; the challenges are filtered out
    assert shown() == (["DEMO-ZHANGYE-001"], "第 1 / 4 页")
    assert page.locator("nav.jb-pages a", has_text="上一页").count() == 0
    for expected in (["DEMO-KARAMAY-001"], ["DEMO-DAZU-001"], ["DEMO-URUMQI-001"]):
        page.click("nav.jb-pages a:has-text('下一页')")
        assert shown()[0] == expected
        assert page.input_value("select[name=process]") == "publicity_demo"  # the filter is kept
        assert page.input_value("select[name=status]") == "running"
    assert shown() == (["DEMO-URUMQI-001"], "第 4 / 4 页")
    assert page.locator("nav.jb-pages a", has_text="下一页").count() == 0
    screenshot(page, "monitor-filtered-last-page")
    page.click("nav.jb-pages a:has-text('上一页')")
    assert shown() == (["DEMO-DAZU-001"], "第 3 / 4 页")
    page.click("nav.jb-pages a:has-text('上一页')")
    page.click("nav.jb-pages a:has-text('上一页')")
    assert shown() == (["DEMO-ZHANGYE-001"], "第 1 / 4 页")
    assert page.locator("nav.jb-pages a", has_text="上一页").count() == 0
    assert page.input_value("select[name=process]") == "publicity_demo"
    assert not page.js_errors, page.js_errors


def test_process_owner_validates_and_deploys_changed_diagram(
    page: Any, live_app: str, demo_data: Any
) -> None:
    sign_in(page, live_app, "owner", "/modeler/")
    page.goto(f"{live_app}/modeler/")
    screenshot(page, "modeler-history")
    page.click("a.open-version[data-process=publicity_demo][data-version='1']")
    info = _wait_import(page, "#canvas-bpmn")
    assert info["import"] == "ok" and info["shapes"] > 3, info

    # a problem is reported on its element: the user task names a form that does not exist
    xml = page.evaluate("jbModeler.getXML()")
    name = page.evaluate("jbModeler.current()")
    bad = xml.replace('value="notice_prepare"', 'value="no_such_form"', 1)
    assert bad != xml
    page.evaluate("([n, x]) => jbModeler.importText(n, x)", [name, bad])
    page.click("#btn-validate")
    page.wait_for_selector("body[data-validated]", state="attached")
    problems = page.locator("#problems li").all_inner_texts()
    assert problems, "validation found nothing"
    page.wait_for_selector(".jb-problem-note[data-element=prepare_notice]")
    assert page.locator(".djs-element.jb-problem").count() >= 1
    copy_for_readme(screenshot(page, "modeler-problem"), "modeler-problem")
    page.evaluate("([n, x]) => jbModeler.importText(n, x)", [name, xml])

    # rename the call activity in the modeler, validate, deploy
    page.evaluate(
        """() => { const m = jbModeler.bpmn; const el = m.get('elementRegistry').get('publicise');
                   m.get('modeling').updateLabel(el, '公示（修订） Publicity (revised)'); }"""
    )
    page.click("#btn-validate")
    page.wait_for_selector("body[data-validated=ok]", state="attached")
    page.fill("#deploy-note", "重命名公示环节 rename the publicity step")
    page.click("#btn-deploy")
    page.wait_for_selector("body[data-deployed]", state="attached")
    assert page.get_attribute("body", "data-deployed") == "ok", page.inner_text("#result")
    assert "拟支持项目公示（演示） v2" in page.inner_text("#result")  # the process by its name
    assert page.locator('#deploy-new-versions [data-process="publicity_demo"]').count() == 1
    copy_for_readme(screenshot(page, "modeler-deployed"), "modeler-deployed")
    page.goto(f"{live_app}/modeler/")
    # the deployer is named by their account's name (owner: 流程负责人), not by the login
    deployed = page.locator("#deployments tr", has_text="重命名公示环节").inner_text()
    assert "流程负责人" in deployed and "拟支持项目公示（演示） v2" in deployed, deployed
    assert not page.js_errors, page.js_errors


MODEL_NS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _ids(xml: bytes | str, *, model_only: bool = True) -> set[str]:
    """Ids of the BPMN model elements (the process semantics); with model_only=False, DI ids as well."""
    root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    return {
        el.get("id")
        for el in root.iter()
        if isinstance(el.tag, str) and el.get("id") and (not model_only or el.tag.startswith(MODEL_NS))
    }


ZHANGYE_IMPLEMENTATION = "bpmn/zhangye/stages/zhangye_implementation.bpmn"
DI_NS = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC_NS = "{http://www.omg.org/spec/DD/20100524/DC}"


def _milestone_check_drawn_for_the_experts(xml: str) -> str:
    """Zhangye's implementation as it was drawn before: 里程碑考核 in an expert band above the bureau's,
    though it lies inside the subprocess 一轮实施 in the bureau lane (so the engine gave it to the bureau)."""
    root = etree.fromstring(xml.encode("utf-8"))
    bureau = root.find(f".//{MODEL_NS}lane[@id='Lane_bureau']")
    (ref,) = [r for r in bureau.iter(f"{MODEL_NS}flowNodeRef") if r.text == "milestone_check"]
    bureau.remove(ref)
    expert = etree.Element(f"{MODEL_NS}lane", id="Lane_expert", name="评审专家 (expert)")
    etree.SubElement(expert, f"{MODEL_NS}flowNodeRef").text = "milestone_check"
    bureau.addprevious(expert)
    band = root.find(f".//{DI_NS}BPMNShape[@bpmnElement='Lane_bureau']")
    bounds = band.find(f"{DC_NS}Bounds")
    top, height = float(bounds.get("y")), float(bounds.get("height"))
    bounds.set("y", str(top + 260))
    bounds.set("height", str(height - 260))
    shape = etree.Element(
        f"{DI_NS}BPMNShape", id="Lane_expert_di", bpmnElement="Lane_expert", isHorizontal="true"
    )
    etree.SubElement(
        shape, f"{DC_NS}Bounds", x=bounds.get("x"), y=str(top), width=bounds.get("width"), height="260"
    )
    band.addprevious(shape)
    return etree.tostring(root, encoding="unicode")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "zh",
            "任务“里程碑考核”画在“评审专家”泳道，但它在子流程“一轮实施”内，引擎按子流程所在的“科技局”泳道分派。"
            "请把它移到“科技局”泳道，或把子流程改为调用活动（callActivity）。",
        ),
        (
            "en",
            'Task "Milestone check" is drawn in the lane "Expert", but it is inside the subprocess '
            '"One implementation round", so the engine assigns it by the subprocess\'s lane "Science bureau". '
            'Move it to the "Science bureau" lane, or make the subprocess a call activity (callActivity).',
        ),
    ],
)
def test_process_owner_is_told_a_task_drawn_in_another_lane_inside_a_subprocess_is_refused(
    page: Any, live_app: str, demo_data: Any, lang: str, expected: str
) -> None:
    """The owner imports Zhangye's implementation drawn as it was (the milestone check in the expert band,
    inside the bureau's round): validating names the task, both lanes and the subprocess and says what to
    do, on the task and in the list; deploying is refused."""
    sign_in(page, live_app, "owner", "/modeler/")
    if lang == "en":
        page.click("header form button[lang=en]")
        page.wait_for_load_state("networkidle")
    page.goto(f"{live_app}/modeler/")
    page.click("a.open-version[data-process=zhangye_implementation][data-version='1']")
    assert _wait_import(page, "#canvas-bpmn")["import"] == "ok"
    page.evaluate("n => jbModeler.open(n)", ZHANGYE_IMPLEMENTATION)
    xml = page.evaluate("jbModeler.getXML()")
    page.evaluate(
        "([n, x]) => jbModeler.importText(n, x)",
        [ZHANGYE_IMPLEMENTATION, _milestone_check_drawn_for_the_experts(xml)],
    )
    lanes = page.evaluate(
        "() => jbModeler.bpmn.get('elementRegistry').filter(e => e.type === 'bpmn:Lane').map(e => e.id)"
    )
    assert sorted(lanes) == ["Lane_bureau", "Lane_expert"]  # the expert band is drawn
    page.click("#btn-validate")
    page.wait_for_selector("body[data-validated]", state="attached")
    assert page.get_attribute("body", "data-validated") == "problems"
    problems = page.locator("#problems li").all_inner_texts()
    (shown,) = [p for p in problems if "milestone_check" in p]
    assert shown.endswith(expected), shown
    note = page.locator(".jb-problem-note[data-element=milestone_check]")
    assert note.inner_text() == expected
    page.evaluate(
        """() => { const m = jbModeler.bpmn; m.get('canvas').zoom(1.0);
                   m.get('canvas').scrollToElement(m.get('elementRegistry').get('milestone_check'), { top: 200, left: 300 }); }"""
    )
    screenshot(page, f"modeler-lane-refused-{lang}", full_page=False)
    page.click("#btn-deploy")
    page.wait_for_selector("body[data-deployed]", state="attached")
    assert page.get_attribute("body", "data-deployed") == "refused"
    assert expected in page.inner_text("#problems")
    assert not page.js_errors, page.js_errors


MIWG_FILES = sorted(MIWG.glob("*.bpmn"))


@pytest.mark.skipif(not MIWG_FILES, reason="MIWG reference files are not available")
def test_every_miwg_file_draws_in_viewer_and_modeler_and_round_trips(
    page: Any, live_app: str, demo_data: Any
) -> None:
    sign_in(page, live_app, "owner", "/modeler/new")
    failures: dict[str, Any] = {}
    di_report: dict[str, list[str]] = {}
    for where, url, selector in (
        ("viewer", "/monitor/viewer", "#diagram"),
        ("modeler", "/modeler/new", "#canvas-bpmn"),
    ):
        page.goto(f"{live_app}{url}")
        _wait_import(page, selector) if where == "modeler" else None
        for path in MIWG_FILES:
            page.eval_on_selector(selector, "el => el.setAttribute('data-import', 'pending')")
            page.set_input_files("#import-file", str(path))
            info = _wait_import(page, selector)
            if info["import"] != "ok" or info["shapes"] < 1:
                failures[f"{where}:{path.name}"] = info
                continue
            if where == "modeler":
                saved = page.evaluate("jbModeler.getXML()")
                lost = _ids(path.read_bytes()) - _ids(saved)
                if lost:
                    failures[f"round-trip:{path.name}"] = sorted(lost)
                # bpmn-js drops diagram-interchange shapes it cannot attach (an edge without bpmnElement, DI of
                # elements it does not draw): recorded for the report, not a failure of the model round trip
                di_lost = _ids(path.read_bytes(), model_only=False) - _ids(saved, model_only=False)
                if di_lost:
                    di_report[path.name] = sorted(di_lost)
            if path.name in ("A.1.0.bpmn", "C.1.0.bpmn"):
                screenshot(page, f"{where}-miwg-{Path(path.name).stem}")
    SCREENSHOTS.parent.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS.parent / "miwg-di-round-trip.json").write_text(
        json.dumps(di_report, indent=1), encoding="utf-8"
    )
    assert not failures, json.dumps(failures, ensure_ascii=False, indent=1)
    assert not page.js_errors, page.js_errors
