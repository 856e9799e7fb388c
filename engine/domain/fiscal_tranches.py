"""003 §13(1): a Karamay 行业共性 project's fiscal money is paid in three stages — 按照项目立项、“里程碑”考核、
项目验收三个阶段拨付资金 — each a task of the bureau's clerk (karamay_fiscal_tranche), not an automatic booking.

Which categories are paid so (``staged_categories``) and the shares of the stages are policy parameters of the
jurisdiction's table (003 gives no percentages): by the approval ``first_pct`` of the approved support, by the
milestone stage ``first_pct + staged_milestone_pct``, after the acceptance all of it. The clerk pays at most
what the stages reached so far allow and never more than the rest of the support; the form is prefilled with
what the rule says is due now. The money goes to the project's undertaker as the ledger names it
(disbursement.recipient). A 赛马 keeps its own money rules (003 §13(3)).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.domain import disbursement
from engine.domain.problems import Hint, Problem, yuan

#: the form field of the amount the clerk pays now (fen)
AMOUNT = "tranche_paid_fen"
APPROVAL, MILESTONE, ACCEPTANCE, CLOSED = "approval", "milestone", "acceptance", "closed"
#: each stage in words (zh, en)
STAGE_NAMES: dict[str, tuple[str, str]] = {
    APPROVAL: ("立项阶段", "the approval stage"),
    MILESTONE: ("“里程碑”考核后", "after the milestone review"),
    ACCEPTANCE: ("验收后", "after the acceptance"),
    CLOSED: ("验收未通过", "acceptance not passed"),
}


def _int(value: Any) -> int:
    return int(value or 0)


staged = disbursement.staged


def stage_of(d: Mapping[str, Any]) -> str:
    """Which stage the case has reached: after the acceptance's consequences (``acceptance_pay_rest`` of the
    acceptance table: pass → acceptance, else closed), after a passed milestone review, else the approval."""
    if "acceptance_pay_rest" in d:
        return ACCEPTANCE if d.get("acceptance_pay_rest") else CLOSED
    if any(m.get("passed") for m in d.get("milestones") or [] if isinstance(m, Mapping)):
        return MILESTONE
    return APPROVAL


def stage_pct(d: Mapping[str, Any], stage: str) -> int:
    """The share of the support the stages up to ``stage`` pay in all (policy parameters first_pct and
    staged_milestone_pct; after the acceptance the whole support)."""
    if stage == APPROVAL:
        return _int(d.get("first_pct"))
    if stage == MILESTONE:
        return _int(d.get("first_pct")) + _int(d.get("staged_milestone_pct"))
    if stage == ACCEPTANCE:
        return 100
    return 0


def figures(d: Mapping[str, Any], held: disbursement.Held) -> dict[str, Any]:
    """What the clerk's form shows and the check reads: the stage, the approved support, what is paid, the rest
    of the support, what the stages reached allow now (``due_fen``, the prefilled amount) and whether a task is
    asked for at all."""
    support = _int(d.get("fiscal_support_fen"))
    stage = stage_of(d)
    rest = max(0, support - held.net_fen)
    due = min(rest, max(0, support * stage_pct(d, stage) // 100 - held.net_fen))
    return {
        "stage": stage,
        "stage_zh": STAGE_NAMES[stage][0],
        "stage_en": STAGE_NAMES[stage][1],
        "stage_pct": stage_pct(d, stage),
        "support_fen": support,
        "paid_fen": held.net_fen,
        "rest_fen": rest,
        "due_fen": due,
        "asked": staged(d) and due > 0,
    }


def _figures(d: Mapping[str, Any]) -> Mapping[str, Any]:
    found = d.get("tranche_figures")
    return found if isinstance(found, Mapping) else {}


def problems(d: Mapping[str, Any]) -> list[Problem]:
    """003 §13(1): the amount is above 0, no more than the rest of the support, and no more than the stages
    reached so far allow — a later stage's share waits for its stage. Reads the figures the diagram took from
    the ledger just before the task (``tranche_figures``)."""
    f = _figures(d)
    source = d.get("staged_source") or d.get("money_source")
    now = _int(d.get(AMOUNT))
    rest, due = _int(f.get("rest_fen")), _int(f.get("due_fen"))
    stage_zh, stage_en = str(f.get("stage_zh") or ""), str(f.get("stage_en") or "")
    if now <= 0:
        return [Problem(AMOUNT, "拨付金额须大于 0 元。", "The amount must be above CNY 0.", source)]
    if now > rest:
        return [
            Problem(
                AMOUNT,
                f"财政资金尚余 {yuan(rest)} 元未拨付，本次至多 {yuan(rest)} 元（填写的是 {yuan(now)} 元）。",
                f"Only CNY {yuan(rest)} of the fiscal support is left to pay, so at most CNY {yuan(rest)} now "
                f"(CNY {yuan(now)} was entered).",
                source,
            )
        ]
    if now > due:
        return [
            Problem(
                AMOUNT,
                f"{stage_zh}累计至多拨付财政资金的 {_int(f.get('stage_pct'))}%，本次至多 {yuan(due)} 元"
                f"（填写的是 {yuan(now)} 元）；其余须待下一阶段拨付。",
                f"Up to {stage_en} at most {_int(f.get('stage_pct'))}% of the fiscal support is paid, so at most "
                f"CNY {yuan(due)} now (CNY {yuan(now)} was entered); the rest waits for its stage.",
                source,
            )
        ]
    return []


def hints(d: Mapping[str, Any]) -> list[Hint]:
    f = _figures(d)
    due, rest = _int(f.get("due_fen")), _int(f.get("rest_fen"))
    return [
        Hint(
            AMOUNT,
            f"{f.get('stage_zh') or ''}：本次可拨付 0.01 至 {yuan(due)} 元；尚余 {yuan(rest)} 元。",
            f"{str(f.get('stage_en') or '').capitalize()}: pay CNY 0.01 to {yuan(due)} now; CNY {yuan(rest)} is "
            "left.",
            d.get("staged_source") or d.get("money_source"),
        )
    ]


def booking(d: Mapping[str, Any], held: disbursement.Held) -> list[disbursement.Booking]:
    """The clerk's payment (``tranche_paid_fen``) to the undertaker of the project (disbursement.recipient),
    booked as the tranche of its stage; nothing where the check refuses it."""
    f = figures(d, held)
    amount = _int(d.get(AMOUNT))
    teams = disbursement.solvers_of(d)
    if not teams or amount <= 0 or amount > f["due_fen"]:
        return []
    stage = str(f["stage"])
    zh, en = STAGE_NAMES[stage]
    condition = {
        "zh": f"{zh}拨付（累计至多 {f['stage_pct']}%），拨付后尚余 {yuan(f['rest_fen'] - amount)} 元",
        "en": f"{en.capitalize()}: at most {f['stage_pct']}% in all; CNY {yuan(f['rest_fen'] - amount)} left after it",
    }
    source = str(d.get("staged_source") or d.get("money_source") or "")
    team = teams[0]
    return [
        disbursement.Booking(
            "disbursement",
            disbursement.BUREAU,
            disbursement.recipient(d, team),
            team,
            amount,
            source,
            f"stage_{stage}",
            None,
            condition,
        )
    ]
