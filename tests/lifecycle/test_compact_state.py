"""Compact state (engine.compact_state): finished call activities leave the stored state once their outputs are
merged; a pruned instance still resumes, fires its timers, answers messages and shows its history."""

from __future__ import annotations

from engine.compact_state import HISTORY_KEY, OLD_HISTORY_KEY
from engine.models.instance import InstanceState, ProcessInstance
from engine.runtime import load_workflow
from engine.specs import split_state
from web.views.monitor import element_states

from .conftest import PDF
from .drivers import MILESTONES, dazu_milestones_to_settlement, signed

#: the issue's target for the state of a whole Dazu lifecycle
STATE_LIMIT = 64 * 1024


def stored(flow) -> str:  # type: ignore[no-untyped-def]
    flow.s.expire_all()
    row = flow.s.get(InstanceState, flow.id)
    assert row is not None
    return row.state_json


def subprocesses(flow) -> list[tuple[str, bool]]:  # type: ignore[no-untyped-def]
    wf = load_workflow(flow.s, flow.s.get(ProcessInstance, flow.id))
    return sorted((sp.spec.name, sp.completed) for sp in wf.subprocesses.values())


def history(flow) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    instance = flow.s.get(ProcessInstance, flow.id)
    return element_states(load_workflow(flow.s, instance), instance)


def test_a_whole_dazu_lifecycle_stores_at_most_64_kb_and_keeps_its_history(start) -> None:  # type: ignore[no-untyped-def]
    flow = signed(start, milestones=MILESTONES)
    # the five experts' scoring, the review and the publicity ran as call activities and are gone from the
    # state; what ran in them is still shown by the monitor
    assert all(not done for _name, done in subprocesses(flow)), subprocesses(flow)
    shown = history(flow)
    assert "completed" in shown["expert_scoring"].values()
    assert "completed" in shown["publicity"].values()
    # the pruned instance fires its timers and resumes, to its end
    dazu_milestones_to_settlement(flow)
    size = len(stored(flow).encode())
    assert size <= STATE_LIMIT, f"{size} bytes"
    assert subprocesses(flow) == []
    shown = history(flow)
    assert shown["acceptance"] and set(shown["acceptance"].values()) <= {"completed", "cancelled"}
    assert flow.info()["data"]["acceptance_outcome"] == "pass"  # the merged outputs are all there


def test_a_pruned_instance_answers_a_message(start) -> None:  # type: ignore[no-untyped-def]
    flow = signed(start)
    before = subprocesses(flow)
    assert all(not done for _name, done in before)
    flow.at("2027-03-01T09:00:00+08:00")
    flow.message("termination_request", {"cause": "objective", "reason": "市场变化，技术路线不可行"})
    assert flow.ready() == ["audit"]
    flow.do(
        "audit",
        {
            "audit_report": PDF,
            "audit_unspent": [{"solver": "DAZU-S1", "unspent_fen": "100,000", "non_research_fen": "50,000"}],
            "liability": "客观原因",
        },
    )
    flow.do("decide", {"termination_decision": "approve"})
    flow.do("gov_consent", {"consent_decision": "approve"})  # 001 八(八): the district government consents
    assert flow.info()["status"] == "completed"
    assert "completed" in history(flow)["expert_scoring"].values()


def test_a_history_stored_before_it_was_packed_still_shows_and_grows(start) -> None:  # type: ignore[no-untyped-def]
    """The monitor's history of pruned subprocesses was stored as a dict per process until issue 15 packed it
    into one string per process; an instance stored the old way shows the same history and runs on."""
    flow = signed(start, milestones=MILESTONES)
    instance = flow.s.get(ProcessInstance, flow.id)
    wf = load_workflow(flow.s, instance)
    shown = element_states(wf, instance)
    old = 0
    for task in wf.get_tasks():
        packed = task.internal_data.pop(HISTORY_KEY, None)
        if packed:
            task.internal_data[OLD_HISTORY_KEY] = {
                process: dict(pair.rsplit("=", 1) for pair in pairs.split())
                for process, pairs in packed.items()
            }
            old += 1
    assert old >= 4  # the need, application, selection and approval stages
    row = flow.s.get(InstanceState, flow.id)
    row.state_json = split_state(wf)
    flow.s.commit()
    assert OLD_HISTORY_KEY in stored(flow) and history(flow) == shown
    dazu_milestones_to_settlement(flow)  # the old entries are read, the new ones packed
    shown = history(flow)
    assert "completed" in shown["expert_scoring"].values()
    assert shown["acceptance"] and set(shown["acceptance"].values()) <= {"completed", "cancelled"}
