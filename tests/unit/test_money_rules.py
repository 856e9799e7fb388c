"""The money rules of engine.domain.disbursement and engine.domain.books, per jurisdiction, named after their
sources. Policy values are read from the shipped policy tables, so a test fails when a table changes a rule."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from engine.domain import books, disbursement, funding_checks
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
    d = case("karamay", category="industry_common")
    assert disbursement.first_tranche(d, Held())[0].party == "S1"


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
    # 行业共性 does not wait for the issuer
    common = case("karamay", category="industry_common")
    assert disbursement.first_tranche(common, Held())[0].amount_fen == 36_000_000


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
        termination={"reason": "市场变化"},
        termination_source="001 八(八)",
        audit_unspent=[{"solver": "S1", "unspent_fen": 10_000_000, "non_research_fen": 5_000_000}],
    )
    [b] = disbursement.termination_recovery(
        d, Held(disbursed_fen=45_000_000, net_by_solver={"S1": 45_000_000})
    )
    assert (b.party, b.payer, b.amount_fen, b.source) == ("ISSUER", "ISSUER", 15_000_000, "001 八(八)")


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
    assert kept.settled and kept.balanced
    assert (kept.fiscal_paid_fen, kept.fiscal_owed_fen, kept.fiscal_lapsed_fen) == (90_000_000, 0, 0)
    # 001 十(二): after acceptance the issuer pays the solver the rest of the contract
    assert kept.issuer_owed_fen == 90_000_000
    issuer = next(p for p in kept.parties if p.role == "issuer")
    assert issuer.fiscal_net_fen == 90_000_000 and issuer.issuer_paid_fen == 210_000_000


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
