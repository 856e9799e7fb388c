"""Issue 15: a round of the implementation (the next checkpoint, the wait, a milestone check, an extension or a
change) is an iteration of a standard-loop subprocess, so finished rounds leave the workflow: after N rounds the
instance holds as many tasks as after one, whatever N (the gateway loop it replaces kept every round's tasks)."""

from __future__ import annotations

import pytest

from engine.models.instance import ProcessInstance
from engine.runtime import load_workflow

from .conftest import PDF
from .drivers import implementing, status

#: the first timer a round waits on: Karamay's 实施中 reminds the solver first, then waits for the checkpoint
FIRST_WAIT = {"karamay": "reminder"}
#: a change of the solver is refused at once (003 §17): the round ends and the next one starts
REFUSED = {"kind": "solver", "detail": "改由另一单位承担", "reason": "人手不足"}


def tasks_in_workflow(flow) -> int:  # type: ignore[no-untyped-def]
    flow.s.expire_all()
    wf = load_workflow(flow.s, flow.s.get(ProcessInstance, flow.id))
    return len(wf.tasks) + sum(len(sp.tasks) for sp in wf.subprocesses.values())


@pytest.mark.parametrize("j", ["dazu", "zhangye", "urumqi", "karamay"])
def test_the_tasks_of_finished_rounds_do_not_pile_up(start, j: str) -> None:  # type: ignore[no-untyped-def]
    flow = implementing(start, j)
    flow.message("change_request", REFUSED)
    assert flow.ready() == [] and "cannot be changed" in flow.data["change_refusal"]
    after_one = tasks_in_workflow(flow)
    timers = [(t["task"], t["due_at"]) for t in flow.info()["timers"]]
    assert FIRST_WAIT.get(j, "checkpoint") in {task for task, _due in timers}
    for _ in range(4):
        flow.message("change_request", REFUSED)
    assert flow.ready() == [] and flow.info()["status"] == "running"
    assert tasks_in_workflow(flow) == after_one
    # each new round waits again for the same checkpoint and reminder
    assert [(t["task"], t["due_at"]) for t in flow.info()["timers"]] == timers


def _refused_termination(flow) -> None:  # type: ignore[no-untyped-def]
    """A termination request the bureau refuses after the audit (000 §14, 001 八(八), 003 §17)."""
    flow.message("termination_request", {"cause": "objective", "reason": "市场变化", "submitted_by": "x"})
    audit = [{"solver": f"{flow.j.upper()}-S1", "unspent_fen": "1"}]
    flow.do("audit", {"audit_report": PDF, "audit_unspent": audit})
    flow.do("decide", {"termination_decision": "reject", "termination_opinion": "继续实施"})


@pytest.mark.parametrize("j", ["dazu", "urumqi", "karamay", "zhangye"])
def test_refused_terminations_stay_inside_a_round_and_do_not_pile_up(start, j: str) -> None:  # type: ignore[no-untyped-def]
    """The termination runs inside the round (Dazu too, since its district government may refuse, 001 八(八);
    Zhangye too, where the bureau decides, 004 三(五)):
    refused, the next round waits again for the same checkpoint, and the refused termination's tasks and its
    called process leave the state with their round, however many were refused."""
    flow = implementing(start, j)
    timers = [(t["task"], t["due_at"]) for t in flow.info()["timers"]]
    _refused_termination(flow)
    assert flow.ready() == [] and flow.data["termination_result"] == "refused"
    after_one = tasks_in_workflow(flow)
    for _ in range(3):
        _refused_termination(flow)
    assert flow.ready() == [] and flow.info()["status"] == "running" and status(flow) == "ongoing"
    assert tasks_in_workflow(flow) == after_one
    assert [(t["task"], t["due_at"]) for t in flow.info()["timers"]] == timers
