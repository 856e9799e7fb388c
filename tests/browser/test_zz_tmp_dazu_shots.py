"""Throwaway (not committed): screenshots of the Dazu diagrams in the modeler, at the zoom it opens them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models.deployment import ProcessVersion
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
OUT = Path("/work/wt/notes/shots/dazu")
FILES = [
    "bpmn/dazu/dazu_challenge.bpmn",
    "bpmn/dazu/stages/dazu_needs.bpmn",
    "bpmn/dazu/stages/dazu_applications.bpmn",
    "bpmn/dazu/stages/dazu_selection.bpmn",
    "bpmn/dazu/stages/dazu_approval.bpmn",
    "bpmn/dazu/stages/dazu_contract.bpmn",
    "bpmn/dazu/stages/dazu_race.bpmn",
    "bpmn/dazu/stages/dazu_implementation.bpmn",
    "bpmn/dazu/stages/dazu_milestone.bpmn",
    "bpmn/dazu/stages/dazu_acceptance.bpmn",
]


def test_shots(page: Any, live_app: str, demo_data: Any, db_session: Session) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1600, "height": 1000})
    sign_in(page, live_app, "owner", "/modeler/")
    pv = db_session.scalar(
        select(ProcessVersion).where(ProcessVersion.process_key == "dazu_challenge", ProcessVersion.version == 1)
    )
    page.goto(f"{live_app}/modeler/versions/{pv.id}")
    page.wait_for_selector("#canvas-bpmn[data-import=ok]", state="attached")
    for name in FILES:
        page.evaluate("n => jbModeler.open(n)", name)
        page.wait_for_timeout(800)
        zoom = page.evaluate("jbModeler.bpmn.get('canvas').zoom()")
        print(name, "zoom", zoom)
        page.screenshot(path=str(OUT / (Path(name).stem + ".png")), full_page=False)
