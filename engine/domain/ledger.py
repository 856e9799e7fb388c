"""The money ledger in integer fen (POLICIES.md §3: "Every disbursement and recovery is a ledger entry").

Kinds: ``disbursement`` (fiscal money paid to the issuer or solver), ``recovery`` (fiscal money taken back),
``issuer_payment`` (the issuer paid the solver: Dazu 001 十(二), Zhangye 004 四(一) prerequisites).

Each entry says who paid (``payer``: ``bureau`` for fiscal money), who received or returned (``party``), the
solver the money is for (``solver``: in Dazu the issuer receives fiscal money on the project's behalf), why
(``tranche``/``reason``), against which condition (``condition``), under which rule (``source``) and, for the
issuer's payments, the proof it uploaded (``evidence``). Who receives what is decided by
engine.domain.disbursement.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import ValidationFailed
from engine.models.domain import LedgerEntry
from engine.notify import produce

KINDS = ("disbursement", "recovery", "issuer_payment")
#: the payer of fiscal money: the science bureau's budget (财政资金)
BUREAU = "bureau"


def _fen(amount: object) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValidationFailed(
            f"金额必须是整数分：{amount!r}", f"amounts are integer fen, not {type(amount).__name__}"
        )
    if amount < 0:
        raise ValidationFailed(f"金额不能为负：{amount}", f"amount must not be negative: {amount}")
    return amount


def record(
    session: Session,
    *,
    project: str,
    kind: str,
    amount_fen: int,
    at: datetime,
    party: str | None = None,
    tranche: str | None = None,
    reason: str | None = None,
    source: str | None = None,
    jurisdiction: str | None = None,
    payer: str | None = None,
    solver: str | None = None,
    condition: str | None = None,
    evidence: Any = None,
) -> dict[str, object]:
    if kind not in KINDS:
        raise ValidationFailed(f"未知的账目类型：{kind}", f"unknown ledger kind: {kind}")
    amount = _fen(amount_fen)
    if kind == "recovery" and amount > balance(session, project, party)["held_fen"]:
        raise ValidationFailed(
            f"追回金额 {amount} 分超过已拨未收回余额", f"recovery of {amount} fen exceeds what is held"
        )
    entry = LedgerEntry(
        project=project,
        jurisdiction=jurisdiction,
        kind=kind,
        party=party,
        amount_fen=amount,
        tranche=tranche,
        reason=reason,
        source=source,
        at=at,
        payer=payer if payer is not None else (BUREAU if kind == "disbursement" else party),
        solver=solver,
        condition=condition,
        evidence=_evidence(evidence),
    )
    session.add(entry)
    session.flush()
    produce.payment_recorded(session, entry, at)
    return entry_json(entry)


def _evidence(upload: Any) -> str | None:
    """The uploaded proof as stored: its name and content hash (the file itself is in the upload store)."""
    if not isinstance(upload, dict) or not upload.get("sha256"):
        return None
    return json.dumps(
        {"name": str(upload.get("name") or ""), "sha256": str(upload["sha256"])}, ensure_ascii=False
    )


def evidence_of(e: LedgerEntry) -> dict[str, str] | None:
    return json.loads(e.evidence) if e.evidence else None


def entry_json(e: LedgerEntry) -> dict[str, object]:
    return {
        "id": e.id,
        "project": e.project,
        "kind": e.kind,
        "payer": e.payer,
        "party": e.party,
        "solver": e.solver,
        "condition": e.condition,
        "evidence": evidence_of(e),
        "amount_fen": e.amount_fen,
        "tranche": e.tranche,
        "reason": e.reason,
        "source": e.source,
        "at": e.at.isoformat(),
    }


def totals(
    session: Session, project: str, party: str | None = None, solver: str | None = None
) -> dict[str, int]:
    query = select(LedgerEntry.kind, func.coalesce(func.sum(LedgerEntry.amount_fen), 0)).where(
        LedgerEntry.project == project
    )
    if party is not None:
        query = query.where(LedgerEntry.party == party)
    if solver is not None:
        query = query.where(LedgerEntry.solver == solver)
    found = {kind: total for kind, total in session.execute(query.group_by(LedgerEntry.kind)).all()}
    return {kind: int(found.get(kind, 0)) for kind in KINDS}


def balance(
    session: Session, project: str, party: str | None = None, solver: str | None = None
) -> dict[str, int]:
    """Disbursed, recovered, held (= disbursed − recovered) and paid by the issuer, in fen — of the project,
    of one receiving ``party``, or of the money for one ``solver`` (whoever received it)."""
    t = totals(session, project, party, solver)
    return {
        "disbursed_fen": t["disbursement"],
        "recovered_fen": t["recovery"],
        "held_fen": t["disbursement"] - t["recovery"],
        "issuer_paid_fen": t["issuer_payment"],
    }


def rows(session: Session, project: str) -> list[LedgerEntry]:
    return list(
        session.scalars(select(LedgerEntry).where(LedgerEntry.project == project).order_by(LedgerEntry.id))
    )


def entries(session: Session, project: str) -> list[dict[str, object]]:
    return [entry_json(e) for e in rows(session, project)]
