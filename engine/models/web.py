"""Tables of the web layer: task and application drafts, objection receipts and rate-limit records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime, utcnow


class TaskDraft(Base):
    """The raw input a user saved for an open task (one row per task and user), including the metadata of
    files already uploaded. Deleted when the task is completed."""

    __tablename__ = "task_draft"

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    data_json: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApplicationDraft(Base):
    """What a solver entered on a challenge's apply page when the submission was refused (one row per challenge
    and user), including the metadata of the files it uploaded, so the page offers them again. Deleted when
    the application is sent."""

    __tablename__ = "application_draft"

    business_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    data_json: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Objection(Base):
    """A receipt for an objection filed on the public portal. The objection itself travels to the instance
    as the ``objection`` message (its payload carries the receipt number)."""

    __tablename__ = "objection"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    receipt: Mapped[str] = mapped_column(String(32), unique=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    business_key: Mapped[str] = mapped_column(String(128))
    name: Mapped[str | None] = mapped_column(String(100))
    contact: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: sha256 of the client address (with the secret key), so repeated filings can be traced without
    #: keeping addresses in clear.
    client_hash: Mapped[str] = mapped_column(String(64))
    #: The bureau's decision once made (``continue``: unfounded, publicised again; ``stop``: upheld), with its
    #: reason, shown to whoever looks the receipt up on the portal.
    decision: Mapped[str | None] = mapped_column(String(16))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RateLimitHit(Base):
    """One counted attempt (a failed login, a filed objection) for a key such as ``objection:<ip hash>``."""

    __tablename__ = "rate_limit_hit"
    __table_args__ = (Index("ix_rate_limit_hit_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
