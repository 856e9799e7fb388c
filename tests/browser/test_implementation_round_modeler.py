"""Real Chromium: a process owner opens the redrawn implementation stages in the modeler (issue 15): a round of
the implementation is a subprocess drawn with the standard-loop marker, its wait keeps its boundary events, and
nothing fails to import."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.browser.conftest import open_latest_in_modeler, screenshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("j", ["dazu", "zhangye", "urumqi", "karamay"])
def test_owner_sees_the_round_as_a_looped_subprocess(
    page: Any, live_app: str, demo_data: Any, db_session: Session, j: str
) -> None:
    open_latest_in_modeler(page, live_app, db_session, f"{j}_implementation")
    found = page.evaluate(
        f"""() => {{
            const registry = jbModeler.bpmn.get('elementRegistry');
            const round = registry.get('{j}_impl_round');
            const wait = registry.get('{j}_implementing');
            return {{
                loop: round.businessObject.loopCharacteristics.$type,
                condition: round.businessObject.loopCharacteristics.loopCondition.body,
                waitInRound: wait.parent.id,
                attached: registry.filter(e => e.type === 'bpmn:BoundaryEvent').map(e => e.host.id),
            }};
        }}"""
    )
    assert found["loop"] == "bpmn:StandardLoopCharacteristics" and found["condition"], found
    assert found["waitInRound"] == f"{j}_impl_round", found
    assert set(found["attached"]) == {f"{j}_implementing"}, found
    # the loop marker is drawn under the round's shape
    assert page.locator(f'[data-element-id="{j}_impl_round"] path').count() >= 1
    screenshot(page, f"modeler-{j}-implementation-round")
    assert not page.js_errors, page.js_errors
