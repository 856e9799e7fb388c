"""Real Chromium: a supervisor follows an Urumqi and a Karamay project in its second round of the implementation
(issue 15). The monitor drills from the lifecycle into the implementation stage: the round 一轮实施 is drawn
with its loop marker, the wait 实施中 inside it is active, its timer and its boundary events waiting (with the timer's due time), and the elements of
the finished first round (its refused change) are marked completed although that round left the state."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from engine.users import add_user
from tests.browser.conftest import fast_passwords, screenshot
from tests.lifecycle.conftest import start, world  # noqa: F401 (fixtures)
from tests.lifecycle.drivers import implementing
from tests.lifecycle.test_implementation_rounds import FIRST_WAIT, REFUSED

#: the call that reviewed the first round's change request
CHANGE = {
    "urumqi": "review_change",
    "karamay": "handle_change",
    "dazu": "review_change",
    "zhangye": "review_change",
}

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("j", ["urumqi", "karamay", "dazu", "zhangye"])
def test_supervisor_sees_the_second_round_of_the_implementation(
    roles: Any,
    start,  # type: ignore[no-untyped-def]  # noqa: F811
    world: Session,  # noqa: F811
    j: str,
) -> None:
    flow = implementing(start, j)
    flow.message("change_request", REFUSED)  # the first round ends at once (003 §17); the second waits
    add_user(world, "supervisor", roles=["supervisor"])
    fast_passwords(world, "supervisor")

    supervisor = roles("supervisor")
    page = supervisor.page
    supervisor.open(f"/monitor/instances/{flow.id}", flow.key, wait_for="#diagram[data-marked]")
    page.click(f".jb-badge-drill[data-called={j}_implementation]")
    page.wait_for_selector(f"#diagram[data-process={j}_implementation][data-marked]", state="attached")
    found = page.evaluate(
        f"""() => {{
            const registry = jbViewer.get('elementRegistry');
            const marked = (id) => (registry.getGraphics(id) || {{classList: []}}).classList;
            return {{
                loop: registry.get('{j}_impl_round').businessObject.loopCharacteristics.$type,
                implementing: marked('{j}_implementing').contains('jb-active'),
                waits: ['{FIRST_WAIT.get(j, "checkpoint")}', 'change_request', 'termination_request']
                    .every((id) => marked(id).contains('jb-waiting')),
                changed: marked('{CHANGE[j]}').contains('jb-completed'),
            }};
        }}"""
    )
    expected = {
        "loop": "bpmn:StandardLoopCharacteristics",
        "implementing": True,
        "waits": True,
        "changed": True,
    }
    assert found == expected, found
    assert page.locator(".jb-badge-timer").count() >= 1
    screenshot(page, f"monitor-{j}-implementation-second-round")
