"""The human-task index: one row per user/manual task that became ready. The work queue is SQL over it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

READY = "ready"
PAUSED = "paused"  # ready in the workflow, but its instance is suspended or failed: not in the queue
OPEN = (READY, PAUSED)
COMPLETED = "completed"
CANCELLED = "cancelled"


class HumanTask(Base):
    __tablename__ = "human_task"
    __table_args__ = (
        # a queue by lane (in a jurisdiction) or by assignee, in creation order, straight off one index; a
        # user's several lanes are a union of such ranges (engine.tasks.queue_query); migration 0019
        Index("ix_human_task_status_lane", "status", "lane", "jurisdiction", "created_at", "id"),
        Index("ix_human_task_status_assignee", "status", "assignee", "created_at", "id"),
        Index("ix_human_task_instance", "instance_id", "status"),
        Index("ix_human_task_queue", "status", "created_at", "id"),
        Index("ix_human_task_remind", "status", "remind_at"),
        Index("ix_human_task_due", "status", "due_at"),
        Index("ix_human_task_escalate", "status", "escalate_at"),
        Index("ix_human_task_candidate_org", "candidate_org", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow task UUID
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    process_key: Mapped[str] = mapped_column(String(128))
    business_key: Mapped[str | None] = mapped_column(String(128))
    jurisdiction: Mapped[str | None] = mapped_column(String(32))
    task_spec: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    lane: Mapped[str | None] = mapped_column(String(64))
    form_key: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default=READY)
    assignee: Mapped[str | None] = mapped_column(String(64))
    #: how the assignee was set: "claim" (the user took it), "process" (the diagram's ``assignee`` property),
    #: "bureau" (reassigned by a clerk); None when unassigned
    assigned_by: Mapped[str | None] = mapped_column(String(16))
    #: the organisation code whose linked users may do the task (the diagram's ``candidateOrganisation``)
    candidate_org: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when the people who may act are reminded, and when the bureau is told of the overdue task (engine.task_due)
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalate_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: how far the due-date notices went: 0 none, 1 reminded, 2 overdue notice, 3 escalated (engine.notify.due)
    due_notice: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by: Mapped[str | None] = mapped_column(String(64))
    instructions: Mapped[str | None] = mapped_column(Text)


#: PostgreSQL's statistics of how status, lane, jurisdiction and assignee go together (migration 0026): the
#: planner estimates each column alone, so "ready tasks of the bureau's lane in Dazu" looks as common as ready
#: tasks times bureau tasks times Dazu tasks. A clerk with a handful of tasks in a lane busy elsewhere would get
#: their page by walking every ready task in creation order (ix_human_task_queue) instead of the ranges of
#: their own lanes (ix_human_task_status_lane); with these, the planner counts the rows that are really there.
QUEUE_STATISTICS = (
    "CREATE STATISTICS IF NOT EXISTS st_human_task_queue (mcv) ON status, lane, jurisdiction, assignee "
    "FROM human_task"
)
event.listen(HumanTask.__table__, "after_create", DDL(QUEUE_STATISTICS).execute_if(dialect="postgresql"))
