"""The non-money lifecycle rules of engine.domain (the functions the diagrams' script tasks call), each tested
after its source."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from engine.clock import SHANGHAI
from engine.domain import (
    acceptance_checks,
    application_intake,
    changes,
    checkpoints,
    extension_rules,
    need_intake,
    race_rules,
    report_texts,
    review_scores,
    rule_checks,
    termination_rules,
    validity,
)
from engine.domain.checks import CHECKS


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


URUMQI_CALL = ("2026-04-25T10:00:00+08:00", "2026-06-10T19:30:00+08:00", "002 五(一)1, 五(一)3")


# --- need intake ------------------------------------------------------------------------------------------


def test_002_5_1_1_urumqi_call_opens_2026_04_25_10_00() -> None:
    """002 五(一)1: needs are posted from 2026-04-25 10:00 to 2026-06-10 19:30 (Beijing time)."""
    early = need_intake.call_problems(at("2026-04-25T09:59"), *URUMQI_CALL)
    assert len(early) == 1 and "征集尚未开始" in early[0].zh and "2026-04-25 10:00" in early[0].zh
    assert early[0].citation == "002 五(一)1, 五(一)3"
    assert need_intake.call_problems(at("2026-04-25T10:00"), *URUMQI_CALL) == []
    late = need_intake.call_problems(at("2026-06-10T19:31"), *URUMQI_CALL)
    assert "申报已截止" in late[0].zh and "2026-06-10 19:30" in late[0].zh
    # a window left to the annual notice (001 八(一)): no bound of the policy's own
    assert need_intake.call_problems(at("2020-01-01T00:00"), None, None, "001 八(一)") == []


def test_000_18_urumqi_measures_valid_until_2028_12_31() -> None:
    """000 §18: the Urumqi measures are valid until 2028-12-31; nothing new is accepted after."""
    until = "2028-12-31T23:59:59+08:00"
    assert validity.validity_problems(at("2028-12-31T23:00"), None, until, "000 §18") == []
    (expired,) = validity.validity_problems(at("2029-01-01T00:00"), None, until, "000 §18")
    assert "已失效" in expired.zh and "2028-12-31" in expired.zh and expired.citation == "000 §18"
    assert "expired" in expired.en


def test_003_23_karamay_measures_in_force_30_days_after_publication_for_five_years() -> None:
    """003 §23: published 2025-02-26, in force 30 days later (2025-03-28) for five years (to 2030-03-27)."""
    args = ("2025-03-28T00:00:00+08:00", "2030-03-27T23:59:59+08:00", "003 §23")
    (before,) = validity.validity_problems(at("2025-03-27T12:00"), *args)
    assert "起施行" in before.zh and "2025-03-28" in before.zh
    assert validity.validity_problems(at("2025-03-28T00:00"), *args) == []
    assert validity.validity_problems(at("2030-03-27T18:00"), *args) == []
    assert validity.validity_problems(at("2030-03-28T00:00"), *args)


URUMQI_NEED = {
    "req_end_user": True,
    "end_user_source": "002 二(一)2(5)",
    "req_pledges": True,
    "req_audits": True,
    "req_ethics": True,
    "min_total_fen": 500_000_000,
    "min_total_source": "000 §6, 002 五(二)1",
    "issuer_end_user": True,
    "pledge_unit": True,
    "pledge_leader": True,
    "category": "breakthrough",
    "audit_prev": {"name": "a.pdf"},
    "audit_last": {"name": "b.pdf"},
    "need_total_fen": 800_000_000,
}


def test_002_5_2_4_urumqi_pledges_at_posting_001_8_6_dazu_not() -> None:
    """002 五(二)4: Urumqi needs the pledges of unit and leader at posting; 001 八(六): Dazu's pledge is part of
    the task book, so a Dazu need without it is not refused (its policy table has ``req_pledges`` off)."""
    assert need_intake.attachment_problems(URUMQI_NEED) == []
    (missing,) = need_intake.attachment_problems(dict(URUMQI_NEED, pledge_leader=False))
    assert missing.field == "pledge_leader" and missing.citation == "002 五(二)4"
    dazu = {"req_pledges": False, "pledge_unit": False, "pledge_leader": False, "min_total_fen": 0}
    assert need_intake.attachment_problems(dazu) == []
    assert "integrity_pledge" in [
        h.field for h in rule_checks.task_book_pledge_hints({"task_book_requires": ["integrity_pledge"]})
    ]
    (pledge,) = rule_checks.task_book_pledge_problems(
        {
            "task_book_requires": ["confidentiality", "integrity_pledge"],
            "task_book_requires_source": "001 八(六)",
        }
    )
    assert pledge.field == "integrity_pledge" and pledge.citation == "001 八(六)"
    assert rule_checks.task_book_pledge_problems({"task_book_requires": ["confidentiality"]}) == []


def test_need_intake_names_every_problem_and_hints_the_requirements() -> None:
    """002 二(一)2(5), 五(二)4, 五(二)5, 五(二)9, 000 §6: all missing items, each beside its field."""
    data = dict(
        URUMQI_NEED,
        issuer_end_user=False,
        pledge_unit=False,
        audit_prev=None,
        ethics_field=True,
        need_total_fen=100_000_000,
        call_opens=URUMQI_CALL[0],
        call_closes=URUMQI_CALL[1],
        call_source=URUMQI_CALL[2],
        measures_valid_until="2028-12-31T23:59:59+08:00",
        measures_source="000 §18",
    )
    fields = [p.field for p in need_intake.need_problems(data, at("2026-05-06T09:00"))]
    assert fields == ["issuer_end_user", "pledge_unit", "audit_prev", "ethics_review", "need_total_fen"]
    hints = {h.field for h in need_intake.need_hints(URUMQI_NEED)}
    assert hints == {"issuer_end_user", "pledge_unit", "audit_prev", "ethics_review", "need_total_fen"}
    assert "need_intake" in CHECKS


def test_002_5_1_2_recommendation_deadline() -> None:
    deadline = "2026-06-12T19:30:00+08:00"
    assert need_intake.recommendation_refusal(at("2026-06-12T19:00"), "yes", deadline) == ""
    assert "002 五(一)2" in need_intake.recommendation_refusal(at("2026-06-12T19:31"), "yes", deadline)
    assert "未予推荐" in need_intake.recommendation_refusal(at("2026-06-01T09:00"), "no", deadline)


# --- applications -------------------------------------------------------------------------------------------


def test_000_12_3_online_window_and_002_5_2_10_offline_lists() -> None:
    start = "2026-05-06T09:00:00+08:00"
    end = "2026-06-01T00:00:00+08:00"
    assert application_intake.online_window(start, end, "public") == [start, end, ""]
    assert application_intake.online_window(start, "2026-05-06T00:00:00+08:00", "public") == [start, "", ""]
    _s, closed, reason = application_intake.online_window(start, end, "classified")
    assert closed == "" and "002 五(二)10" in reason


def test_applications_received_split_and_sorted() -> None:
    apps = application_intake.with_application([], {"solver": "S1", "members": "P1, P2,"}, "t1")
    apps = application_intake.with_application(apps, {"solver": "S2", "members": "P3"}, "t2")
    apps = application_intake.with_application(apps, {"solver": "S1", "members": "P4"}, "t3")
    assert [(a["solver"], a["received_at"]) for a in apps] == [("S2", "t2"), ("S1", "t3")]
    listed = application_intake.with_code_lists([{"solver": "S1", "members": "P1, P2,", "partners": None}])
    assert listed[0]["members_list"] == ["P1", "P2"] and listed[0]["partners_list"] == []
    refusals = application_intake.refusals_of([[None, {"solver": "S2", "rule": "x"}], [None]])
    assert [r["solver"] for r in refusals] == ["S2"]
    assert [a["solver"] for a in application_intake.eligible(apps, refusals)] == ["S1"]
    solvers, teams = application_intake.selected_teams("S1, S2", "2026-12-31", None)
    assert solvers == ["S1", "S2"] and teams[1] == {
        "solver": "S2",
        "stage_due": "2026-12-31",
        "stage_task": "",
    }


# --- 赛马 ----------------------------------------------------------------------------------------------------

URUMQI_RACE = {"race_needs_request": True, "race_request_source": "000 §12(1), 002 五(二)7"}
DAZU_RACE = {"race_needs_request": True, "race_request_source": "001 八(四)"}
KARAMAY_RACE = {"race_needs_request": False, "race_request_source": "003 §12(5)"}


def test_000_12_1_002_5_2_7_urumqi_race_only_when_the_need_asked() -> None:
    (problem,) = race_rules.race_mode_problems(dict(URUMQI_RACE, mode="race", race_wanted=False))
    assert problem.field == "mode" and "未提出采用赛马制" in problem.zh
    assert problem.citation == "000 §12(1), 002 五(二)7"
    assert race_rules.race_mode_problems(dict(URUMQI_RACE, mode="race", race_wanted=True)) == []
    assert race_rules.race_mode_problems(dict(URUMQI_RACE, mode="single", race_wanted=False)) == []


def test_001_8_4_dazu_race_only_with_the_consent_of_the_need() -> None:
    (problem,) = race_rules.race_mode_problems(dict(DAZU_RACE, mode="race", race_wanted=None))
    assert problem.citation == "001 八(四)"
    assert "只能选择单一揭榜方" in race_rules.race_mode_hints(dict(DAZU_RACE))[0].zh


def test_003_12_5_karamay_panel_may_propose_a_race() -> None:
    assert race_rules.race_mode_problems(dict(KARAMAY_RACE, mode="race", race_wanted=False)) == []
    assert race_rules.race_mode_hints(KARAMAY_RACE) == []


def test_000_12_7_003_13_3_race_conclusion() -> None:
    results = [
        {"solver": "A", "passed": True},
        {"solver": "B", "passed": False},
        {"solver": "C", "passed": True},
    ]
    problem, keep, exits = race_rules.race_conclusion(results, "A, B", "several", False)
    assert "000 §12(7)" in problem and keep == ["A", "B"] and exits == ["C"]
    assert "003 §13(3)" in race_rules.race_conclusion(results, "A, C", "several", True)[0]
    assert race_rules.race_conclusion(results, "A, C", "several", False) == ["", ["A", "C"], ["B"]]
    assert "一个团队" in race_rules.race_conclusion(results, "A, C", "best", False)[0]
    assert "恰好一家" in race_rules.race_conclusion(results, "A", "single", False)[0]


# --- implementation -----------------------------------------------------------------------------------------

MILESTONES = [
    {"title": "中试", "due_date": "2027-06-30", "indicators": "b", "done": False},
    {"title": "小试", "due_date": "2026-11-30", "indicators": "a", "done": False},
    {"title": "晚于期满", "due_date": "2028-06-30", "indicators": "c", "done": False},
]


def test_000_12_7_next_checkpoint_is_the_earliest_open_milestone_then_the_period_end() -> None:
    nxt, kind, day, due, remind = checkpoints.next_checkpoint(MILESTONES, "2028-05-13", False, 14)
    assert (nxt["title"], kind, day) == ("小试", "milestone", "2026-11-30")
    assert due == "2026-12-01T00:00:00+08:00" and remind == "2026-11-16T00:00:00+08:00"
    done = [dict(m, done=True) if m["title"] != "晚于期满" else m for m in MILESTONES]
    assert checkpoints.next_checkpoint(done, "2028-05-13", False, 14)[1:3] == ["period_end", "2028-05-13"]
    # self-managed (000 §12(7): under three years) has no milestone checks
    assert checkpoints.next_checkpoint(MILESTONES, "2028-05-13", True, 14)[0] is None
    kind, zh, en = checkpoints.checkpoint_reminder(
        "period_end", None, "2028-05-14T00:00:00+08:00", 30, "003 §12(9)", "稠油开采降粘剂"
    )
    assert kind == "period_end" and "30 日内" in zh and "003 §12(9)" in zh
    # what is due, for which case, by when: 24:00 of the period's last day, as the pages say it
    assert zh.startswith("“稠油开采降粘剂”的实施期将于北京时间 2028年5月13日 24:00 结束")
    assert en.startswith("The period of “稠油开采降粘剂” ends at 2028-05-13 24:00 (Beijing time)")
    kind, zh, en = checkpoints.checkpoint_reminder("milestone", nxt, due, 30, "003 §12(9)", "稠油开采降粘剂")
    assert zh.startswith("“稠油开采降粘剂”的里程碑“小试”将于北京时间 2026年11月30日 24:00 到期")
    assert en.startswith("Milestone “小试” of “稠油开采降粘剂” is due by 2026-11-30 24:00 (Beijing time)")


def test_001_8_7_milestone_panel_five_and_odd() -> None:
    args = (5, True, "001 八(七)")
    assert "不少于 5 人" in checkpoints.milestone_verdict("a,b,c,d", *args, "yes", "continue", None, "")[0]
    assert "奇数" in checkpoints.milestone_verdict("a,b,c,d,e,f", *args, "yes", "continue", None, "")[0]
    assert checkpoints.milestone_verdict("a,b,c,d,e", *args, "yes", "continue", None, "") == ["", None]
    assert "原因" in checkpoints.milestone_verdict("a,b,c,d,e", *args, "no", "stop", None, "")[0]
    problem, termination = checkpoints.milestone_verdict("a,b,c,d,e", *args, "no", "stop", "objective", "")
    assert problem == "" and termination["cause"] == "objective" and "叫停" in termination["reason"]


def test_003_17_parties_fixed_003_18_changes() -> None:
    assert "003 §17" in changes.change_refusal({"kind": "solver"}, "003 §17")
    assert "变更类型" in changes.change_refusal({"kind": "address"}, "003 §17")
    assert changes.change_refusal({"kind": "leader"}, "003 §17") == ""


def test_001_5_2_dazu_new_leader_is_a_major_change() -> None:
    """001 五(二): the project leader may not leave during the project as a rule."""
    dazu = {"leader_change_major": True, "leader_change_source": "001 五(二)", "change": {"kind": "leader"}}
    (problem,) = changes.major_change_problems(dict(dazu, change_decision="approve"))
    assert problem.field == "leader_exception" and problem.citation == "001 五(二)"
    assert changes.major_change_problems(dict(dazu, change_decision="approve", leader_exception=True)) == []
    assert changes.major_change_problems(dict(dazu, change_decision="reject")) == []
    urumqi = dict(dazu, leader_change_major=False, change_decision="approve")
    assert changes.major_change_problems(urumqi) == [] and changes.major_change_hints(urumqi) == []
    recorded = changes.with_change(
        None, {"kind": "leader", "detail": "P2"}, "approve", "同意", "t", "003 §18", True, "001 五(二)"
    )
    assert recorded[0]["major"] is True and recorded[0]["source"] == "003 §18; 001 五(二)"
    budget = changes.with_change(
        recorded, {"kind": "budget"}, "reject", "否", "t2", "003 §18", True, "001 五(二)"
    )
    assert [c["major"] for c in budget] == [True, False]


# --- extension ---------------------------------------------------------------------------------------------

EXT = {"count": 0, "max_count": 1, "notice_days": 30, "max_months": 12, "source": "003 §19"}


@pytest.mark.parametrize(
    ("end", "most"),
    [
        ("2027-03-01", 366),  # a leap day (2028-02-29) within the year: one year is 366 days
        ("2027-02-28", 365),
        ("2028-02-29", 365),  # to 2029-02-28
    ],
)
def test_003_19_001_8_8_at_most_one_calendar_year(end: str, most: int) -> None:
    """003 §19, 001 八(八): an extension of at most one year — a calendar year from the original end."""
    today = date(2026, 6, 1)
    ok = extension_rules.extension_problems(period_end=end, today=today, days=most, **EXT)
    assert ok == []
    (too_long,) = extension_rules.extension_problems(period_end=end, today=today, days=most + 1, **EXT)
    assert f"1 至 {most} 天" in too_long.zh and too_long.citation == "003 §19"


def test_003_19_once_and_30_days_before_the_end() -> None:
    (again,) = extension_rules.extension_problems(
        period_end="2028-05-13", today=date(2026, 6, 1), days=30, **dict(EXT, count=1)
    )
    assert "1 次" in again.zh
    (late,) = extension_rules.extension_problems(
        period_end="2028-05-13", today=date(2028, 4, 20), days=30, **EXT
    )
    assert "2028-04-13" in late.zh and "只剩 23 日" in late.zh


# --- acceptance, review, termination, reports ----------------------------------------------------------------


def test_003_12_9_acceptance_requested_within_30_days() -> None:
    assert acceptance_checks.acceptance_timing("2028-05-13", date(2028, 6, 12), 30, "003 §12(9)") == [
        False,
        "",
    ]
    late, note = acceptance_checks.acceptance_timing("2028-05-13", date(2028, 6, 13), 30, "003 §12(9)")
    assert late and "30 日" in note and "003 §12(9)" in note


def test_001_8_8_dazu_acceptance_panel_five_and_odd() -> None:
    dazu = {"acc_panel_min": 5, "acc_panel_odd": True, "acc_panel_source": "001 八(八)"}
    (few,) = acceptance_checks.acceptance_panel_problems(dict(dazu, acceptance_panel="甲，乙, 丙, 丁"))
    assert (
        few.field == "acceptance_panel"
        and "不少于 5 人，当前 4 人" in few.zh
        and few.citation == "001 八(八)"
    )
    (even,) = acceptance_checks.acceptance_panel_problems(dict(dazu, acceptance_panel="a,b,c,d,e,f"))
    assert "奇数" in even.zh
    assert acceptance_checks.acceptance_panel_problems(dict(dazu, acceptance_panel="a,b,c,d,e")) == []
    urumqi = {"acc_panel_min": 0, "acc_panel_odd": False}
    assert acceptance_checks.acceptance_panel_problems(urumqi) == []
    assert acceptance_checks.acceptance_panel_hints(urumqi) == []


def test_000_12_4_scores_ranked_by_average() -> None:
    reviews = [
        {"expert": "e1", "scores": [{"solver": "A", "score": 80}, {"solver": "B", "score": 90}]},
        {"expert": "e2", "scores": [{"solver": "A", "score": 85}, {"solver": "B", "score": 91}]},
    ]
    assert review_scores.score_ranking(reviews) == [
        {"solver": "B", "average": 90.5, "count": 2},
        {"solver": "A", "average": 82.5, "count": 2},
    ]


def test_003_17_a_revocation_closes_the_project_as_revoked() -> None:
    assert termination_rules.final_status("revocation") == "revoked"
    assert termination_rules.final_status("objective") == "terminated"


def test_000_12_8_annual_texts_and_004_pilot_figures() -> None:
    year = {
        "year": 2026,
        "as_of": "2026-12-31",
        "needs": {"posted": 3, "published": 2},
        "projects": {
            "funded": 1,
            "by_status": {"ongoing": 1},
            "list": [{"code": "P", "title": "T", "status": "ongoing"}],
        },
        "money": {
            "disbursed_fen": 150,
            "recovered_fen": 0,
            "issuer_paid_fen": 0,
            "by_tranche": [{"kind": "disbursement", "tranche": "first", "amount_fen": 150, "entries": 1}],
            "projects": [],
        },
        "credit": {"added": 0, "source": "信用中国", "records": []},
    }
    text, funded = report_texts.annual_texts(year)
    assert "财政拨付 disbursed first: 1.50 元 CNY (1)" in text and funded == "实施中 ongoing 1"
    figures, lines, per_year = report_texts.pilot_texts([year, dict(year, year=2027)], "zhangye")
    assert figures["projects"]["funded"] == 2 and figures["money"]["disbursed_fen"] == 300
    assert lines.count("\n") == 1 and per_year == "2026: 1, 2027: 1"


def test_gb_32100_partner_codes_and_000_8_consortium() -> None:
    """Partners are registered units or unified social credit codes with a right check character; a consortium
    is two or more distinct legal persons led by the solver (000 §8, 003 §8)."""
    from engine.domain import unit_checks

    registered = {"DAZU-S2"}.__contains__
    assert unit_checks.partner_problems("DAZU-S2, 91110000600037341L", "DAZU-S1", registered) == []
    (typo,) = unit_checks.partner_problems("91110000600037341X", "DAZU-S1", registered)
    assert "校验位不正确" in typo.zh and typo.citation == "GB 32100-2015"
    assert (
        "不是有效的统一社会信用代码"
        in unit_checks.partner_problems("91110000600037341I", "S", registered)[0].zh
    )
    assert "没有代码为“XYZ”的单位" in unit_checks.partner_problems("XYZ", "S", registered)[0].zh
    itself = unit_checks.partner_problems("DAZU-S2", "DAZU-S2", registered)
    assert [p.citation for p in itself] == ["000 §8, 003 §8"]
    assert "只能列一次" in unit_checks.partner_problems("DAZU-S2,DAZU-S2", "S", registered)[0].zh
