"""Real Chromium: the pages built on bpmn-js, dmn-js and Swagger UI work under the Content-Security-Policy, with no
violation reported: the monitor's highlighted diagram (and its drill-down), the modeler drawing, editing a label
and a decision-table cell, the file viewer, and the API documentation listing and trying an operation. The
terminate button still asks before it acts (a static script, not an inline handler)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models.instance import ProcessInstance
from tests.browser.conftest import ROOT

pytestmark = pytest.mark.browser


def test_monitor_viewer_and_api_docs_work_under_the_policy(
    roles: Any, people: None, db_session: Session
) -> None:
    iid = db_session.scalars(
        select(ProcessInstance.id).where(ProcessInstance.business_key == "DEMO-URUMQI-001")
    ).one()
    supervisor = roles("supervisor")
    supervisor.open(f"/monitor/instances/{iid}", "DEMO-URUMQI-001", wait_for="#diagram[data-marked]")
    page = supervisor.page
    assert page.locator(".djs-element.jb-completed").count() >= 2
    supervisor.check(shot="csp-monitor-instance")
    page.click(".jb-badge-drill")
    page.wait_for_selector("#diagram[data-process=publicity][data-marked]", state="attached")
    assert page.locator(".jb-badge-timer").count() >= 1
    supervisor.check(shot="csp-monitor-drilldown")

    supervisor.open("/monitor/viewer")
    page.set_input_files("#import-file", str(ROOT / "bpmn" / "demo" / "publicity_demo.bpmn"))
    page.wait_for_selector("#diagram[data-import=ok]", state="attached")
    supervisor.check("publicity_demo.bpmn")

    public = roles(None)
    public.open("/api/v1/docs", wait_for=".opblock")
    page = public.page
    assert page.locator(".opblock").count() >= 10
    public.check("Jiebang API", shot="csp-swagger")
    page.locator(".opblock-summary", has_text="/api/v1/challenges").first.click()
    page.click("button.try-out__btn")
    page.click("button.execute")
    page.wait_for_selector(".responses-wrapper .live-responses-table .response-col_status")
    assert "200" in page.inner_text(".live-responses-table")
    public.check(shot="csp-swagger-try-out")


def test_modeler_draws_and_edits_bpmn_and_dmn_under_the_policy(roles: Any, people: None) -> None:
    owner = roles("owner")
    owner.open("/modeler/")
    page = owner.page
    page.click("a.open-version[data-process=publicity_demo][data-version='1']")
    page.wait_for_selector("#canvas-bpmn[data-import=ok]", state="attached")
    element = page.locator(".djs-element[data-element-id=publicise]")
    element.scroll_into_view_if_needed()  # the deployments list above the canvas grows with every file
    box = element.bounding_box()
    assert box is not None
    page.mouse.dblclick(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector(".djs-direct-editing-parent", state="visible")
    page.keyboard.press("End")
    page.keyboard.type(" 修订")
    page.mouse.click(5, 5)
    name = page.evaluate("jbModeler.bpmn.get('elementRegistry').get('publicise').businessObject.name")
    assert name.endswith(" 修订"), name
    owner.check("修订", shot="csp-modeler-bpmn")

    page.evaluate(
        "([n, x]) => jbModeler.importText(n, x)",
        [
            "termination_zhangye.dmn",
            (ROOT / "bpmn" / "zhangye" / "termination_zhangye.dmn").read_text("utf-8"),
        ],
    )
    assert page.get_attribute("#canvas-dmn", "data-import") == "ok"
    cell = page.locator("#canvas-dmn td.input-cell").first
    cell.click()
    page.keyboard.press("End")
    page.keyboard.type(" ")
    page.keyboard.press("Backspace")
    owner.check("终止原因", shot="csp-modeler-dmn")


def test_terminate_asks_before_it_acts(roles: Any, people: None, db_session: Session) -> None:
    iid = db_session.scalars(
        select(ProcessInstance.id).where(ProcessInstance.business_key == "DEMO-URUMQI-001")
    ).one()
    bureau = roles("bureau_urumqi")
    bureau.open(f"/monitor/instances/{iid}", wait_for="#diagram[data-import=ok]")
    asked: list[str] = []
    bureau.page.remove_listener("dialog", bureau._dialog)
    bureau.page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    bureau.page.click("button[name=op][value=terminate]")
    bureau.page.wait_for_load_state("networkidle")
    assert asked == ["确定终止此实例？"]  # in the page's language only
    db_session.rollback()
    assert db_session.get(ProcessInstance, iid).status == "running"  # dismissed: nothing happened
