"""Real Chromium: a process owner opens the called processes that declare their inputs and outputs (issue 15)
and the redrawn Dazu and Karamay stages in the modeler: each imports, and saving it keeps what it declares — an output
that is also an input (``requested_termination``, ``period_end``) is named by the output set through its
dataInput, which the modeler must write back as it read it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.browser.conftest import open_latest_in_modeler, screenshot

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
    open_latest_in_modeler(page, live_app, db_session, key)
    saved = page.evaluate("() => jbModeler.bpmn.saveXML({format: true}).then(r => r.xml)")
    for name in DIAGRAMS[key]:
        assert f"<bpmn:dataOutputRefs>{name}</bpmn:dataOutputRefs>" in saved, name
    screenshot(page, f"modeler-declared-{key}")
    assert not page.js_errors, page.js_errors
