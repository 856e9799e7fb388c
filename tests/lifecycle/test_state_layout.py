"""The stored state stays compact at every step of a Dazu lifecycle, not only at its end (engine.state_layout),
and joins back to exactly the workflow SpiffWorkflow's own layout would give."""

from __future__ import annotations

import itertools
import json
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import WorkflowConverter

from engine import application_records, review_sheets
from engine.models.instance import InstanceState, ProcessInstance
from engine.runtime import instance_specs
from engine.specs import _workflow_converter, join_state, split_state
from engine.state_layout import CALLER_DELTA, CALLER_SELECTION, LAST_TASK_DELTA

from .conftest import Flow, application, panel, start_challenge
from .drivers import dazu_lifecycle, dazu_published
from .test_compact_state import STATE_LIMIT

#: The largest state any step of the lifecycle may store. The issue's bound for the end state (64 KB) holds
#: for every step: the largest is now ~47 KB (the second milestone check, with the implementation stage's
#: task tree); the old layout stored 130 KB there — each predicted task listing every process variable as
#: deleted, each subprocess holding a copy of the process data — and ~126 KB while five experts scored.
MID_LIFECYCLE_LIMIT = STATE_LIMIT
#: The peak now reached (after form_panel: the panel's five scoring subprocesses), 37.9 KB since the
#: applications live in their table and no longer travel into each expert's subprocess, with a little room.
PEAK_LIMIT = 39 * 1024
#: After the bureau collected the applications: the data lists the solvers with their codes and eligibility
#: facts, not what they submitted (the application table holds it) — 20.9 KB.
COLLECTED_LIMIT = 21 * 1024 + 512
#: After the last expert scored: the data lists who handed in a sheet and the ranking, not the sheets (the
#: review_sheet table holds them) — 18.5 KB (18.8 KB with the sheets in the data; 20.5 KB at the end, 20.9 before).
SCORED_LIMIT = 18 * 1024 + 768
END_LIMIT = 20 * 1024 + 768


def spiff_layout(wf: BpmnWorkflow) -> str:
    """The state as SpiffWorkflow's own converters lay it out (as stored before engine.state_layout)."""
    conv = _workflow_converter()
    dct = WorkflowConverter.to_dict(conv, wf)
    dct["subprocesses"] = conv.mapping_to_dict(wf.subprocesses)
    dct["bpmn_events"] = conv.registry.convert(wf.bpmn_events)
    return json.dumps(dct)


def contents(wf: BpmnWorkflow) -> dict[str, Any]:
    """Everything a step reads of a workflow: each task's place, state and data, each workflow's data."""
    seen: dict[str, Any] = {}
    for w in (wf, *wf.subprocesses.values()):
        seen[f"workflow {getattr(w, 'parent_task_id', 'top')}"] = (w.data, w.completed, w.success)
        for t in w.tasks.values():
            seen[str(t.id)] = (t.task_spec.name, t.state, t.data, t.internal_data, t._parent, t._children)
    return seen


class Watched(Flow):
    """A flow that calls ``_after(label)`` after every step: a task done (its spec) and a firing timer."""

    def _after(self, label: str) -> None:
        raise NotImplementedError

    def do(self, spec: str, data: dict[str, Any] | None = None, role: str | None = None) -> None:
        super().do(spec, data, role)
        self._after(spec)

    def at(self, iso: str) -> int:
        fired = super().at(iso)
        if fired:
            self._after(f"timer {iso[:10]}")
        return fired


class Recorded(Watched):
    """After every step, keeps the size of the stored state and checks it joins back."""

    sizes: list[tuple[str, int]]

    def _after(self, label: str) -> None:
        self.s.expire_all()
        row = self.s.get(InstanceState, self.id)
        assert row is not None
        specs = instance_specs(self.s, self.s.get(ProcessInstance, self.id))
        wf = join_state(specs, row.state_json, row.serializer_version)
        # the same workflow as SpiffWorkflow's layout of it, and a state from before this layout still loads
        old = join_state(specs, spiff_layout(wf), row.serializer_version)
        assert contents(wf) == contents(old), label
        # equal as JSON: a workflow kept in memory between changes (engine.kept_workflows) may hold a task's
        # data keys in another order than one restored from the stored text
        assert json.loads(split_state(old)) == json.loads(row.state_json), label
        self.sizes.append((label, len(row.state_json.encode())))


def test_every_step_of_a_dazu_lifecycle_stores_a_compact_state_that_joins_back_unchanged(world, sim) -> None:  # type: ignore[no-untyped-def]
    Recorded.sizes = []
    dazu_lifecycle(lambda j: start_challenge(world, sim, j, "DAZU-LAYOUT", flow_class=Recorded))
    sizes = Recorded.sizes
    assert [label for label, _ in sizes].count("score") == 5 and len(sizes) == 28
    label, largest = max(sizes, key=lambda s: s[1])
    assert largest <= MID_LIFECYCLE_LIMIT, f"{label}: {largest} bytes"
    assert largest <= PEAK_LIMIT, f"{label}: {largest} bytes"
    (collected,) = [size for label, size in sizes if label == "collect_applications"]
    assert collected <= COLLECTED_LIMIT, collected
    scored = [size for label, size in sizes if label == "score"][-1]
    assert scored <= SCORED_LIMIT, scored
    assert sizes[-1][1] <= END_LIMIT, sizes[-1]
    # each expert's scoring subprocess (7 tasks) stores its own tasks, not one more copy of the process data
    # (~10 KB before): a score that finishes one and prunes it shrinks the state by only that much
    scores = [size for label, size in sizes if label in ("form_panel", "score")]
    freed = [before - after for before, after in itertools.pairwise(scores[:-1])]
    assert len(freed) == 4 and max(freed) <= 4096, freed


#: what the diagrams once kept in the process data and no longer do: the booking rows of the first tranche
#: (``pay_first_tranche()``), the settled books (``settle_acceptance()``), a milestone settlement (its two
#: results are kept), and the loop variables left by the task book's script (a whole application, a milestone);
#: the ledger and the project tables hold the records
BULKY = ("fiscal_booked", "ledger_final", "milestone_settled", "a", "m")


def stored_data(dct: dict[str, Any], where: str = "top") -> list[tuple[str, str, dict[str, Any]]]:
    """(workflow, task spec, the values it stores) of every task and workflow of a stored state: its full
    data, its delta's updates, its updates against its caller."""
    found = [
        (where, "(workflow)", {**dct.get("data", {}), **dct.get(LAST_TASK_DELTA, {}).get("updates", {})})
    ]
    for task in dct["tasks"].values():
        values = {**(task.get("data") or {}), **((task.get("delta") or {}).get("updates") or {})}
        for key in (CALLER_DELTA, CALLER_SELECTION):
            values.update((task.get(key) or {}).get("updates") or {})
        found.append((where, task["task_spec"], values))
    for sub in dct.get("subprocesses", {}).values():
        found += stored_data(sub, sub["spec"])
    return found


class Kept(Watched):
    """Keeps the stored state after every step."""

    states: list[tuple[str, dict[str, Any]]]

    def _after(self, label: str) -> None:
        self.s.expire_all()
        row = self.s.get(InstanceState, self.id)
        assert row is not None
        self.states.append((label, json.loads(row.state_json)))


def test_a_late_step_stores_no_bulky_record_and_no_finished_tasks_data(world, sim) -> None:  # type: ignore[no-untyped-def]
    """Issue 15: what a late step unpacks and packs is the case's decisions, not copies of its records — no
    booking rows, settled books or loop variables in any task's data at any step — and a finished task whose
    data nothing reads again stores none (engine.compact_state): at the end only the last task holds the
    process data, not every stage of the chain (restoring each copied the whole process data)."""
    Kept.states = []
    flow = dazu_lifecycle(lambda j: start_challenge(world, sim, j, "DAZU-BULK", flow_class=Kept))
    assert len(Kept.states) == 28
    for label, state in Kept.states:
        for where, task, values in stored_data(state):
            kept = sorted(set(values) & set(BULKY))
            assert not kept, f"after {label}: {where} {task} stores {kept}"
            # the need panel is kept by name (the expert pool has the experts)
            panel = values.get("need_panel_experts")
            assert panel is None or all(isinstance(name, str) for name in panel), (label, panel)
    _label, end = Kept.states[-1]
    holding = [task for where, task, values in stored_data(end) if values and task != "(workflow)"]
    assert holding == ["End"], holding
    assert flow.info()["data"]["acceptance_outcome"] == "pass"  # the case's data is all there
    assert flow.info()["data"]["need_panel_experts"] == ["e1", "e2", "e3", "e4", "e5"]


def test_what_the_solvers_submitted_stays_out_of_the_state(start) -> None:  # type: ignore[no-untyped-def]
    """Issue 15 item 3: two applications with plans of 5,000 characters each (15 KB each in UTF-8) leave the
    stored state as small as short ones do — the plans are in the application table, not in the workflow data
    (the diagrams before kept them in every task's data: 114 KB after the collection, 131 KB while the experts
    scored)."""
    plan = "技术路线" * 1250
    flow = start("dazu")
    dazu_published(flow)
    flow.do(
        "collect_applications",
        {
            "applications": [
                {"solver": s, "partners": "", "members": m, "plan": plan, "pledge": True}
                for s, m in (("DAZU-S1", "DAZU-P1"), ("DAZU-S2", "DAZU-P4"))
            ]
        },
    )
    sizes = []
    for step in ("collect_applications", "form_panel"):
        if step == "form_panel":
            flow.do("form_panel", panel(["e1", "e2", "e3", "e4", "e5"]))
        flow.s.expire_all()
        row = flow.s.get(InstanceState, flow.id)
        assert row is not None and plan[:20] not in row.state_json, step
        sizes.append(len(row.state_json.encode()))
    assert sizes[0] <= COLLECTED_LIMIT + 2048 and sizes[1] <= PEAK_LIMIT + 2048, sizes
    assert {a.plan for a in application_records.records(flow.s, flow.key).values()} == {plan}


def test_what_the_experts_wrote_stays_out_of_the_state(start) -> None:  # type: ignore[no-untyped-def]
    """Issue 15 item 3: five experts' sheets for two candidates, each with comments of 1,000 characters and an
    opinion of 5,000, leave the stored state as small as short ones do — the sheets are in the review_sheet
    table, the data keeps who scored and the ranking (the diagrams before kept every sheet in the data from the
    last score to the end: ~100 KB more)."""
    comment, opinion = "评分理由" * 250, "总体评价" * 1250
    flow = start("dazu")
    dazu_published(flow)
    flow.do(
        "collect_applications",
        {"applications": [application("DAZU-S1", "DAZU-P1"), application("DAZU-S2", "DAZU-P4")]},
    )
    flow.do("form_panel", panel(["e1", "e2", "e3", "e4", "e5"]))
    while "score" in flow.ready():
        rows = [{"solver": s, "score": 80, "comment": comment} for s in ("DAZU-S1", "DAZU-S2")]
        flow.do("score", {"scores": rows, "opinion": opinion})
    flow.s.expire_all()
    row = flow.s.get(InstanceState, flow.id)
    assert row is not None and comment[:20] not in row.state_json and opinion[:20] not in row.state_json
    assert len(row.state_json.encode()) <= SCORED_LIMIT + 1024
    sheets = review_sheets.sheets(flow.s, flow.key)
    assert len(sheets) == 5 and {s.opinion for s in sheets.values()} == {opinion}
    assert {line.comment for s in sheets.values() for line in s.scores} == {comment}
