"""The security audit trail: sign-ins, sign-outs, session ends, downloads, changes of users and roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class AuditEvent(Base):
    """One security event. Rows are only ever added (in the transaction of the change they describe)."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_actor_at", "actor", "at"),
        Index("ix_audit_event_subject_at", "subject", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: what happened, e.g. ``login``, ``login_failed``, ``user_created`` (see ``engine.audit.EVENTS``)
    event: Mapped[str] = mapped_column(String(32))
    #: the user who acted (None: not signed in, or the command line without --as)
    actor: Mapped[str | None] = mapped_column(String(64))
    #: the user or object acted on (a user name, ``instance:12/file:<sha256>``)
    subject: Mapped[str | None] = mapped_column(String(200))
    #: ``web:<keyed hash of the address>``, ``api:<hash>`` or ``cli:<operating-system user>``
    client: Mapped[str | None] = mapped_column(String(100))
    detail_json: Mapped[str] = mapped_column(Text, default="{}")
