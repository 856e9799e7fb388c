"""At the end of a passed case the books tell the truth in all four jurisdictions: the project reads 已结算 only
when nothing is owed — no fiscal money due and the issuer's contract with the solver paid (Urumqi 002 五(二)1,
Dazu 001 十(二)); where the issuer has not paid its contract in full when the case ends, the books say the project
has ended, is not settled, and how much the issuer still owes the solver."""

from __future__ import annotations

import pytest

from engine.domain import books, ledger

from .conftest import DOCS
from .drivers import accept, dazu_settlement, implementing, status, urumqi_contract_paid


def _passed(start, j: str):  # type: ignore[no-untyped-def]
    flow = implementing(start, j)
    flow.at(flow.data["checkpoint_at"])
    if j == "karamay":  # 003 §12(9)2: the issuer's user evaluation before the panel
        flow.do("request", DOCS)
        flow.do("user_eval", {"user_rating": "basically"})
        flow.do("review", {"acceptance_outcome": "pass", "acceptance_opinion": "通过"})
    else:
        accept(flow)
    if j == "dazu":
        dazu_settlement(flow)
    return flow


@pytest.mark.parametrize("j", ["urumqi", "dazu"])
def test_a_passed_case_ends_settled_once_the_issuer_has_paid(start, j: str) -> None:  # type: ignore[no-untyped-def]
    """Urumqi (002 五(二)1) and Dazu (001 十(二)): the case waits for the issuer's payments before it settles."""
    flow = _passed(start, j)
    if j == "urumqi":
        assert flow.ready() == ["issuer_contract_payment"]
        kept = books.books(flow.data, ledger.rows(flow.s, flow.key), status(flow))
        assert not kept.settled and kept.issuer_owed_fen == flow.data["contract_fen"] and kept.balanced
        urumqi_contract_paid(flow)
    assert flow.info()["status"] == "completed" and status(flow) == "accepted"
    kept = books.books(flow.data, ledger.rows(flow.s, flow.key), status(flow))
    assert (kept.fiscal_owed_fen, kept.issuer_owed_fen) == (0, 0)
    assert kept.settled and kept.ended and kept.balanced
    assert kept.issuer_paid_fen == flow.data["contract_fen"]


@pytest.mark.parametrize("j", ["karamay", "zhangye"])
def test_a_case_ending_with_the_contract_unpaid_says_what_the_issuer_owes(start, j: str) -> None:  # type: ignore[no-untyped-def]
    """Karamay and Zhangye ask the issuer for no payment before the settlement: the case ends, and the books no
    longer read 已结算 while the issuer owes the solver the rest of its contract — they state it."""
    flow = _passed(start, j)
    assert flow.info()["status"] == "completed" and status(flow) == "accepted"
    kept = books.books(flow.data, ledger.rows(flow.s, flow.key), status(flow))
    owed = flow.data["contract_fen"] - kept.issuer_paid_fen
    assert owed > 0 and kept.issuer_owed_fen == owed and kept.fiscal_owed_fen == 0
    assert kept.ended and not kept.settled and kept.balanced
