"""Money guards, acceptance conclusions, reminders and the application count (002 四(二)) across
jurisdictions: what the acceptance table decides, what a task book may stage, one branch per deadline."""

from __future__ import annotations

from sqlalchemy import select

from engine.domain import ledger
from engine.models.domain import CreditRecord, Project
from engine.models.reminder import Reminder

from .conftest import DOCS, application, need, panel, register_contract, score_all
from .drivers import LIST_APPROVED, NEED_PANEL
from .test_urumqi import implementing, to_contract

REVIEW = {"importance": 9, "feasibility": 8, "difficulty": 7, "need_listed_decision": "list"}


def test_failed_acceptance_needs_a_cause_and_objective_failure_recovers_the_part(start) -> None:  # type: ignore[no-untyped-def]
    """003 §20, 004 三(六): a failure names its cause; the Urumqi acceptance table (policy parameter for an
    objective cause, as 004 三(六)) recovers the part the panel fixed, records no misconduct, status failed."""
    flow = implementing(start)
    flow.at("2028-05-14T01:00:00+08:00")
    flow.do("request", DOCS)
    refused = flow.refused("review", {"acceptance_outcome": "fail", "acceptance_opinion": "未达指标"})
    assert "原因" in refused["acceptance_fail_cause"]
    objective = {
        "acceptance_outcome": "fail",
        "acceptance_fail_cause": "objective",
        "acceptance_opinion": "未达指标",
    }
    assert "追回金额" in flow.refused("review", objective)["acceptance_recover_fen"]
    flow.do(
        "review",
        {
            "acceptance_outcome": "fail",
            "acceptance_fail_cause": "objective",
            "acceptance_recover_fen": "200,000",
            "acceptance_opinion": "技术路线受限",
        },
    )
    assert flow.info()["status"] == "completed"
    bal = ledger.balance(flow.s, flow.key)
    assert bal["recovered_fen"] == 20_000_000 and bal["held_fen"] == 80_000_000
    assert flow.s.scalar(select(Project.status).where(Project.code == flow.key)) == "failed"
    assert flow.s.scalars(select(CreditRecord).where(CreditRecord.subject == "URUMQI-S1")).first() is None
    assert flow.data["acceptance_rule_source"].startswith("000 §14：未作规定")


def test_karamay_non_objective_failure_starts_an_integrity_investigation(start) -> None:  # type: ignore[no-untyped-def]
    """003 §20: failed acceptance for non-objective causes → recover the fiscal money and investigate."""
    from .test_karamay import implementing as karamay_implementing

    flow = karamay_implementing(start)
    flow.at("2028-05-20T09:00:00+08:00")
    flow.do("request", DOCS)
    flow.do("user_eval", {"user_rating": "unsatisfied"})
    flow.do(
        "review",
        {
            "acceptance_outcome": "fail",
            "acceptance_fail_cause": "non_objective",
            "acceptance_opinion": "弄虚作假",
        },
    )
    assert ledger.balance(flow.s, flow.key)["held_fen"] == 0
    kinds = [r.kind for r in flow.s.scalars(select(CreditRecord).where(CreditRecord.source.like("003 §20%")))]
    assert kinds and set(kinds) == {"integrity_investigation"}


def test_milestone_shares_above_the_support_refused(start) -> None:  # type: ignore[no-untyped-def]
    """000 §12(6)–(7): the first tranche (50%, policy parameter) and the milestone shares cannot exceed the
    approved fiscal support; the task book comes back with the reason and nothing is paid."""
    flow = start("urumqi")
    to_contract(flow)
    flow.at("2026-05-13T00:00:00+08:00")
    book = {
        "period_months": 36,
        "ip_ownership": "发榜方",
        "disbursement_plan": "分阶段",
        "milestones": [
            {"title": "小试", "due_date": "2027-01-31", "indicators": "a", "tranche_pct": 30},
            {"title": "中试", "due_date": "2028-01-31", "indicators": "b", "tranche_pct": 30},
        ],
    }
    assert "100%" in flow.refused("sign_contract", book)["milestones"]
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 0
    book["milestones"][1]["tranche_pct"] = 20
    flow.do("sign_contract", book)
    register_contract(flow)  # 002 五(二)6: the first tranche waits for the registration
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 100_000_000


def test_dazu_race_needs_the_case_by_case_first_share(start) -> None:  # type: ignore[no-untyped-def]
    """001 十(二): in a Dazu 赛马 the first split is decided case by case; choosing a race without it is sent
    back before approval instead of failing at the first tranche."""
    flow = start("dazu")
    flow.do("post_need", need(race_wanted=True))  # 001 八(四): the need agrees to a race
    flow.do("form_need_panel", panel(NEED_PANEL))  # 001 八(二)
    flow.do("need_review", REVIEW)
    flow.do("municipal_check", {"taken_municipal": "no"})
    flow.do("list_review", LIST_APPROVED)  # 001 八(二)
    flow.do("publish_list", {"list_published_on": "2026-06-20"})
    flow.do(
        "collect_applications",
        {"applications": [application("DAZU-S1", "DAZU-P1"), application("DAZU-S2", "DAZU-P4")]},
    )
    flow.do("form_panel", panel(["e1", "e2", "e3", "e4", "e5"]))
    score_all(flow, {"DAZU-S1": 88, "DAZU-S2": 87})
    race = {
        "mode": "race",
        "selected": "DAZU-S1,DAZU-S2",
        "contract_fen": "3,000,000",
        "fiscal_support_fen": "900,000",
        "stage_due": "2026-12-31",
        "selection_reason": "路线不同",
    }
    assert "001 十(二)" in flow.refused("select", race)["race_first_pct_case"]
    assert "超过" in flow.refused("select", dict(race, race_first_pct_case=60))["race_first_pct_case"]
    flow.do("select", dict(race, race_first_pct_case=25))
    assert flow.ready() == ["approve"]


def test_a_late_sweep_takes_one_branch(start) -> None:  # type: ignore[no-untyped-def]
    """When the sweep comes after both the reminder and the deadline are due, the project goes on once: one
    acceptance request, not two (BPMN: an event-based gateway takes the first event only)."""
    late = implementing(start)
    late.at("2028-06-01T09:00:00+08:00")
    assert late.ready() == ["request"]


def test_period_end_reminder_is_sent_once_per_role(start) -> None:  # type: ignore[no-untyped-def]
    """003 §12(9)1 (acceptance request within 30 days after the end): 14 days before the end (policy
    parameter reminder_days) the solver and the bureau are reminded, once each; the end still comes."""
    flow = implementing(start)
    flow.at("2028-04-29T09:00:00+08:00")
    flow.at("2028-04-30T09:00:00+08:00")
    rows = list(flow.s.scalars(select(Reminder).where(Reminder.project == flow.key)))
    assert sorted(r.role for r in rows) == ["bureau", "solver"]
    assert all(r.kind == "period_end" and "2028年5月13日 24:00" in r.subject_zh for r in rows), [
        r.subject_zh for r in rows
    ]
    flow.at("2028-05-14T09:00:00+08:00")
    assert flow.ready() == ["request"]


def test_this_years_applications_count_for_the_first_three_members(start) -> None:  # type: ignore[no-untyped-def]
    """002 四(二): a main member (first three) with city projects in progress and this year's applications
    above 2 in total is refused; the application to the same challenge does not count against itself.
    URUMQI-P9 is a researcher of URUMQI-S3, the partner of URUMQI-S4's consortium."""

    def apply_to_new_challenge(members: str):  # type: ignore[no-untyped-def]
        flow = start("urumqi")
        flow.do("post_need", need())
        flow.do("recommend", {"recommended": "yes"})
        flow.do("need_review", REVIEW)
        flow.do("publish_list", {"list_published_on": "2026-06-20"})
        flow.do(
            "collect_applications",
            {"applications": [application("URUMQI-S4", members, partners="URUMQI-S3")]},
        )
        return flow

    first = apply_to_new_challenge("URUMQI-P9")
    assert first.data["application_refusals"] == []
    # the bureau records the same application again after extending the window: still not counted twice
    first.do("few_teams", {"few_teams_choice": "extend", "few_teams_reason": "延长"})
    first.do(
        "collect_applications",
        {"applications": [application("URUMQI-S4", "URUMQI-P9", partners="URUMQI-S3")]},
    )
    assert first.data["application_refusals"] == []
    second = apply_to_new_challenge("URUMQI-P9")
    assert second.data["application_refusals"] == []
    third = apply_to_new_challenge("URUMQI-P9")
    assert third.data["application_refusals"] == []  # 2 other applications this year: not above 2
    fourth = apply_to_new_challenge("URUMQI-P9")
    assert [(r["rule"], r["source"]) for r in fourth.data["application_refusals"]] == [
        ("limit_person_load", "002 四(二)")
    ]


def test_classified_or_restricted_lists_are_not_published_online(start, world) -> None:  # type: ignore[no-untyped-def]
    """002 五(二)10: classified items are not published online; 001 八(二): a restricted scope. Even with a
    closing date the list is taken offline and the portal does not show it; a public list is shown."""
    from engine import portal

    for scope, key_online in (("classified", False), ("restricted", False), ("public", True)):
        flow = start("urumqi")
        flow.do("post_need", need(scope=scope))
        flow.do("recommend", {"recommended": "yes"})
        flow.do("need_review", REVIEW)
        flow.do("publish_list", {"list_published_on": "2026-05-06", "applications_close_on": "2026-05-31"})
        listed = [c.business_key for c in portal.challenges(world)]
        assert (flow.key in listed) is key_online, scope
        assert flow.ready() == ([] if key_online else ["collect_applications"])
