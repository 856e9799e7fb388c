"""The rules checked before a form is accepted (engine/domain/*_checks.py), one test per cited rule.

Policy values are given as the DMN tables give them (variables of the task data); the numbers below are
examples of those values, not the rules themselves."""

from __future__ import annotations

from datetime import date

import pytest

from engine.domain import acceptance_checks, date_checks, funding_checks
from engine.domain.checks import CHECKS, CheckContext, hints, problems, unknown
from engine.domain.problems import Note, diagram_note

DAZU = {  # policy values as policy_dazu.dmn outputs them
    "fiscal_ratio_pct": 30,
    "fiscal_base": "total",
    "fiscal_cap_fen": 100_000_000,
    "money_source": "001 十(一)",
    "race_min_teams": 2,
    "race_max_teams": 3,
    "race_first_pct": None,
    "first_pct": 50,
    "issuer_prepay_pct": 40,
    "issuer_stage_pct": 30,
    "issuer_stage_source": "001 十(二): the issuer pays the solver 30% after the stage review",
    "period_min_months": 1,
    "period_max_months": 36,
    "policy_edition": "大足区 001 (2023)",
    "task_book_requires": ["confidentiality"],
    "task_book_requires_source": "001 八(六): integrity pledge and confidentiality agreement",
    "milestone_tranches": False,
    "milestone_tranches_source": "001 十(二)",
    "third_party_review": False,
}
URUMQI_BASE = {"fiscal_ratio_pct": 40, "fiscal_base": "contract", "fiscal_cap_fen": 300_000_000}
TODAY = date(2026, 5, 13)


def fields(notes: list[Note]) -> dict[str, str]:
    return {n.field: n.text("zh") for n in notes}


# -- money ---------------------------------------------------------------------------------------------------


def test_001_10_1_fiscal_support_at_most_30_percent_of_the_total_and_the_cap() -> None:
    d = dict(DAZU, need_total_fen=300_000_000, candidates=["S1"], selected="S1", mode="single")
    assert funding_checks.fiscal_limit_fen(d) == 90_000_000
    assert funding_checks.selection_problems(dict(d, fiscal_support_fen=90_000_000)) == []
    msg = fields(funding_checks.selection_problems(dict(d, fiscal_support_fen=90_000_001)))[
        "fiscal_support_fen"
    ]
    assert "900,000.00 元" in msg and "项目投入总额的 30%" in msg and msg.endswith("（依据：001 十(一)）")
    # the cap wins over the ratio of a large total
    big = dict(d, need_total_fen=1_000_000_000, fiscal_support_fen=100_000_001)
    assert "1,000,000.00 元" in fields(funding_checks.selection_problems(big))["fiscal_support_fen"]


def test_002_5_2_1_fiscal_support_at_most_40_percent_of_the_contract() -> None:
    d = dict(URUMQI_BASE, money_source="002 五(二)1", contract_fen=600_000_000, candidates=["S1"])
    d.update(selected="S1", mode="single", fiscal_support_fen=240_000_001)
    (p,) = funding_checks.selection_problems(d)
    assert p.field == "fiscal_support_fen" and "2,400,000.00" in p.zh and p.source == "002 五(二)1"
    assert "40% of the contract" in p.text("en")
    assert funding_checks.selection_problems(dict(d, fiscal_support_fen=240_000_000)) == []


def test_selection_hint_shows_the_limit_before_typing() -> None:
    (fiscal, *_rest) = funding_checks.selection_hints(dict(DAZU, need_total_fen=300_000_000))
    assert (
        fiscal.field == "fiscal_support_fen"
        and "最多 900,000.00 元" in fiscal.zh
        and "1,000,000.00" in fiscal.zh
    )
    (by_contract, *_rest) = funding_checks.selection_hints(dict(URUMQI_BASE, money_source="002 五(二)1"))
    assert "合同金额" in by_contract.zh and "40%" in by_contract.zh


def test_001_8_4_normal_project_one_solver_race_two_to_three() -> None:
    d = dict(DAZU, need_total_fen=300_000_000, candidates=["S1", "S2", "S3", "S4"], fiscal_support_fen=1)
    assert (
        "一个揭榜方"
        in fields(funding_checks.selection_problems(dict(d, mode="single", selected="S1,S2")))["selected"]
    )
    race = dict(d, mode="race", stage_due="2026-12-31", race_first_pct_case=20)
    assert "2–3" in fields(funding_checks.selection_problems(dict(race, selected="S1,S2,S3,S4")))["selected"]
    assert funding_checks.selection_problems(dict(race, selected="S1,S2,S3")) == []


def test_only_eligible_candidates_can_be_chosen() -> None:
    d = dict(DAZU, need_total_fen=1, candidates=["S1"], mode="single", selected="S9", fiscal_support_fen=0)
    assert "S9" in fields(funding_checks.selection_problems(d))["selected"]


def test_000_12_7_race_needs_a_stage_date() -> None:
    d = dict(DAZU, need_total_fen=1, candidates=["S1", "S2"], mode="race", selected="S1,S2")
    d.update(fiscal_support_fen=0, race_first_pct_case=20, stage_due=None)
    assert "000 §12(7)" in fields(funding_checks.selection_problems(d))["stage_due"]


def test_001_10_2_race_first_share_case_by_case_and_within_the_support() -> None:
    d = dict(DAZU, need_total_fen=1, candidates=["S1", "S2"], mode="race", selected="S1,S2")
    d.update(fiscal_support_fen=0, stage_due="2026-12-31", race_first_pct_case=None)
    assert "一事一议" in fields(funding_checks.selection_problems(d))["race_first_pct_case"]
    over = fields(funding_checks.selection_problems(dict(d, race_first_pct_case=60)))["race_first_pct_case"]
    assert "120%" in over and "001 十(二)" in over
    assert funding_checks.selection_problems(dict(d, race_first_pct_case=50)) == []


def test_003_12_5_third_party_list_and_budget() -> None:
    d = dict(URUMQI_BASE, money_source="003 §13(2)", third_party_review=True, candidates=["S1", "S2"])
    d.update(recommended_solvers="S1", project_budget_fen=1_000_000_000, mode="single", fiscal_support_fen=0)
    got = fields(funding_checks.selection_problems(dict(d, selected="S2", contract_fen=1_000_000_001)))
    assert "003 §12(5)" in got["selected"] and "10,000,000.00" in got["contract_fen"]
    assert funding_checks.selection_problems(dict(d, selected="S1", contract_fen=1_000_000_000)) == []


def test_001_7_period_within_the_policy_range() -> None:
    d = dict(DAZU, confidentiality=True, milestones=[])
    msg = fields(funding_checks.task_book_problems(dict(d, period_months=37)))["period_months"]
    assert "1–36" in msg and "37" in msg and msg.endswith("（依据：001）")  # the edition's document
    assert funding_checks.task_book_problems(dict(d, period_months=36)) == []


def test_001_8_6_003_12_8_004_5_1_what_the_task_book_must_name() -> None:
    d = dict(DAZU, period_months=24, milestones=[])
    d["task_book_requires"] = ["confidentiality", "chief_expert", "commissioner"]
    got = fields(funding_checks.task_book_problems(d))
    assert set(got) == {"confidentiality", "chief_expert", "commissioner"}
    assert got["confidentiality"].endswith("（依据：001 八(六)）")  # the citation, not the explanation
    done = dict(d, confidentiality=True, chief_expert="张三", commissioner="李四")
    assert funding_checks.task_book_problems(done) == []


def test_001_10_2_no_fiscal_shares_per_milestone_in_dazu() -> None:
    d = dict(DAZU, period_months=24, confidentiality=True, milestones=[{"tranche_pct": 20}])
    assert "001 十(二)" in fields(funding_checks.task_book_problems(d))["milestones"]
    assert "留空" in fields(funding_checks.task_book_hints(d))["milestones"]


def test_000_12_6_first_tranche_and_milestone_shares_at_most_100_percent() -> None:
    d = dict(DAZU, period_months=24, confidentiality=True, milestone_tranches=True, money_source="000 §12(6)")
    over = dict(d, milestones=[{"tranche_pct": 30}, {"tranche_pct": 30}])
    assert "100%" in fields(funding_checks.task_book_problems(over))["milestones"]
    assert (
        funding_checks.task_book_problems(dict(d, milestones=[{"tranche_pct": 30}, {"tranche_pct": 20}]))
        == []
    )
    assert "不超过 50%" in fields(funding_checks.task_book_hints(d))["milestones"]


def test_001_10_2_issuer_prepays_40_percent_before_the_first_fiscal_tranche() -> None:
    d = dict(DAZU, contract_fen=500_000_000)
    assert funding_checks.prepayment_due_fen(d) == 200_000_000
    (p,) = funding_checks.prepayment_problems(dict(d, issuer_paid_fen=100_000_000), paid_before_fen=0)
    assert p.field == "issuer_paid_fen" and "须预付 2,000,000.00 元" in p.zh and p.citation == "001 十(二)"
    assert funding_checks.prepayment_problems(dict(d, issuer_paid_fen=100_000_000), 100_000_000) == []
    (hint,) = funding_checks.prepayment_hints(d, 50_000_000)
    assert "须预付 2,000,000.00 元" in hint.zh and "本次至少 1,500,000.00 元" in hint.zh


def test_001_10_2_issuer_pays_70_percent_in_all_after_the_stage_review() -> None:
    d = dict(DAZU, contract_fen=300_000_000, stage_paid_fen=60_000_000)
    (p,) = funding_checks.stage_payment_problems(d, paid_before_fen=120_000_000)
    assert "2,100,000.00" in p.zh and "900,000.00" in p.zh and p.text("zh").endswith("（依据：001 十(二)）")
    assert funding_checks.stage_payment_problems(dict(d, stage_paid_fen=90_000_000), 120_000_000) == []


# -- dates ---------------------------------------------------------------------------------------------------


def test_000_12_3_window_closes_after_publication_and_not_in_the_past() -> None:
    before = date_checks.publish_problems(
        {"list_published_on": "2026-06-20", "applications_close_on": "2026-06-19"}, date(2026, 6, 1)
    )
    assert [p.field for p in before] == ["applications_close_on"] and "早于发布日期" in before[0].zh
    past = date_checks.publish_problems(
        {"list_published_on": "2026-05-13", "applications_close_on": "2026-05-10"}, TODAY
    )
    assert "已过" in past[-1].zh and "2026-05-13" in past[-1].zh
    ok = {"list_published_on": "2026-05-13", "applications_close_on": "2026-05-13"}
    assert date_checks.publish_problems(ok, TODAY) == []
    assert date_checks.publish_problems({"list_published_on": "2026-05-13"}, TODAY) == []  # offline


def test_000_12_2_publication_date_not_in_the_past() -> None:
    earlier = date_checks.publish_problems({"list_published_on": "2026-05-12"}, TODAY)
    assert [p.field for p in earlier] == ["list_published_on"]
    assert "已过（今天是 2026-05-13）" in earlier[0].zh and earlier[0].text("zh").endswith(
        "（依据：000 §12(2)）"
    )
    assert date_checks.publish_problems({"list_published_on": "2026-05-13"}, TODAY) == []
    assert date_checks.publish_problems({"list_published_on": "2026-06-20"}, TODAY) == []  # announced ahead
    (hint,) = [h for h in date_checks.publish_hints({}, TODAY) if h.field == "list_published_on"]
    assert "不早于今天（2026-05-13）" in hint.zh


def test_000_12_3_extended_window_not_in_the_past() -> None:
    extend = {"few_teams_choice": "extend"}
    assert date_checks.extended_window_problems(dict(extend, applications_close_on="2026-05-12"), TODAY)
    assert date_checks.extended_window_problems(dict(extend, applications_close_on="2026-05-13"), TODAY) == []
    # going on without an extension leaves the old, passed closing date in the form: nothing to refuse
    proceed = {"few_teams_choice": "proceed", "applications_close_on": "2026-05-12"}
    assert date_checks.extended_window_problems(proceed, TODAY) == []


def test_000_12_1_need_deadline_in_the_future() -> None:
    assert date_checks.need_problems({"deadline": "2026-05-13"}, TODAY)[0].field == "deadline"
    assert date_checks.need_problems({"deadline": "2026-05-14"}, TODAY) == []


def test_000_12_7_race_stage_date_after_today() -> None:
    assert date_checks.stage_due_problems({"mode": "race", "stage_due": "2026-05-01"}, TODAY)
    assert date_checks.stage_due_problems({"mode": "race", "stage_due": "2026-12-31"}, TODAY) == []


def test_000_12_7_milestones_after_signing_and_within_the_period() -> None:
    d = {
        "period_months": 12,
        "milestones": [
            {"title": "a", "due_date": "2026-05-13"},
            {"title": "b", "due_date": "2027-05-13"},
            {"title": "c", "due_date": "2027-05-14"},
        ],
    }
    got = fields(date_checks.milestone_problems(d, TODAY))
    assert set(got) == {"milestones.0.due_date", "milestones.2.due_date"}
    assert "签订日" in got["milestones.0.due_date"] and "2027-05-13" in got["milestones.2.due_date"]
    assert date_checks.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


# -- acceptance ----------------------------------------------------------------------------------------------


def test_003_20_004_3_6_failed_acceptance_names_its_cause_and_recovery() -> None:
    fail = {"acceptance_outcome": "fail"}
    assert acceptance_checks.acceptance_problems(fail)[0].field == "acceptance_fail_cause"
    objective = dict(fail, acceptance_fail_cause="objective")
    assert acceptance_checks.acceptance_problems(objective)[0].field == "acceptance_recover_fen"
    assert acceptance_checks.acceptance_problems(dict(objective, acceptance_recover_fen=0)) == []
    assert acceptance_checks.acceptance_problems({"acceptance_outcome": "pass"}) == []


# -- registry and notes --------------------------------------------------------------------------------------


def test_registry_runs_named_checks_with_the_ledger_and_the_clock() -> None:
    ctx = CheckContext(TODAY, lambda project: 150_000_000 if project == "P1" else 0)
    d = dict(DAZU, project_code="P1", contract_fen=500_000_000, issuer_paid_fen=50_000_000)
    assert problems(["issuer_prepayment"], d, ctx) == []
    assert problems(["issuer_prepayment"], dict(d, project_code="P2"), ctx)
    assert "本次至少 500,000.00 元" in hints(["issuer_prepayment"], d, ctx)[0].zh
    assert unknown(["issuer_prepayment", "nope"]) == ["nope"]
    assert all(name == check.name for name, check in CHECKS.items())


def test_diagram_note_is_empty_without_problems_and_bilingual_with() -> None:
    assert diagram_note([]) == ""
    note = diagram_note([Note("x", "中文", "English", "001 十(二): explanation")])
    assert note == "中文 / English (001 十(二): explanation)"
    assert Note("x", "中文", "English").text("en") == "English"


def test_004_4_1_zhangye_prepayment_cites_the_money_source() -> None:
    d = {"contract_fen": 400_000_000, "issuer_prepay_pct": 30, "issuer_stage_pct": 0}
    d.update(money_source="004 四(一): 20% of the approved award", issuer_stage_source="no issuer payment")
    (p,) = funding_checks.prepayment_problems(dict(d, issuer_paid_fen=0), 0)
    assert "1,200,000.00" in p.zh and p.citation == "004 四(一)"


@pytest.mark.parametrize(
    ("place", "need_article", "publish_article", "window_article"),
    [
        ("urumqi", "000 §12(1)", "000 §12(2)", "000 §12(3)"),
        ("dazu", "001 八(一)", "001 八(二)", "001 八(三)"),
        ("karamay", "003 §12(1)", "003 §12(3)", "003 §12(4)"),
    ],
)
def test_need_and_list_dates_cite_the_cases_own_measures(
    place: str, need_article: str, publish_article: str, window_article: str
) -> None:
    late = {"jurisdiction": place, "list_published_on": "2026-05-12", "applications_close_on": "2026-05-10"}
    published, closes = date_checks.publish_problems(late, TODAY)[:2]
    assert published.text("zh").endswith(f"（依据：{publish_article}）"), published.text("zh")
    assert closes.text("zh").endswith(f"（依据：{window_article}）"), closes.text("zh")
    (deadline,) = date_checks.need_problems({"jurisdiction": place, "deadline": "2026-05-13"}, TODAY)
    assert deadline.text("zh").endswith(f"（依据：{need_article}）"), deadline.text("zh")


@pytest.mark.parametrize(
    ("place", "article"),
    [("urumqi", "000 §12(7)"), ("dazu", "001 八(七)"), ("karamay", "003 §12(8)"), ("zhangye", "004 三(五)")],
)
def test_milestone_dates_cite_the_cases_own_measures(place: str, article: str) -> None:
    signed = {"jurisdiction": place, "period_months": 24, "milestones": [{"due_date": "2026-05-13"}]}
    (early,) = date_checks.milestone_problems(signed, TODAY)
    assert early.text("zh").endswith(f"（依据：{article}）"), early.text("zh")
    (hint,) = date_checks.milestone_hints({"jurisdiction": place}, TODAY)
    assert hint.text("zh").endswith(f"（依据：{article}）"), hint.text("zh")
