"""The check of the issuer's payment of its contract with the solver (``issuer_contract_payment``; each
jurisdiction cites its rule in the policy parameter ``contract_payment_source``: Urumqi 002 五(二)1, the 揭榜金额
the issuer pays the solver; Karamay 003 §13(2); Zhangye 004 三(五)/四(一)): an amount above 0 and no more than the books say it still owes, a
payment day not after today, and the proof of payment. What it owes comes from the books as the diagram read
them just before the task (``contract_figures`` of ``contract_due``, engine.domain.money_helpers)."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.domain.check_registry import Data, on_today, register
from engine.domain.problems import Hint, Problem, yuan

AMOUNT = "contract_paid_fen"
PAID_ON = "contract_paid_on"
PROOF = "contract_payment_proof"


def _int(value: Any) -> int:
    return int(value or 0)


def _owed(d: Data) -> int:
    figures = d.get("contract_figures") or {}
    return _int(figures.get("owed_fen")) if isinstance(figures, dict) else 0


def _source(d: Data) -> str | None:
    """The jurisdiction's citation for the issuer paying the solver (policy parameter contract_payment_source;
    002 五(二)1, 003 §13(2), 004 三(五)/四(一), 001 十(二)), else its money rules' source."""
    return d.get("contract_payment_source") or d.get("money_source") or None


def contract_payment_problems(d: Data, today: date) -> list[Problem]:
    source = _source(d)
    owed = _owed(d)
    now = d.get(AMOUNT)
    out: list[Problem] = []
    if now is not None and _int(now) <= 0:
        out.append(Problem(AMOUNT, "付款金额须大于 0 元。", "The amount paid must be above CNY 0.", source))
    elif now is not None and _int(now) > owed:
        out.append(
            Problem(
                AMOUNT,
                f"发榜方尚应支付揭榜方 {yuan(owed)} 元，本次至多 {yuan(owed)} 元（填写的是 {yuan(_int(now))} 元）。",
                f"The issuer still owes the solver CNY {yuan(owed)}, so at most CNY {yuan(owed)} now "
                f"(CNY {yuan(_int(now))} was entered).",
                source,
            )
        )
    paid_on = d.get(PAID_ON)
    if paid_on and str(paid_on) > today.isoformat():
        out.append(
            Problem(
                PAID_ON,
                f"付款日期不能晚于今天（{today.isoformat()}）。",
                f"The payment day cannot be after today ({today.isoformat()}).",
            )
        )
    if now is not None and _int(now) > 0 and not d.get(PROOF):
        out.append(Problem(PROOF, "请上传付款凭证。", "Upload the proof of payment."))
    return out


def contract_payment_hints(d: Data, today: date) -> list[Hint]:
    owed = _owed(d)
    return [
        Hint(
            AMOUNT,
            f"发榜方尚应支付揭榜方 {yuan(owed)} 元；本次可登记 0.01 至 {yuan(owed)} 元，付清后方可结算。",
            f"The issuer still owes the solver CNY {yuan(owed)}; record CNY 0.01 to {yuan(owed)} now. The "
            "project is settled once it is paid in full.",
            _source(d),
        )
    ]


register("issuer_contract_payment", *on_today(contract_payment_problems, contract_payment_hints))
