"""The money rules of engine.domain.disbursement and engine.domain.books, per jurisdiction, named after their
sources. Policy values are read from the shipped policy tables, so a test fails when a table changes a rule."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from engine.domain import books, disbursement, fiscal_tranches, funding_checks
from engine.domain.disbursement import Held

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


def policy(jurisdiction: str) -> dict[str, Any]:
    """The values of ``bpmn/<j>/policy_<j>.dmn`` (one parameter per row)."""
    text = (BPMN / jurisdiction / f"policy_{jurisdiction}.dmn").read_text(encoding="utf-8")
    out: dict[str, Any] = {}
    for rule in re.findall(r"<rule id=\"p_(\w+)\">(.*?)</rule>", text, re.S):
        cells = re.findall(r"<text>(.*?)</text>", rule[1], re.S)
        value = cells[2].replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        out[rule[0]] = ast.literal_eval(value)
    return out


def case(jurisdiction: str, **over: Any) -> dict[str, Any]:
    d = policy(jurisdiction)
    d.update(
        project_code="P1",
        jurisdiction=jurisdiction,
        issuer_code="ISSUER",
        solvers=["S1"],
        category="breakthrough",
        mode="single",
        contract_fen=300_000_000,
        need_total_fen=800_000_000,
        fiscal_support_fen=90_000_000,
    )
    d.update(over)
    return d


def paid_to(bookings: list[disbursement.Booking]) -> list[tuple[str, str, int]]:
    return [(b.party, b.solver, b.amount_fen) for b in bookings]


# -- who receives ------------------------------------------------------------------------------------------------


def test_001_s10_2_dazu_fiscal_money_goes_to_the_issuer() -> None:
    d = case("dazu")
    assert paid_to(disbursement.first_tranche(d, Held(issuer_paid_fen=120_000_000))) == [
        ("ISSUER", "S1", 45_000_000)
    ]


def test_000_s12_6_urumqi_breakthrough_pays_the_issuer_transfer_pays_the_solver() -> None:
    assert disbursement.first_tranche(case("urumqi"), Held())[0].party == "ISSUER"
    assert disbursement.first_tranche(case("urumqi", category="transfer"), Held())[0].party == "S1"


def test_003_s13_2_karamay_enterprise_posed_support_goes_to_the_issuer() -> None:
    d = case("karamay", category="enterprise_posed")
    assert paid_to(disbursement.first_tranche(d, Held(issuer_paid_fen=300_000_000))) == [
        ("ISSUER", "S1", 36_000_000)
    ]


def test_003_s13_1_karamay_industry_common_pays_the_project_undertaker() -> None:
    d = case("karamay", category="industry_common", tranche_paid_fen=36_000_000)
    # 003 §13(1): no automatic first tranche — the bureau's clerk pays each stage, to the undertaker
    assert disbursement.first_tranche(d, Held()) == []
    assert paid_to(fiscal_tranches.booking(d, Held())) == [("S1", "S1", 36_000_000)]


def test_004_s4_1_zhangye_subsidy_follows_the_issuers_payment_proof_to_the_issuer() -> None:
    assert disbursement.first_tranche(case("zhangye"), Held())[0].party == "ISSUER"


# -- Karamay: 企业出题 follows the issuer, 行业共性 has no 40 % limit ---------------------------------------------


def test_003_s13_2_enterprise_fiscal_follows_issuer_payment() -> None:
    d = case("karamay", category="enterprise_posed")
    # nothing at the task book before the issuer has paid
    assert disbursement.first_tranche(d, Held()) == []
    # a quarter of the contract paid → at most a quarter of the support
    assert paid_to(disbursement.first_tranche(d, Held(issuer_paid_fen=75_000_000))) == [
        ("ISSUER", "S1", 22_500_000)
    ]
    # after an issuer payment the support catches up with the schedule, no further than the progress
    held = Held(disbursed_fen=22_500_000, issuer_paid_fen=150_000_000, net_by_solver={"S1": 22_500_000})
    assert paid_to(disbursement.follow_issuer(d, held)) == [("ISSUER", "S1", 13_500_000)]
    # 行业共性 does not wait for the issuer: its approval stage allows 40 % of the support at once
    common = case("karamay", category="industry_common")
    assert fiscal_tranches.figures(common, Held())["due_fen"] == 36_000_000


def test_003_s13_2_enterprise_acceptance_pays_only_what_the_issuer_has_matched() -> None:
    d = case("karamay", category="enterprise_posed", acceptance_pay_rest=True)
    held = Held(disbursed_fen=36_000_000, issuer_paid_fen=150_000_000, net_by_solver={"S1": 36_000_000})
    assert paid_to(disbursement.acceptance_settlement(d, held)) == [("ISSUER", "S1", 9_000_000)]


def test_003_s13_1_industry_common_not_capped_at_40_percent_of_the_contract() -> None:
    common = case(
        "karamay",
        category="industry_common",
        fiscal_support_fen=500_000_000,
        selected="S1",
        candidates=["S1"],
        third_party_review=False,
    )
    assert funding_checks.fiscal_limit_fen(common) == common["fiscal_cap_fen"]
    assert funding_checks.selection_problems(common) == []
    over_cap = dict(common, fiscal_support_fen=common["fiscal_cap_fen"] + 1)
    [problem] = funding_checks.selection_problems(over_cap)
    assert problem.field == "fiscal_support_fen" and "003 §13(1)" in problem.text("zh")
    posed = dict(common, category="enterprise_posed")
    [problem] = funding_checks.selection_problems(posed)
    assert "40%" in problem.text("zh") and "003 §13(2)" in problem.text("zh")


# -- Zhangye: the issuer's 30 % of the total investment ------------------------------------------------------


def test_004_s4_1_issuer_pays_30_percent_of_total_investment() -> None:
    d = case("zhangye", contract_fen=400_000_000, need_total_fen=800_000_000)
    assert funding_checks.prepayment_due_fen(d) == 240_000_000
    [problem] = funding_checks.prepayment_problems(dict(d, issuer_paid_fen=120_000_000), 0)
    assert "2,400,000.00" in problem.text("zh") and "项目投入总额" in problem.text("zh")
    assert "004 四(一)" in problem.text("zh") and "total project investment" in problem.text("en")
    assert funding_checks.prepayment_problems(dict(d, issuer_paid_fen=240_000_000), 0) == []


def test_001_s10_2_dazu_prepayment_is_40_percent_of_the_contract() -> None:
    assert funding_checks.prepayment_due_fen(case("dazu")) == 120_000_000


# -- the issuer's payments, with their proof ------------------------------------------------------------------


def test_001_s10_2_issuer_payment_is_booked_from_the_issuer_to_the_solver_with_its_proof() -> None:
    proof = {"name": "回单.pdf", "sha256": "a" * 64}
    d = case("dazu", issuer_paid_fen=120_000_000, payment_proof=proof)
    [b] = disbursement.issuer_payment(d, "issuer_paid_fen", "payment_proof", "prepayment")
    assert (b.kind, b.payer, b.party, b.amount_fen, b.evidence) == (
        "issuer_payment",
        "ISSUER",
        "S1",
        120_000_000,
        proof,
    )
    assert "001 十(二)" in b.source and "凭证" in b.condition["zh"]


# -- milestones, races, recoveries --------------------------------------------------------------------------------


def test_000_s12_6_race_first_share_per_team_to_the_issuer_split_to_the_fen() -> None:
    d = case("urumqi", mode="race", solvers=["S1", "S2", "S3"], fiscal_support_fen=100_000_001)
    bookings = disbursement.first_tranche(d, Held())
    assert [(b.party, b.solver, b.tranche) for b in bookings] == [
        ("ISSUER", "S1", "race_first"),
        ("ISSUER", "S2", "race_first"),
        ("ISSUER", "S3", "race_first"),
    ]
    assert all(b.amount_fen == 20_000_000 for b in bookings)


def test_000_s12_6_milestone_share_split_among_teams_to_the_fen() -> None:
    d = case(
        "urumqi",
        solvers=["S1", "S2"],
        fiscal_support_fen=100_000_010,
        milestone_passed="yes",
        next_milestone={"title": "小试", "due_date": "2027-01-01", "tranche_pct": 30},
    )
    bookings = disbursement.milestone_tranche(d, Held(disbursed_fen=50_000_000))
    assert [b.amount_fen for b in bookings] == [15_000_002, 15_000_001]


def test_000_s12_6_race_exit_recovered_from_whoever_received_it() -> None:
    d = case("urumqi", mode="race", solvers=["S1", "S2"], exit_clearing=[{"solver": "S2", "unspent_fen": 9}])
    held = Held(disbursed_fen=40, net_by_solver={"S1": 20, "S2": 5})
    [b] = disbursement.race_exits(d, held)
    assert (b.kind, b.party, b.solver, b.amount_fen) == ("recovery", "ISSUER", "S2", 5)


def test_001_s8_8_termination_recovers_balance_and_non_research_from_the_issuer() -> None:
    d = case(
        "dazu",
        recovery_mode="unspent_and_non_research",
        requested_termination={"reason": "市场变化"},
        termination_source="001 八(八)",
        audit_unspent=[{"solver": "S1", "unspent_fen": 10_000_000, "non_research_fen": 5_000_000}],
    )
    held = Held(disbursed_fen=45_000_000, net_by_solver={"S1": 45_000_000})
    [b] = disbursement.termination_recovery(d, held)
    assert (b.party, b.payer, b.amount_fen, b.source) == ("ISSUER", "ISSUER", 15_000_000, "001 八(八)")
    assert b.reason == "市场变化"  # the request's reason is the entry's note
    # a state stored before the request was renamed (shared termination.bpmn's input) holds it as termination
    stored_before = {k: v for k, v in d.items() if k != "requested_termination"}
    [old] = disbursement.termination_recovery(dict(stored_before, termination={"reason": "旧理由"}), held)
    assert (old.amount_fen, old.reason) == (15_000_000, "旧理由")


# -- the books -----------------------------------------------------------------------------------------------------


def entry(kind: str, party: str, amount: int, solver: str = "S1") -> Any:
    return SimpleNamespace(kind=kind, party=party, amount_fen=amount, solver=solver)


def test_001_s10_2_settlement_after_acceptance_states_the_issuers_remaining_payment() -> None:
    d = case("dazu", acceptance_status="accepted")
    rows = [
        entry("issuer_payment", "S1", 120_000_000),
        entry("disbursement", "ISSUER", 45_000_000),
        entry("issuer_payment", "S1", 90_000_000),
        entry("disbursement", "ISSUER", 45_000_000),
    ]
    kept = books.books(d, rows)
    assert kept.ended and kept.balanced
    assert (kept.fiscal_paid_fen, kept.fiscal_owed_fen, kept.fiscal_lapsed_fen) == (90_000_000, 0, 0)
    # 001 十(二): after acceptance the issuer pays the solver the rest of the contract — until it has, the
    # project has ended but is not settled
    assert kept.issuer_owed_fen == 90_000_000 and not kept.settled
    issuer = next(p for p in kept.parties if p.role == "issuer")
    assert issuer.fiscal_net_fen == 90_000_000 and issuer.issuer_paid_fen == 210_000_000
    paid_up = books.books(d, [*rows, entry("issuer_payment", "S1", 90_000_000)])
    assert paid_up.settled and paid_up.issuer_owed_fen == 0 and paid_up.balanced


@pytest.mark.parametrize("status", ["failed", "terminated"])
def test_004_s3_6_settlement_after_failure_lapses_the_unpaid_plan_and_balances(status: str) -> None:
    d = case("zhangye", fiscal_support_fen=80_000_001)
    rows = [entry("disbursement", "ISSUER", 40_000_000), entry("recovery", "ISSUER", 10_000_003)]
    kept = books.books(d, rows, status)
    assert kept.balanced and kept.settled
    assert (kept.fiscal_net_fen, kept.fiscal_owed_fen, kept.fiscal_lapsed_fen) == (29_999_997, 0, 40_000_001)
    assert kept.issuer_owed_fen == 0


def test_003_s13_2_task_book_says_before_signing_that_support_waits_for_the_issuer() -> None:
    posed = funding_checks.task_book_hints(case("karamay", category="enterprise_posed"))
    [hint] = [h for h in posed if h.field == "disbursement_plan"]
    assert "发榜方付款前不拨付" in hint.text("zh") and "003 §13(2)" in hint.text("zh")
    assert "nothing before the issuer has paid" in hint.text("en")
    common = funding_checks.task_book_hints(case("karamay", category="industry_common"))
    assert not [h for h in common if h.field == "disbursement_plan"]


# -- 赛马 money per team (000 §12(1), §12(6), §12(7)) ---------------------------------------------------------------


def urumqi_race(**over: Any) -> dict[str, Any]:
    """The race a bureau clerk checks: three teams, each with its own contract of 5,000,000 元 and fiscal support
    of 2,000,000 元 (000 §12(6): 2至3个揭榜方同时签订合作协议; 每个"赛马制"项目首期 ≤ 20%)."""
    teams = [{"solver": s, "stage_due": "2026-11-30"} for s in ("S1", "S2", "S3")]
    base = {"solvers": ["S1", "S2", "S3"], "race_teams": teams, "contract_fen": 500_000_000}
    return case("urumqi", mode="race", fiscal_support_fen=200_000_000, **{**base, **over})


def race_ledger() -> list[Any]:
    """Each team's first tranche of 400,000 元 to the issuer; after the stage the two losers return their unspent
    100,000 元 and 250,000 元 (000 §12(6): 清算，收回结余资金)."""
    first = [entry("disbursement", "ISSUER", 40_000_000, team) for team in ("S1", "S2", "S3")]
    return [
        *first,
        entry("recovery", "ISSUER", 10_000_000, "S2"),
        entry("recovery", "ISSUER", 25_000_000, "S3"),
    ]


def test_000_s12_6_urumqi_race_support_is_each_teams_own() -> None:
    """000 §12(1) 拟支持项目数量…资助额度, §12(6) 每个"赛马制"项目首期资助经费不超过财政资助总额度的20%: Urumqi's
    race support is per team — the policy table says so, Dazu's one sum for the race (001 十(二)) does not."""
    assert policy("urumqi")["race_support_per_team"] is True
    assert policy("dazu")["race_support_per_team"] is False
    [first, *_] = disbursement.first_tranche(urumqi_race(), Held())
    assert first.amount_fen == 40_000_000  # 400,000 元 = 20% of the team's own 2,000,000 元
    assert "每个团队财政支持 2,000,000.00 元的 20%" in first.condition["zh"]
    # three teams at 20% of their own support is no "more than 100%": each share is of a different sum
    chosen = urumqi_race(selected="S1,S2,S3", candidates=["S1", "S2", "S3"], stage_due="2026-11-30")
    assert not [p for p in funding_checks.selection_problems(chosen) if p.field == "race_first_pct_case"]
    shared = case(
        "dazu", mode="race", race_first_pct_case=40, selected="S1,S2,S3", candidates=["S1", "S2", "S3"]
    )
    assert [p.field for p in funding_checks.selection_problems({**shared, "stage_due": "2026-11-30"})] == [
        "race_first_pct_case"
    ]


def test_000_s12_6_race_books_before_the_stage_count_every_teams_plan() -> None:
    kept = books.books(urumqi_race(), race_ledger()[:3])
    assert kept.balanced
    # plan 6,000,000 元 (3 × 2,000,000), paid 1,200,000 元, still owed 4,800,000 元 (3 × 1,600,000)
    assert (kept.fiscal_plan_fen, kept.fiscal_paid_fen, kept.fiscal_owed_fen) == (
        600_000_000,
        120_000_000,
        480_000_000,
    )
    # 000 §12(7), 003 §13(3): during the race the issuer owes each team its race-stage share (20% of its own
    # 5,000,000 元 contract) — 3,000,000 元, not 15,000,000; the other 12,000,000 waits for the stage review
    assert {p.party: p.issuer_owes_fen for p in kept.parties if p.role == "solver"} == {
        "S1": 100_000_000,
        "S2": 100_000_000,
        "S3": 100_000_000,
    }
    assert (kept.issuer_owed_fen, kept.issuer_conditional_fen) == (300_000_000, 1_200_000_000)
    assert not kept.settled and not kept.ended


def test_003_s13_3_race_books_of_one_shared_contract_owe_each_team_its_race_share() -> None:
    """003 §13(3): 赛马阶段向各家揭榜方拨付一定比例项目经费；"里程碑"考核后，择优支持1家 — Karamay's race has one
    contract of 3,000,000 元; during the race each of two teams is owed its 30% share (900,000 元), the issuer
    paid S1 400,000 元; after the milestone the one team that continues is owed the rest of the contract."""
    teams = [{"solver": s} for s in ("S1", "S2")]
    race = case("karamay", mode="race", solvers=["S1", "S2"], race_teams=teams)
    rows = [entry("issuer_payment", "S1", 40_000_000)]
    kept = books.books(race, rows)
    assert kept.balanced
    assert {p.party: p.issuer_owes_fen for p in kept.parties if p.role == "solver"} == {
        "S1": 50_000_000,
        "S2": 90_000_000,
    }
    # 3,000,000 − 400,000 paid − 1,400,000 owed now = 1,200,000 waits for the milestone review
    assert (kept.issuer_owed_fen, kept.issuer_conditional_fen) == (140_000_000, 120_000_000)
    after = books.books({**race, "solvers": ["S1"], "race_recovered": []}, rows)
    # 3,000,000 − 400,000 paid: the team that continues is owed the rest, the team that left nothing more
    assert {p.party: p.issuer_owes_fen for p in after.parties if p.role == "solver"} == {"S1": 260_000_000}
    assert after.issuer_conditional_fen == 0 and after.balanced


def test_000_s12_6_race_books_after_the_exits_owe_only_the_winner_its_own_rest() -> None:
    """After the stage S1 continues alone (000 §12(7)); S2 and S3 exit and return their balance (000 §12(6))."""
    kept = books.books(urumqi_race(solvers=["S1"], exits=["S2", "S3"], race_recovered=[]), race_ledger())
    assert kept.balanced
    # paid 1,200,000, recovered 350,000, net 850,000; the winner is still owed 1,600,000 of its 2,000,000; the
    # exiting teams' unpaid 2 × 1,600,000 = 3,200,000 lapses
    assert (kept.fiscal_paid_fen, kept.fiscal_recovered_fen, kept.fiscal_net_fen) == (
        120_000_000,
        35_000_000,
        85_000_000,
    )
    assert (kept.fiscal_owed_fen, kept.fiscal_lapsed_fen) == (160_000_000, 320_000_000)
    # the issuer owes the winner its own contract of 5,000,000 元 — not the 15,000,000 of all three, nor the
    # losers anything
    assert kept.issuer_owed_fen == 500_000_000
    assert {p.party: p.issuer_owes_fen for p in kept.parties if p.role == "solver"} == {
        "S1": 500_000_000,
        "S2": 0,
        "S3": 0,
    }


def test_000_s12_6_continuing_team_gets_the_rest_of_its_own_support_at_acceptance() -> None:
    """000 §12(6): 评估后决定继续支持的，依程序给予后续支持资金 — the winner gets 1,600,000 元, not the race's
    remainder after the losers' net (2,000,000 − 850,000)."""
    d = urumqi_race(solvers=["S1"], acceptance_pay_rest=True, acceptance_rule_source="000 §12(7)")
    held = Held(120_000_000, 35_000_000, 0, {"S1": 40_000_000, "S2": 30_000_000, "S3": 15_000_000})
    assert paid_to(disbursement.acceptance_settlement(d, held)) == [("ISSUER", "S1", 160_000_000)]


def test_000_s12_6_race_milestone_share_is_of_each_teams_own_support() -> None:
    d = urumqi_race(
        solvers=["S1", "S2"],
        milestone_passed="yes",
        next_milestone={"title": "样机", "due_date": "2027-06-30", "tranche_pct": 30},
    )
    held = Held(120_000_000, 0, 0, paid_by_solver={"S1": 40_000_000, "S2": 180_000_000})
    # 30% of 2,000,000 = 600,000 for S1; S2 has only 200,000 of its own support left
    assert paid_to(disbursement.milestone_tranche(d, held)) == [
        ("ISSUER", "S1", 60_000_000),
        ("ISSUER", "S2", 20_000_000),
    ]


def test_000_s12_7_merged_partners_keep_their_unpaid_support_only_failing_teams_lapse() -> None:
    """000 §12(7): S1 and S2 met the stage targets and are merged into one joint team led by S1; S3 failed.
    000 §12(6) 评估后决定继续支持的，依程序给予后续支持资金: the partner S2 is supported on with the lead, so its
    unpaid 1,600,000 元 stays owed; only S3's unpaid support lapses (its project ends, 清算，收回结余资金)."""
    from engine.domain.race_rules import race_conclusion

    d = urumqi_race()
    results = [
        {"solver": "S1", "passed": True, "score": 90},
        {"solver": "S2", "passed": True, "score": 85},
        {"solver": "S3", "passed": False, "score": 50},
    ]
    problem, keep, exits = race_conclusion(
        results, "S1", "merge", d["race_keep_one"], d["race_merge_keeps_support"]
    )
    assert (problem, keep, exits) == ("", ["S1", "S2"], ["S3"])
    rows = [*race_ledger()[:3], entry("recovery", "ISSUER", 25_000_000, "S3")]
    kept = books.books({**d, "solvers": keep, "race_outcome": "merge", "race_recovered": []}, rows)
    assert kept.balanced
    # owed: S1's and S2's 1,600,000 元 each; lapsed: S3's unpaid 1,600,000 元 only
    assert (kept.fiscal_owed_fen, kept.fiscal_lapsed_fen) == (320_000_000, 160_000_000)
    # S2 keeps its own contract with the issuer; S3's has ended
    owes = {p.party: p.issuer_owes_fen for p in kept.parties if p.role == "solver"}
    assert owes == {"S1": 500_000_000, "S2": 500_000_000, "S3": 0}
    # Dazu merges the same way (001 十(二): only 考核后决定不继续支持的单位 end); Karamay keeps one (003 §13(3))
    assert policy("dazu")["race_merge_keeps_support"] is True
    assert policy("karamay")["race_merge_keeps_support"] is False
    assert race_conclusion(results, "S1", "merge", False, False) == ["", ["S1"], ["S2", "S3"]]


def test_000_s12_6_the_books_state_what_the_plan_counts() -> None:
    """The books name how the plan is made: Urumqi's 3 teams × each team's own 2,000,000 元 (000 §12(6)); Dazu's
    race shares one sum (001 十(二)); a single project neither."""
    urumqi = books.books(urumqi_race(), race_ledger()[:3])
    assert (urumqi.race_teams, urumqi.support_each_fen, urumqi.race_shared) == (3, 200_000_000, False)
    assert urumqi.fiscal_plan_fen == urumqi.race_teams * urumqi.support_each_fen
    dazu = books.books(case("dazu", mode="race", solvers=["S1", "S2"]), [])
    assert (dazu.race_teams, dazu.race_shared, dazu.fiscal_plan_fen) == (0, True, 90_000_000)
    single = books.books(case("urumqi"), [])
    assert (single.race_teams, single.race_shared) == (0, False)
