"""The security audit trail. ``record`` adds one event to the caller's session, so the event commits (or rolls
back) with the change it describes; nothing here commits.

Where a request came from is set once per request or command with ``set_client`` (the web layer: a keyed
hash of the address; the command line: the operating-system user) and stamped on every event of it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.audit_client import cli_client, client, current_client, set_client
from engine.db import utcnow
from engine.errors import ValidationFailed
from engine.models.audit import AuditEvent

__all__ = ["EVENTS", "as_json", "cli_client", "client", "list_events", "record", "set_client"]

#: The events written by Jiebang (``record`` refuses others, so that a typo cannot hide an event).
EVENTS = frozenset(
    {
        "login",
        "login_failed",
        "login_refused",
        "logout",
        "session_expired",
        "file_download",
        "user_created",
        "user_disabled",
        "user_enabled",
        "password_changed",
        "contact_changed",
        "role_granted",
        "role_revoked",
        "token_created",
        "token_revoked",
        "user_updated",
        "organisation_created",
        "organisation_updated",
        "person_created",
        "person_updated",
        "expert_created",
        "expert_updated",
        "task_reassigned",
    }
)


def record(
    session: Session,
    event: str,
    *,
    actor: str | None,
    subject: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit event to ``session`` (committed by the caller together with the change)."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    row = AuditEvent(
        at=utcnow(),
        event=event,
        actor=actor,
        subject=subject,
        client=current_client(),
        detail_json=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str),
    )
    session.add(row)
    return row


def list_events(
    session: Session, *, user: str | None = None, since: datetime | None = None, limit: int = 200
) -> list[AuditEvent]:
    """The newest events first; ``user`` matches the actor or the subject."""
    if since is not None and since.tzinfo is None:
        raise ValidationFailed(
            "--since 需要带时区的时间，例如 2026-11-29T00:00:00Z。",
            "--since needs a time with a time zone, e.g. 2026-11-29T00:00:00Z.",
        )
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if user:
        query = query.where(or_(AuditEvent.actor == user, AuditEvent.subject == user))
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    return list(session.scalars(query))


def as_json(row: AuditEvent) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": row.at.isoformat(),
        "event": row.event,
        "actor": row.actor,
        "subject": row.subject,
        "client": row.client,
        "detail": json.loads(row.detail_json or "{}"),
    }
