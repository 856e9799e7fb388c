"""A called process with declared inputs and outputs (bpmn/shared: expert_scoring, publicity, …) gets only what
it reads and gives back only what it declares, so it carries a dozen variables instead of the ~150 of the case
(policy parameters, earlier stages' records) — issue 15: unpack and pack of the state grow with tasks ×
variables. Pages inside it still show the case (engine.case_view lays its data over its caller's), and a state
stored before its inputs were declared (the called process holding the whole copy) runs to the end."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine import application_records, tasks
from engine.bundle import BundleFile, collect_paths
from engine.deploy import deploy_bundle
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from engine.runtime import load_workflow

from .conftest import BPMN, PDF, application, need, panel
from .drivers import (
    DAZU_SELECTION,
    MILESTONE_PASSED,
    MILESTONES,
    accept,
    contract_paid,
    dazu_lifecycle,
    end_of_publicity,
    implementing,
    passed,
    signed,
    status,
    to_review,
)

EXPERTS = ["e1", "e2", "e3", "e4", "e5"]

#: Most variables one expert's scoring task may carry: what the expert's page shows (the need, the candidates,
#: the case; the applications are read from their table) — before its inputs were declared it carried the
#: case's ~150.
SCORING_VARIABLES = 15


def _carried(session: Session, iid: int, spec: str) -> dict[str, dict[str, Any]]:
    """What each open ``spec`` task carries in the stored state (its own data), by assignee."""
    instance = session.get(ProcessInstance, iid)
    assert instance is not None
    wf = load_workflow(session, instance)
    rows = session.query(HumanTask).filter_by(instance_id=iid, task_spec=spec).all()
    return {row.assignee or row.id: dict(wf.get_task_from_id(UUID(row.id)).data) for row in rows}


def _page_data(session: Session, iid: int, spec: str) -> dict[str, Any]:
    """What the page of the first open ``spec`` task reads (engine.tasks.task_data)."""
    instance = session.get(ProcessInstance, iid)
    assert instance is not None
    row = session.query(HumanTask).filter_by(instance_id=iid, task_spec=spec).first()
    assert row is not None
    return tasks.task_data(session, instance, row.id)


def _scoring_data(session: Session, iid: int) -> dict[str, dict[str, Any]]:
    return _carried(session, iid, "score")


def test_each_expert_scores_with_the_need_and_the_applications_but_not_the_whole_case(start) -> None:  # type: ignore[no-untyped-def]
    flow = start("dazu")
    to_review(flow, [application("DAZU-S1", "DAZU-P1"), application("DAZU-S2", "DAZU-P4")])
    flow.do("form_panel", panel(EXPERTS))
    scoring = _scoring_data(flow.s, flow.id)
    assert sorted(scoring) == EXPERTS
    for expert, data in scoring.items():
        # what the expert's page shows and the form fills its rows from
        assert data["expert"] == expert
        assert data["candidates"] == ["DAZU-S1", "DAZU-S2"]
        # the applications themselves are not carried: the page reads the candidates' records from their table
        assert "applications" not in data
        shown = application_records.submitted(flow.s, flow.key, data)
        assert [(a["solver"], a["members"], a["plan"]) for a in shown] == [
            ("DAZU-S1", "DAZU-P1", "方案"),
            ("DAZU-S2", "DAZU-P4", "方案"),
        ]
        assert data["need_title"] == need()["need_title"] and data["project_code"] == flow.key
        # what the challenge asked, which the expert scores against
        assert (data["problem"], data["indicators"]) == (need()["problem"], need()["indicators"])
        # no policy parameter, no record of the stages before
        assert "panel_min" not in data and "fiscal_ratio_pct" not in data and "need_refusals" not in data
        assert len(data) <= SCORING_VARIABLES, sorted(data)
    # while the experts score, the instance's data (its page, the API) is still the whole case
    case = flow.data
    assert case["panel"] == EXPERTS and "panel_min" in case and "need_refusals" in case


def test_only_the_review_comes_back_from_each_expert(start) -> None:  # type: ignore[no-untyped-def]
    flow = start("dazu")
    to_review(flow, [application("DAZU-S1", "DAZU-P1")])
    flow.do("form_panel", panel(EXPERTS))
    for i in range(len(EXPERTS)):  # each scoring by its expert
        flow.do("score", {"scores": [{"solver": "DAZU-S1", "score": 80 + i}], "opinion": f"意见{i}"})
    data = flow.data
    assert sorted(r["expert"] for r in data["reviews"]) == EXPERTS
    assert data["review_ranking"][0]["solver"] == "DAZU-S1" and data["review_ranking"][0]["average"] == 82
    assert "scores" not in data and "opinion" not in data and "expert" not in data


def test_the_expert_s_page_shows_the_case_laid_under_the_scoring(start) -> None:  # type: ignore[no-untyped-def]
    flow = start("dazu")
    to_review(flow, [application("DAZU-S1", "DAZU-P1")])
    flow.do("form_panel", panel(EXPERTS))
    page = _page_data(flow.s, flow.id, "score")
    # the scoring's own values ...
    assert page["expert"] in EXPERTS and page["candidates"] == ["DAZU-S1"]
    # ... over the case its caller holds (the scoring itself does not carry these)
    assert page["panel"] == EXPERTS and page["panel_min"] == flow.data["panel_min"]
    assert "panel_min" not in _scoring_data(flow.s, flow.id)[page["expert"]]


#: what the publicity carries: its inputs (the window's length and unit) and the window it computes
PUBLICITY_OWN = {"publicity_length", "publicity_unit", "publicity_start", "publicity_end", "publicity_result"}
PUBLICITY_OUT = ("publicity_result", "publicity_start", "publicity_end")


def _publicity(start):  # type: ignore[no-untyped-def]
    flow = start("dazu")
    to_review(flow, [application("DAZU-S1", "DAZU-P1")])
    flow.do("form_panel", panel(EXPERTS))
    for i in range(len(EXPERTS)):
        flow.do("score", {"scores": [{"solver": "DAZU-S1", "score": 80 + i}], "opinion": "同意"})
    flow.do("select", DAZU_SELECTION)
    flow.do("approve", {"approval": "approve"})
    return flow


def _call_tasks(flow: Any, called: str) -> list[Any]:
    instance = flow.s.get(ProcessInstance, flow.id)
    wf = load_workflow(flow.s, instance)
    return [t for t in wf.get_tasks() if getattr(t.task_spec, "spec", None) == called]


def test_the_publicity_carries_its_window_and_the_objection_page_shows_the_case(start) -> None:  # type: ignore[no-untyped-def]
    flow = _publicity(start)
    instance = flow.s.get(ProcessInstance, flow.id)
    wf = load_workflow(flow.s, instance)
    (call,) = [t for t in _call_tasks(flow, "publicity")]
    (sub,) = [s for s in wf.subprocesses.values() if s.parent_task_id == call.id]
    carried = set().union(*(t.data for t in sub.get_tasks()))
    assert carried == PUBLICITY_OWN, sorted(carried)
    case = flow.data  # the instance's data (its page, the API) is still the whole case, with the window
    assert case["selected"] == "DAZU-S1" and "panel_min" in case and case["publicity_end"]
    flow.message("objection", {"text": "该单位与发榜方存在关联"})
    assert set(_carried(flow.s, flow.id, "handle_objection").popitem()[1]) == PUBLICITY_OWN | {"objection"}
    page = _page_data(flow.s, flow.id, "handle_objection")
    assert page["objection"] == {"text": "该单位与发榜方存在关联"}
    assert (page["project_code"], page["selected"], page["title"]) == (flow.key, "DAZU-S1", case["title"])


def test_only_the_window_and_its_result_come_back_from_the_publicity(start) -> None:  # type: ignore[no-untyped-def]
    flow = _publicity(start)
    (call,) = _call_tasks(flow, "publicity")
    before = dict(call.data)  # the caller's case when it called the publicity
    flow.message("objection", {"text": "该单位与发榜方存在关联"})
    flow.do("handle_objection", {"objection_decision": "continue", "objection_reason": "经核实无关联"})
    flow.at(end_of_publicity(flow))
    after = flow.data  # the approval stage ended with the publicity: its data is the case's now
    assert after["publicity_result"] == "passed" and all(after[k] for k in PUBLICITY_OUT)
    # of the publicity, only the declared outputs came back (not the objection it handled) ...
    assert not {"objection", "objection_decision", "objection_reason"} & set(after)
    # ... and the case's other variables are as the caller had them
    assert {k: after[k] for k in before if k not in PUBLICITY_OUT} == {
        k: v for k, v in before.items() if k not in PUBLICITY_OUT
    }


#: the Dazu milestone's inputs (the check's panel rules, who checks, the task book's milestones, the stop)
MILESTONE_IN = {
    "milestone_panel_min",
    "milestone_panel_odd",
    "milestone_panel_source",
    "issuer_code",
    "milestones",
    "requested_termination",
}
#: what the milestone's own steps add: the check's form, its verdict, the money it settles, the stage payment
MILESTONE_OWN = {
    *MILESTONE_IN,
    *MILESTONE_PASSED,
    "milestone_action",
    "milestone_stop_cause",
    "milestone_problem",
    "milestone_settled",
    "stage_payment_due",
    "stage_paid_fen",
    "stage_payment_proof",
    "stage_problem",
}
#: what the implementation's round computes for its next checkpoint after each milestone
NEXT_CHECKPOINT = {"next_milestone", "checkpoint_kind", "checkpoint_day", "checkpoint_at", "reminder_at"}


def test_the_milestone_carries_its_inputs_and_gives_back_the_milestones(start) -> None:  # type: ignore[no-untyped-def]
    flow = signed(start, milestones=MILESTONES)
    flow.at("2026-12-01T00:00:00+08:00")
    (carried,) = _carried(flow.s, flow.id, "milestone_check").values()
    assert set(carried) == MILESTONE_IN, sorted(carried)
    # the issuer's page and the money functions read the case beneath it
    page = _page_data(flow.s, flow.id, "milestone_check")
    assert (page["project_code"], page["contract_fen"]) == (flow.key, flow.data["contract_fen"])
    before = flow.data
    flow.do("milestone_check", MILESTONE_PASSED)
    (carried,) = _carried(flow.s, flow.id, "issuer_stage_payment").values()
    assert set(carried) <= MILESTONE_OWN, sorted(set(carried) - MILESTONE_OWN)
    assert carried["stage_payment_due"] is True  # settled from the case's books (settle_milestone)
    flow.do("issuer_stage_payment", {"stage_paid_fen": "900,000"})
    after = flow.data
    first, second = after["milestones"]
    assert (first["done"], first["passed"]) == (True, True) and not second.get("done")
    assert not {"milestone_passed", "milestone_settled", "stage_paid_fen", "stage_problem"} & set(after)
    kept = set(before) - MILESTONE_OWN - NEXT_CHECKPOINT
    assert {k: after[k] for k in kept} == {k: before[k] for k in kept}


#: what the acceptance carries: its inputs (the period, the request's window, who evaluates, the panel rules)
ACCEPTANCE_IN = {
    "period_end",
    "acc_request_days",
    "acceptance_source",
    "needs_user_eval",
    "issuer_code",
    "acc_panel_min",
    "acc_panel_odd",
    "acc_panel_source",
}


def test_the_acceptance_carries_its_inputs_and_gives_back_its_conclusion(start) -> None:  # type: ignore[no-untyped-def]
    from .drivers import dazu_milestones_to_acceptance

    flow = signed(start, milestones=MILESTONES)
    dazu_milestones_to_acceptance(flow)
    (carried,) = _carried(flow.s, flow.id, "request").values()
    assert set(carried) == ACCEPTANCE_IN, sorted(carried)
    page = _page_data(flow.s, flow.id, "request")
    assert (page["project_code"], page["title"]) == (flow.key, flow.data["title"])
    accept(flow)
    after = flow.data
    assert after["acceptance_outcome"] == "pass" and after["acceptance_opinion"] == "通过"
    assert after["self_evaluation"] and after["acceptance_late"] is False
    assert "acceptance_problem" not in after and "user_rating" not in after


#: what the extension carries: the request, the period and the count it may change, the policy table's rules
EXTENSION_IN = {
    "requested_extension",
    "period_end",
    "extension_count",
    "project_code",
    "ext_max_count",
    "ext_notice_days",
    "ext_max_months",
    "ext_source",
    "ext_needs_audit",
    "ext_needs_issuer",
    "ext_needs_approver",
}
#: what its admission check adds before the bureau reviews (003 §19, engine.domain.extension_rules)
EXTENSION_CHECKED = {"extension_result", "extension_refusal", "ext_days"}


def test_the_extension_carries_the_request_and_gives_back_the_period(start) -> None:  # type: ignore[no-untyped-def]
    """003 §19: the bureau, then the issuer (Karamay), decide on a request; only the request, the period, the
    count and the policy's rules reach the extension, and the period, the count and the result come back."""
    flow = implementing(start, "karamay")
    end = flow.data["period_end"]
    flow.at("2027-03-01T09:00:00+08:00")
    flow.message("extension_request", {"days": 90, "reason": "关键设备延迟到货"})
    (carried,) = _carried(flow.s, flow.id, "review").values()
    assert set(carried) == EXTENSION_IN | EXTENSION_CHECKED, sorted(carried)
    assert carried["requested_extension"]["reason"] == "关键设备延迟到货" and "panel_min" not in carried
    page = _page_data(flow.s, flow.id, "review")  # the bureau's page reads the case beneath it
    assert (page["project_code"], page["title"], page["ext_days"]) == (flow.key, flow.data["title"], 90)
    flow.do("review", {"extension_decision": "approve", "extension_reason": "属客观原因"})
    (carried,) = _carried(flow.s, flow.id, "issuer_approve").values()
    assert set(carried) <= EXTENSION_IN | EXTENSION_CHECKED | {
        "extension_decision",
        "extension_reason",
        "audit_report",
    }
    before = flow.data
    flow.do("issuer_approve", {"issuer_decision": "approve"})
    after = flow.data
    assert after["extension_result"] == "granted" and after["period_end"] > end
    assert after["extension_count"] == 1 and after["extension_refusal"] == ""
    # of the extension's own steps nothing else came back
    assert not {"ext_days", "extension_decision", "extension_reason", "issuer_decision"} & set(after)
    assert after["milestones"] == before["milestones"] and after["panel_min"] == before["panel_min"]


#: what the termination carries: the request, who else consents, the termination table's credit rules
TERMINATION_IN = {
    "requested_termination",
    "project_code",
    "solvers",
    "credit_kind",
    "penalty_years",
    "termination_source",
    "termination_cosigner",
}
TERMINATION_OUT = ("termination_result", "termination_refusal", "recovered_fen", "requested_termination")
AUDIT = {"audit_report": PDF, "audit_unspent": [{"solver": "DAZU-S1", "unspent_fen": "100,000"}]}


def _termination_audited(start) -> Any:  # type: ignore[no-untyped-def]
    flow = implementing(start, "dazu")
    flow.at("2027-03-01T09:00:00+08:00")
    flow.message(
        "termination_request", {"cause": "objective", "reason": "市场变化", "submitted_by": "solver_dazu"}
    )
    (carried,) = _carried(flow.s, flow.id, "audit").values()
    assert set(carried) == TERMINATION_IN, sorted(carried)
    page = _page_data(flow.s, flow.id, "audit")  # the auditor's page reads the case beneath it
    assert (page["project_code"], page["contract_fen"]) == (flow.key, flow.data["contract_fen"])
    flow.do("audit", AUDIT)
    flow.do("decide", {"termination_decision": "approve", "termination_opinion": "同意终止"})
    (carried,) = _carried(flow.s, flow.id, "gov_consent").values()
    assert set(carried) == TERMINATION_IN | set(AUDIT) | {
        "liability",
        "termination_decision",
        "termination_opinion",
    }
    return flow


def test_a_refused_termination_gives_back_nothing_recovered_and_no_request(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(八): refused by the district government, nothing is recovered and the project goes on: every
    output of the termination comes back, with the honest values of a refusal."""
    flow = _termination_audited(start)
    flow.do("gov_consent", {"consent_decision": "reject", "consent_opinion": "不属不可抗力"})
    after = flow.data
    assert after["termination_result"] == "refused" and after["recovered_fen"] == 0
    assert after["termination_refusal"] == {"by": "approver", "reason": "不属不可抗力"}
    assert after["requested_termination"] is None
    assert not {"audit_unspent", "termination_decision", "consent_decision", "consent_opinion"} & set(after)


def test_a_termination_that_took_effect_gives_back_the_recovery_and_no_refusal(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(八): with the district government's consent the audited balance is recovered."""
    flow = _termination_audited(start)
    flow.do("gov_consent", {"consent_decision": "approve", "consent_opinion": "同意"})
    after = flow.data
    assert after["termination_result"] == "terminated" and after["termination_refusal"] is None
    assert after["recovered_fen"] == 10_000_000 and after["requested_termination"]["reason"] == "市场变化"
    assert not {"audit_unspent", "termination_decision", "consent_decision"} & set(after)
    assert {k for k in TERMINATION_OUT if k not in after} == set()


#: what the contract payment carries: who pays, the solvers and the acceptance table's consequence
CONTRACT_PAYMENT_IN = {
    "project_code",
    "issuer_code",
    "solvers",
    "acceptance_credit",
    "acceptance_status",
    "acceptance_rule_source",
    "acceptance_opinion",
    "penalty_years",
}


def test_the_contract_payment_carries_the_acceptance_and_gives_back_its_figures(start) -> None:  # type: ignore[no-untyped-def]
    """002 五(二)1: the issuer pays what the contract says before the settlement; only what the settlement
    applies reaches the payment, and the figures come back."""
    flow = passed(start, "urumqi")
    (carried,) = _carried(flow.s, flow.id, "issuer_contract_payment").values()
    assert set(carried) == CONTRACT_PAYMENT_IN | {"contract_figures"}, sorted(carried)
    page = _page_data(flow.s, flow.id, "issuer_contract_payment")
    assert page["contract_payment_source"].startswith("002 五(二)1") and page["title"] == flow.data["title"]
    contract_paid(flow)
    after = flow.data
    assert after["contract_figures"]["owed_fen"] == 0 and status(flow) == "accepted"
    # of the payment's own steps nothing else came back (the issuer's payments are in the ledger)
    assert not {"contract_paid_fen", "contract_paid_on", "contract_payment_proof"} & set(after)


#: the shared called processes whose inputs were declared (expert_scoring declared them before)
DECLARED = (
    "bpmn/shared/publicity.bpmn",
    "bpmn/shared/expert_review.bpmn",
    "bpmn/shared/acceptance.bpmn",
    "bpmn/shared/race_team.bpmn",
    "bpmn/dazu/stages/dazu_milestone.bpmn",
    "bpmn/shared/extension.bpmn",
    "bpmn/shared/termination.bpmn",
    "bpmn/shared/contract_payment.bpmn",
)


def _without_declarations() -> list[BundleFile]:
    """bpmn/ as it was before: the called processes above without their ioSpecification (whole copies)."""
    out = []
    for f in collect_paths([BPMN]):
        if f.name in DECLARED:
            text = f.content.decode()
            text, n = re.subn(r"\s*<bpmn:ioSpecification .*?</bpmn:ioSpecification>", "", text, flags=re.S)
            assert n == 1, f.name
            f = BundleFile(f.name, text.encode())
        out.append(f)
    return out


def test_a_state_stored_before_the_declarations_runs_to_the_end(start, world: Session) -> None:  # type: ignore[no-untyped-def]
    result = deploy_bundle(world, _without_declarations())
    old = {p.key: p.version for p in result.processes if p.created}
    assert "publicity" in old and "dazu_challenge" in old
    seen: list[set[str]] = []

    class Watching:
        """``start`` on the old diagrams; notes what the old publicity carried while it ran."""

        def __call__(self, j: str, **data: Any) -> Any:
            flow = start(j, version=old["dazu_challenge"], **data)
            flow_class = type(flow)
            at = flow_class.at

            def watched_at(self_: Any, iso: str) -> int:
                calls = _call_tasks(self_, "publicity")
                if (
                    calls and calls[0].state != TaskState.COMPLETED
                ):  # the publicity runs: what its tasks carry
                    wf = calls[0].workflow.top_workflow
                    (sub,) = [s for s in wf.subprocesses.values() if s.parent_task_id == calls[0].id]
                    seen.append(set().union(*(t.data for t in sub.get_tasks())))
                return at(self_, iso)

            flow.at = watched_at.__get__(flow)
            return flow

    flow = dazu_lifecycle(Watching())
    assert seen and "panel_min" in seen[0] and "selected" in seen[0]  # the old publicity held the whole case
    case = flow.data
    assert case["publicity_result"] == "passed" and flow.info()["status"] == "completed"
