"""Process instances: one listing row per instance (optimistic-locked) and, apart from it, the serialized
workflow state (``instance_state``), which only the one door (engine.runtime) reads and writes, so that no
list, sort or count ever walks a state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, UTCDateTime, utcnow
from engine.models.deployment import ProcessVersion

RUNNING = "running"
SUSPENDED = "suspended"
COMPLETED = "completed"
TERMINATED = "terminated"
ERROR = "error"
STATUSES = (RUNNING, SUSPENDED, COMPLETED, TERMINATED, ERROR)


class ProcessInstance(Base):
    __tablename__ = "process_instance"
    __table_args__ = (
        Index("ix_process_instance_status_key", "status", "process_key"),
        Index("ix_process_instance_jurisdiction", "jurisdiction", "status"),
        # a jurisdiction's instances newest first (the monitor, the instance API): migration 0019
        Index("ix_process_instance_jurisdiction_id", "jurisdiction", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(128))
    version: Mapped[int] = mapped_column(Integer)
    business_key: Mapped[str | None] = mapped_column(String(128), index=True)
    title: Mapped[str | None] = mapped_column(String(255))
    jurisdiction: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=RUNNING)
    stage: Mapped[str | None] = mapped_column(String(255))
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)
    started_by: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error_message: Mapped[str | None] = mapped_column(Text)
    error_task: Mapped[str | None] = mapped_column(String(255))

    process_version: Mapped[ProcessVersion] = relationship()

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012


class InstanceState(Base):
    """The serialized workflow of one instance (engine.specs.split_state), in the serializer's version."""

    __tablename__ = "instance_state"

    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), primary_key=True)
    state_json: Mapped[str] = mapped_column(Text)
    serializer_version: Mapped[str] = mapped_column(String(8))
