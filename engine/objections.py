"""Objections filed on the public portal: the bureau's decision recorded against the receipt, and the look-up by
receipt number that tells the objector what became of it.

An objection travels to its instance as the ``objection`` message (web/views/portal.py); the shared publicity
subprocess (bpmn/shared/publicity.bpmn) lets the bureau decide in ``handle_objection`` and records the decision
with the diagram helper ``objection_decided`` (this module's ``record_decision``). The look-up shows what was
received (the notice, when, the text) and the decision with its reason — never the objector's name or contact,
and nothing of other objections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import ValidationFailed
from engine.models.instance import ProcessInstance
from engine.models.web import Objection

DECISIONS = ("continue", "stop")
#: Receipt numbers as the portal issues them: YY + the Beijing date + 8 hex digits.
RECEIPT = re.compile(r"^YY\d{8}-[0-9A-F]{8}$")


def normalise_receipt(raw: str) -> str | None:
    """The receipt number typed by a person (spaces, lower case tolerated), or None when it cannot be one."""
    text = re.sub(r"\s+", "", raw or "").upper()
    return text if RECEIPT.match(text) else None


def record_decision(session: Session, objection: Any, decision: str, reason: str, at: datetime) -> None:
    """Record the bureau's ``decision`` (continue/stop) and ``reason`` on the receipt of ``objection`` (the
    message payload the instance received). An objection taken offline has no receipt: nothing to record."""
    if decision not in DECISIONS:
        raise ValidationFailed(f"未知的异议处理结论：{decision}", f"unknown objection decision: {decision}")
    receipt = objection.get("receipt") if isinstance(objection, dict) else None
    if not receipt:
        return
    row = session.scalar(select(Objection).where(Objection.receipt == receipt))
    if row is None:
        return
    row.decision, row.decision_reason, row.decided_at = decision, str(reason or "")[:2000], at
    session.flush()


@dataclass(frozen=True)
class ReceiptStatus:
    receipt: str
    notice_title: str
    business_key: str
    submitted_at: datetime
    text: str
    decision: str | None
    decision_reason: str | None
    decided_at: datetime | None


def look_up(session: Session, receipt: str) -> ReceiptStatus | None:
    """What the holder of ``receipt`` may see of their objection (one indexed lookup), or None."""
    row = session.execute(
        select(Objection, ProcessInstance.title)
        .join(ProcessInstance, ProcessInstance.id == Objection.instance_id)
        .where(Objection.receipt == receipt)
    ).first()
    if row is None:
        return None
    objection, title = row
    return ReceiptStatus(
        receipt=objection.receipt,
        notice_title=title or objection.business_key,
        business_key=objection.business_key,
        submitted_at=objection.submitted_at,
        text=objection.text,
        decision=objection.decision,
        decision_reason=objection.decision_reason,
        decided_at=objection.decided_at,
    )
