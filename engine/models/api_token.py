"""Personal API tokens. Only the SHA-256 of a token is stored; the plaintext is shown once, at creation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, UTCDateTime, utcnow
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from engine.models.user import User


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    #: hex SHA-256 of the whole token string; tokens carry 256 random bits, so a plain hash is enough.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the first characters of the token (e.g. ``jb_AbCd``), to recognise it in a list; not a secret.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


# Indexes for the API's queries, declared here (with migration 0002_api) so that the metadata matches the schema:
# "instances this user started or took part in" and the instance list filtered by process and version.
Index("ix_process_instance_started_by", ProcessInstance.started_by, ProcessInstance.id)
Index(
    "ix_process_instance_key_version",
    ProcessInstance.process_key,
    ProcessInstance.version,
    ProcessInstance.id,
)
Index("ix_human_task_completed_by", HumanTask.completed_by, HumanTask.instance_id)
Index("ix_human_task_assignee", HumanTask.assignee, HumanTask.instance_id)
