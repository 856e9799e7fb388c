"""At the end of a passed case the books tell the truth in all four jurisdictions: the project reads 已结算 only
when nothing is owed — no fiscal money due and the issuer's contract with the solver paid (Urumqi 002 五(二)1,
Karamay 003 §13(2), Zhangye 004 三(五), Dazu 001 十(二)); until then the case waits for the issuer's payments."""

from __future__ import annotations

import pytest

from engine.domain import books, ledger
from engine.domain.problems import yuan
from engine.errors import ValidationFailed

from .conftest import PDF
from .drivers import contract_paid, passed, status


def test_a_passed_dazu_case_ends_settled_once_the_issuer_has_paid(start) -> None:  # type: ignore[no-untyped-def]
    """Dazu (001 十(二)): the case waits for the issuer's final payment before it settles."""
    flow = passed(start, "dazu")
    assert flow.info()["status"] == "completed" and status(flow) == "accepted"
    kept = books.books(flow.data, ledger.rows(flow.s, flow.key), status(flow))
    assert (kept.fiscal_owed_fen, kept.issuer_owed_fen) == (0, 0)
    assert kept.settled and kept.ended and kept.balanced
    assert kept.issuer_paid_fen == flow.data["contract_fen"]


@pytest.mark.parametrize(
    ("j", "source"), [("urumqi", "002 五(二)1"), ("karamay", "003 §13(2)"), ("zhangye", "004 三(五)")]
)
def test_a_passed_case_waits_for_the_issuers_contract_payments_then_settles(
    start, j: str, source: str
) -> None:  # type: ignore[no-untyped-def]
    """Urumqi (002 五(二)1), Karamay (003 §13(2)) and Zhangye (004 三(五), a reading to confirm): after a passed
    acceptance the project reads 验收通过，发榜方支付合同款中 (not 实施中) while the issuer owes the solver; the
    issuer records payments in parts, more than it owes is refused citing the jurisdiction's rule, and the case
    settles once nothing is owed."""
    flow = passed(start, j)
    assert flow.ready() == ["issuer_contract_payment"] and flow.info()["status"] == "running"
    assert status(flow) == "paying"
    kept = books.books(flow.data, ledger.rows(flow.s, flow.key), status(flow))
    owed = kept.issuer_owed_fen
    assert owed > 0 and owed == flow.data["contract_fen"] - kept.issuer_paid_fen
    assert not kept.settled and not kept.ended and kept.balanced
    assert flow.data["contract_figures"]["owed_fen"] == owed
    assert source in flow.data["contract_payment_source"]
    # more than it owes: refused, with the jurisdiction's citation, nothing booked
    with pytest.raises(ValidationFailed) as refused:
        flow.do(
            "issuer_contract_payment",
            {
                "contract_paid_fen": yuan(owed + 100),
                "contract_paid_on": flow.sim.now().date().isoformat(),
                "contract_payment_proof": PDF,
            },
        )
    assert source in str(refused.value.message("zh"))
    flow.s.rollback()
    # a first part: still owed, still paying
    part = owed // 2 // 100 * 100
    flow.do(
        "issuer_contract_payment",
        {
            "contract_paid_fen": yuan(part),
            "contract_paid_on": flow.sim.now().date().isoformat(),
            "contract_payment_proof": PDF,
        },
    )
    assert flow.ready() == ["issuer_contract_payment"] and status(flow) == "paying"
    assert flow.data["contract_figures"]["owed_fen"] == owed - part
    contract_paid(flow)
    assert flow.info()["status"] == "completed" and status(flow) == "accepted"
    kept = books.books(flow.data, ledger.rows(flow.s, flow.key), status(flow))
    assert (kept.fiscal_owed_fen, kept.issuer_owed_fen) == (0, 0)
    assert kept.settled and kept.ended and kept.balanced
    assert kept.issuer_paid_fen == flow.data["contract_fen"]
