"""The public portal's read model: one row per running instance that publishes a notice (waits for the
``objection`` message) or a challenge (waits for the ``application`` message). Written with the other indexes
whenever the instance is saved (engine.indexes), so that a public page is SQL over these rows alone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

NOTICE = "notice"
CHALLENGE = "challenge"

#: A notice's state: in its window (公示中), an objection being handled (异议处理中), the window ran out (公示期满).
OPEN = "open"
OBJECTION = "objection"
ENDED = "ended"


class PortalEntry(Base):
    __tablename__ = "portal_entry"
    __table_args__ = (
        UniqueConstraint("instance_id", "kind"),
        Index("ix_portal_entry_kind_end", "kind", "window_end", "instance_id"),
        Index("ix_portal_entry_kind_jurisdiction", "kind", "jurisdiction", "window_end"),
        Index("ix_portal_entry_business_key", "business_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    kind: Mapped[str] = mapped_column(String(16))
    business_key: Mapped[str] = mapped_column(String(128))
    jurisdiction: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    #: The notice's text, or the challenge's summary.
    body: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(255))
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    #: notices: OPEN, OBJECTION or ENDED (None: OPEN, rows written before the state was kept)
    state: Mapped[str | None] = mapped_column(String(16))
    #: notices: what the notice publishes beyond its text (selected units, project, amounts), JSON
    details_json: Mapped[str | None] = mapped_column(Text)
