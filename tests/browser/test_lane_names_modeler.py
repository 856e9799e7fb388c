"""Real Chromium: the modeler's canvas shows a lane by its name, as the monitor does — the process owner reads
``揭榜方``, not ``揭榜方 (solver)`` — while the diagram it saves keeps the role code the engine reads in the lane's
name (engine/lint.py role_of_lane), so a diagram deployed from the modeler gives every task the lane and role it
had."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.lint import role_of_lane
from engine.models.deployment import ProcessVersion
from tests.browser.conftest import open_latest_in_modeler, screenshot

pytestmark = pytest.mark.browser

LANE_LABELS = """() => jbModeler.bpmn.get('elementRegistry').filter(e => e.type === 'bpmn:Lane')
    .map(e => [e.businessObject.name,
               document.querySelector(`[data-element-id="${e.id}"] text.djs-label`).textContent])"""


def _lanes_of_tasks(session: Session, version: int) -> dict[str, str]:
    pv = session.scalar(
        select(ProcessVersion).where(
            ProcessVersion.process_key == "zhangye_acceptance", ProcessVersion.version == version
        )
    )
    assert pv is not None, version
    specs = json.loads(pv.spec_json)["spec"]["task_specs"]
    return {key: spec["lane"] for key, spec in specs.items() if spec.get("lane")}


def test_owner_sees_lane_names_and_a_saved_diagram_keeps_its_lane_roles(
    page: Any, live_app: str, demo_data: Any, db_session: Session
) -> None:
    open_latest_in_modeler(page, live_app, db_session, "zhangye_acceptance")
    # drawn by name; the lane itself keeps its whole name (the properties panel and direct editing show it)
    assert sorted(page.evaluate(LANE_LABELS)) == [
        ["揭榜方 (solver)", "揭榜方"],
        ["科技局 (bureau)", "科技局"],
    ]
    assert "(solver)" not in page.inner_text("#canvas-bpmn")
    screenshot(page, "modeler-lane-names-zh", full_page=False)
    # a renamed lane is drawn by its new name, still without the code
    page.evaluate(
        """() => { const m = jbModeler.bpmn; const lane = m.get('elementRegistry').get('Lane_solver');
                   m.get('modeling').updateLabel(lane, '揭榜单位 (solver)'); }"""
    )
    assert ["揭榜单位 (solver)", "揭榜单位"] in page.evaluate(LANE_LABELS)
    saved = page.evaluate("jbModeler.getXML()")
    assert 'name="揭榜单位 (solver)"' in saved and 'name="科技局 (bureau)"' in saved

    before = _lanes_of_tasks(db_session, 1)
    page.fill("#deploy-note", "揭榜方改称揭榜单位 rename the solver lane")
    page.click("#btn-deploy")
    page.wait_for_selector("body[data-deployed]", state="attached")
    assert page.get_attribute("body", "data-deployed") == "ok", page.inner_text("#result")
    db_session.rollback()  # end the read snapshot: the page deployed through the app
    after = _lanes_of_tasks(db_session, 2)
    # every task keeps its lane's role: the solver still accepts, the bureau still pays
    assert set(after) == set(before)
    assert {key: role_of_lane(lane) for key, lane in after.items()} == {
        key: role_of_lane(lane) for key, lane in before.items()
    }
    assert role_of_lane(after["accept"]) == "solver" and after["accept"] == "揭榜单位 (solver)"
    assert role_of_lane(after["pay_contract"]) == "bureau"
    assert not page.js_errors, page.js_errors
