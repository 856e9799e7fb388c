"""Real Chromium: a process owner opens the called processes that declare their inputs and outputs (issue 15)
and the redrawn Dazu and Karamay stages in the modeler: each imports, and saving it keeps what it declares — an output
that is also an input (``requested_termination``, ``period_end``) is named by the output set through its
dataInput, which the modeler must write back as it read it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models.deployment import ProcessVersion
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

#: process key → what its saved XML must still name as an output
DIAGRAMS = {
    "extension": ["extension_result", "period_end", "extension_count"],
    "termination": ["termination_result", "termination_refusal", "recovered_fen", "requested_termination"],
    "contract_payment": ["contract_figures"],
    "dazu_implementation": [],
    "dazu_challenge": [],
    "karamay_implementation": [],
    "karamay_acceptance": [],
}


@pytest.mark.parametrize("key", list(DIAGRAMS))
def test_owner_opens_and_saves_a_declared_call_with_its_outputs(
    page: Any, live_app: str, demo_data: Any, db_session: Session, key: str
) -> None:
    sign_in(page, live_app, "owner", "/modeler/")
    pv = db_session.scalar(
        select(ProcessVersion)
        .where(ProcessVersion.process_key == key)
        .order_by(ProcessVersion.version.desc())
    )
    assert pv is not None
    page.goto(f"{live_app}/modeler/versions/{pv.id}")
    page.wait_for_selector("#canvas-bpmn[data-import=ok]", state="attached")
    saved = page.evaluate("() => jbModeler.bpmn.saveXML({format: true}).then(r => r.xml)")
    for name in DIAGRAMS[key]:
        assert f"<bpmn:dataOutputRefs>{name}</bpmn:dataOutputRefs>" in saved, name
    screenshot(page, f"modeler-declared-{key}")
    assert not page.js_errors, page.js_errors
