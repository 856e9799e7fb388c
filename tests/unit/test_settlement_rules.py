"""The settlement rules after acceptance and the issuer's payments during implementation
(engine.domain.disbursement, funding_checks, books), named after their sources. The Dazu rule that the issuer
pays the rest first is read from the shipped acceptance table, so a test fails when the table drops it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from engine.domain import books, disbursement, funding_checks
from engine.domain.disbursement import Held
from tests.unit.test_money_rules import case, entry, paid_to

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


def issuer_final(outcome: str) -> str:
    """``acceptance_issuer_final`` of the Dazu acceptance table for ``outcome``."""
    text = (BPMN / "dazu" / "acceptance_dazu.dmn").read_text(encoding="utf-8")
    for rule in re.findall(r"<rule id=\"rule_\d+\">(.*?)</rule>", text, re.S):
        cells = re.findall(r"<text>(.*?)</text>", rule, re.S)
        if cells[0] == f"'{outcome}'":
            return cells[-1].strip("'")
    raise AssertionError(outcome)


def dazu_passed(**over: Any) -> dict[str, Any]:
    return case("dazu", acceptance_pay_rest=True, acceptance_issuer_final=issuer_final("pass"), **over)


HELD_HALF = Held(disbursed_fen=45_000_000, issuer_paid_fen=120_000_000, net_by_solver={"S1": 45_000_000})


def test_001_s10_2_acceptance_table_asks_the_issuers_final_payment_only_after_passing() -> None:
    assert issuer_final("pass").startswith("001 十(二)") and issuer_final("closed").startswith("001 十(二)")
    assert issuer_final("fail") == ""


def test_001_s10_2_fiscal_rest_waits_for_the_issuers_final_payment() -> None:
    d = dazu_passed()
    # the issuer still owes the solver 1,800,000 of the 3,000,000 contract: no fiscal rest yet
    assert disbursement.issuer_final_owed(d, HELD_HALF) == 180_000_000
    assert disbursement.acceptance_settlement(d, HELD_HALF) == []
    # once it has paid the rest, the second half goes to the issuer (需求单位)
    paid = Held(disbursed_fen=45_000_000, issuer_paid_fen=300_000_000, net_by_solver={"S1": 45_000_000})
    assert disbursement.issuer_final_owed(d, paid) == 0
    assert paid_to(disbursement.acceptance_settlement(d, paid)) == [("ISSUER", "S1", 45_000_000)]
    # elsewhere (no such rule in the table) the rest is not held back
    assert disbursement.issuer_final_owed(case("dazu"), HELD_HALF) == 0


def test_001_s10_2_final_payment_is_booked_from_the_issuer_with_the_rule() -> None:
    d = dazu_passed(final_paid_fen=180_000_000, final_payment_proof={"name": "回单.pdf"})
    (b,) = disbursement.issuer_payment(d, "final_paid_fen", "final_payment_proof", disbursement.ISSUER_FINAL)
    assert (b.kind, b.payer, b.party, b.amount_fen, b.tranche) == (
        "issuer_payment",
        "ISSUER",
        "S1",
        180_000_000,
        "issuer_final",
    )
    assert b.source.startswith("001 十(二)") and b.evidence == {"name": "回单.pdf"}


def test_001_s10_2_final_payment_must_settle_the_contract_with_proof() -> None:
    proof = {"name": "回单.pdf"}
    ok = dazu_passed(final_paid_fen=180_000_000, final_payment_proof=proof)
    assert funding_checks.final_payment_problems(ok, 120_000_000) == []
    part = funding_checks.final_payment_problems(
        dazu_passed(final_paid_fen=100_000_000, final_payment_proof=proof), 120_000_000
    )
    assert [p.field for p in part] == ["final_paid_fen"] and "1,800,000.00" in part[0].text("zh")
    assert part[0].citation == "001 十(二)"
    over = funding_checks.final_payment_problems(
        dazu_passed(final_paid_fen=180_000_001, final_payment_proof=proof), 120_000_000
    )
    assert [p.field for p in over] == ["final_paid_fen"]
    bare = funding_checks.final_payment_problems(dazu_passed(final_paid_fen=180_000_000), 120_000_000)
    assert [p.field for p in bare] == ["final_payment_proof"] and "voucher" in bare[0].text("en")
    [hint, _] = funding_checks.final_payment_hints(dazu_passed(), 120_000_000)
    assert "1,800,000.00" in hint.text("zh") and "3,000,000.00" in hint.text("zh")


def test_001_s10_2_books_keep_the_fiscal_rest_owed_until_the_issuer_has_paid() -> None:
    d = dazu_passed(acceptance_status="accepted")
    rows = [entry("issuer_payment", "S1", 120_000_000), entry("disbursement", "ISSUER", 45_000_000)]
    kept = books.books(d, rows)
    assert kept.balanced and (kept.fiscal_owed_fen, kept.fiscal_lapsed_fen) == (45_000_000, 0)
    assert kept.issuer_owed_fen == 180_000_000
    rows += [entry("issuer_payment", "S1", 180_000_000), entry("disbursement", "ISSUER", 45_000_000)]
    kept = books.books(d, rows)
    assert kept.balanced and (kept.fiscal_owed_fen, kept.fiscal_lapsed_fen, kept.issuer_owed_fen) == (0, 0, 0)


def test_001_s11_1_audited_use_at_most_the_fiscal_money_held_and_its_remainder() -> None:
    d = case("dazu", fund_audit_used_fen=45_000_001)
    [problem] = funding_checks.audit_problems(d, 45_000_000)
    assert problem.field == "fund_audit_used_fen" and problem.citation == "001 十一(一)"
    assert funding_checks.audit_problems(case("dazu", fund_audit_used_fen=45_000_000), 45_000_000) == []
    rows = [entry("disbursement", "ISSUER", 45_000_000)]
    kept = books.books(case("dazu", fund_audit_used_fen=40_000_000), rows, "accepted")
    assert (kept.audited_used_fen, kept.audited_remainder_fen) == (40_000_000, 5_000_000)
    assert books.books(case("dazu"), rows, "accepted").audited_remainder_fen is None


def test_003_s13_2_issuer_payment_during_implementation_within_the_contract_with_proof() -> None:
    d = case("karamay", category="enterprise_posed", contract_fen=1_000_000_000)
    ok = dict(d, progress_paid_fen=700_000_000, progress_payment_proof={"name": "回单.pdf"})
    assert funding_checks.progress_payment_problems(ok, 300_000_000) == []
    over = dict(ok, progress_paid_fen=700_000_001)
    [problem] = funding_checks.progress_payment_problems(over, 300_000_000)
    assert problem.field == "progress_paid_fen" and "7,000,000.00" in problem.text("zh")
    assert problem.citation.startswith("003 §13(2)")
    bare = dict(d, progress_paid_fen=100)
    assert [p.field for p in funding_checks.progress_payment_problems(bare, 0)] == ["progress_payment_proof"]
    # nothing paid this time is allowed (the support simply does not move)
    assert funding_checks.progress_payment_problems(dict(d, progress_paid_fen=0), 300_000_000) == []
    [hint] = funding_checks.progress_payment_hints(d, 300_000_000)
    assert "30%" in hint.text("zh")


def test_003_s13_2_fiscal_tranches_follow_the_issuers_30_then_70_percent() -> None:
    """10,000,000 contract, 4,000,000 support, first tranche 40 %, one milestone of 30 %: the issuer pays 30 %
    of its share at the task book → 1,200,000 fiscal; after the passed milestone nothing more until it pays the
    other 70 % → the schedule's 70 % of the support (2,800,000) in all; the acceptance pays the last 1,200,000."""
    d = case(
        "karamay",
        category="enterprise_posed",
        contract_fen=1_000_000_000,
        fiscal_support_fen=400_000_000,
        first_pct=40,
        milestones=[{"title": "中试", "due_date": "2027-06-30", "tranche_pct": 30, "passed": True}],
    )
    first = disbursement.first_tranche(d, Held(issuer_paid_fen=300_000_000))
    assert paid_to(first) == [("ISSUER", "S1", 120_000_000)]
    held = Held(disbursed_fen=120_000_000, issuer_paid_fen=300_000_000, net_by_solver={"S1": 120_000_000})
    milestone = dict(d, next_milestone=d["milestones"][0], milestone_passed="yes")
    assert disbursement.milestone_tranche(milestone, held) == []  # waits for the issuer
    held = Held(disbursed_fen=120_000_000, issuer_paid_fen=1_000_000_000, net_by_solver={"S1": 120_000_000})
    assert paid_to(disbursement.follow_issuer(d, held)) == [("ISSUER", "S1", 160_000_000)]
    held = Held(disbursed_fen=280_000_000, issuer_paid_fen=1_000_000_000, net_by_solver={"S1": 280_000_000})
    rest = disbursement.acceptance_settlement(dict(d, acceptance_pay_rest=True), held)
    assert paid_to(rest) == [("ISSUER", "S1", 120_000_000)]


def test_001_s8_8_termination_recovers_the_audited_remainder() -> None:
    """001 八(八): 项目终止的，应根据财务审计结果，及时将结余资金及用于项目科研以外的财政资金收回 — the auditor states
    the fiscal money used; the recovery is what the issuer holds for the team less it, plus the non-research
    money, never more than it holds."""
    d = case(
        "dazu",
        recovery_mode="unspent_and_non_research",
        requested_termination={"reason": "客观原因"},
        termination_source="001 八(八)",
        audit_unspent=[{"solver": "S1", "used_fen": 30_000_000, "non_research_fen": 5_000_000}],
    )
    held = Held(disbursed_fen=45_000_000, net_by_solver={"S1": 45_000_000})
    assert disbursement.audited_remainder({"used_fen": 30_000_000}, 45_000_000) == 15_000_000
    assert disbursement.audited_remainder({"unspent_fen": 7}, 45_000_000) == 7
    assert disbursement.audited_remainder({"used_fen": 50_000_000}, 45_000_000) == 0
    assert paid_to(disbursement.termination_recovery(d, held)) == [("ISSUER", "S1", 20_000_000)]
    # the audit's figures are checked before submit: a row needs one of them, the use at most what is held
    [empty] = funding_checks.termination_audit_problems(dict(d, audit_unspent=[{"solver": "S1"}]), 45_000_000)
    assert empty.field == "audit_unspent.0.used_fen"
    too_much = dict(d, audit_unspent=[{"solver": "S1", "used_fen": 45_000_001}])
    [problem] = funding_checks.termination_audit_problems(too_much, 45_000_000)
    assert problem.field == "audit_unspent" and problem.citation == "001 八(八)"
    assert funding_checks.termination_audit_problems(d, 45_000_000) == []
    # where the termination table asks for it (Dazu, 001 八(八)) the audit report is attached, said before typing
    wanted = dict(d, termination_audit_report=True)
    [report] = funding_checks.termination_audit_problems(wanted, 45_000_000)
    assert (
        report.field == "audit_report" and "请上传审计报告" in report.zh and report.citation == "001 八(八)"
    )
    assert "audit_report" in {h.field for h in funding_checks.termination_audit_hints(wanted, 45_000_000)}
    assert "audit_report" not in {h.field for h in funding_checks.termination_audit_hints(d, 45_000_000)}
    assert (
        funding_checks.termination_audit_problems(dict(wanted, audit_report={"name": "审计.pdf"}), 45_000_000)
        == []
    )
