"""Real Chromium, as the process owner: the modeler's lint knows the lane rule of a deployment (engine/lint.py
lane_problems). Dragging 里程碑考核 into the expert band, still inside the expanded subprocess 一轮实施 that runs
in the bureau lane, puts the deployment's own note on the task while drawing, before anything is saved,
validated or deployed; dragging it back clears it. The words come from the server (POST /modeler/lint), the
same as 校验 and 部署 would refuse the diagram with, in the page's language."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import screenshot
from tests.conftest import FIXTURES

pytestmark = pytest.mark.browser

DRAWN = FIXTURES / "lanes" / "milestone_round_drawn.bpmn"
NOTE = '.djs-overlays[data-container-id="milestone_check"] .bjsl-overlay'
ZH = (
    "任务“里程碑考核”画在“评审专家”泳道，但它在子流程“一轮实施”内，引擎按子流程所在的“科技局”泳道分派。"
    "请把它移到“科技局”泳道，或把子流程改为调用活动（callActivity）。"
)
EN = (
    'Task "Milestone check" is drawn in the lane "Expert", but it is inside the subprocess '
    '"One implementation round", so the engine assigns it by the subprocess\'s lane "Science bureau". '
    'Move it to the "Science bureau" lane, or make the subprocess a call activity (callActivity).'
)
#: counts the modeler's completed lint runs (each one asked the server too)
LINTS = """() => { window.jbLints = 0;
    jbModeler.bpmn.get('eventBus').on('linting.completed', () => { window.jbLints += 1; }); }"""
#: where the task is: its parent, the lanes that name it, its top in the diagram and its centre on the screen
PLACE = """() => {
    const m = jbModeler.bpmn, el = m.get('elementRegistry').get('milestone_check');
    const box = document.querySelector('[data-element-id="milestone_check"] .djs-hit').getBoundingClientRect();
    return { parent: el.parent.id, lanes: (el.businessObject.lanes || []).map(l => l.id), top: el.y,
             x: box.x + box.width / 2, y: box.y + box.height / 2, scale: m.get('canvas').viewbox().scale };
}"""


def _drag(page: Any, dy: float) -> dict[str, Any]:
    """Drag the task by ``dy`` diagram units down (up when negative), with the mouse, as the owner does."""
    at = page.evaluate(PLACE)
    page.mouse.move(at["x"], at["y"])
    page.mouse.down()
    steps = 12
    for i in range(1, steps + 1):
        page.mouse.move(at["x"] + 2 * i / steps, at["y"] + dy * at["scale"] * i / steps)
    page.mouse.up()
    return page.evaluate(PLACE)


def _note(page: Any) -> str:
    return page.eval_on_selector(NOTE, "e => e.textContent.replace(/\\s+/g, ' ').trim()")


def _open_the_drawn_round(owner: Any) -> Any:
    """The owner starts a new bundle in the modeler and imports the drawn round from disk."""
    owner.open("/modeler/new", wait_for="#canvas-bpmn[data-import=ok]")
    page = owner.page
    page.eval_on_selector("#canvas-bpmn", "el => el.setAttribute('data-import', 'pending')")
    page.evaluate(LINTS)
    page.set_input_files("#import-file", str(DRAWN))
    page.wait_for_selector("#canvas-bpmn[data-import=ok]", state="attached")
    page.wait_for_function("() => window.jbLints > 0")  # the lint of the imported diagram is done
    return page


def _moved_into_the_expert_band_shows_the_note(page: Any, shot: str) -> str:
    """The note's text, shown while the task is in the expert band."""
    before = page.evaluate(PLACE)
    assert (before["parent"], before["lanes"]) == ("round", ["Lane_bureau"]), before
    assert page.query_selector(NOTE) is None, _note(page)
    # down into the expert band (y 300 to 520), still inside the subprocess (y 70 to 470); bpmn-js names no
    # lane for a node inside a subprocess, the server reads the band it is drawn in
    after = _drag(page, 250)
    assert (after["parent"], after["lanes"], after["top"]) == ("round", [], 370), after
    page.wait_for_selector(NOTE, state="attached")
    note = _note(page)
    # before saving: nothing was validated or deployed, the note is the lint's own
    assert page.get_attribute("body", "data-validated") is None
    assert page.get_attribute("body", "data-deployed") is None
    assert page.is_hidden("#problems-box")
    page.hover(NOTE)
    page.wait_for_selector(f"{NOTE} .bjsl-dropdown-content", state="visible")
    screenshot(page, shot, full_page=False)
    # back into the bureau band: the note goes
    back = _drag(page, -250)
    assert (back["parent"], back["top"]) == ("round", 120), back
    page.wait_for_function(f"() => !document.querySelector('{NOTE}')")
    return note


def test_owner_moving_a_task_of_a_subprocess_into_another_lane_sees_the_lane_note(
    roles: Any, demo_data: Any
) -> None:
    owner = roles("owner")
    page = _open_the_drawn_round(owner)
    note = _moved_into_the_expert_band_shows_the_note(page, "modeler-lane-lint-zh")
    assert ZH in note and "Milestone" not in note, note


def test_the_lane_note_speaks_english_in_the_english_ui(roles: Any, demo_data: Any) -> None:
    owner = roles("owner")
    owner.page.click("header form button[lang=en]")
    owner.page.wait_for_load_state("networkidle")
    page = _open_the_drawn_round(owner)
    note = _moved_into_the_expert_band_shows_the_note(page, "modeler-lane-lint-en")
    assert EN in note and not any("\u4e00" <= ch <= "\u9fff" for ch in note), note
