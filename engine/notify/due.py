"""Due-date notices of human tasks (due dates from ``engine.task_due``): a reminder before the due date, an overdue
notice at it, and an escalation to the jurisdiction's bureau after it — each once per task.

The sweep reads the human-task index alone (``ix_human_task_remind``, ``ix_human_task_due``,
``ix_human_task_escalate``), never a workflow. ``human_task.due_notice`` records how far the notices went; a
conditional UPDATE moves it forward, so of two schedulers exactly one sends each notice, and ``notify`` keys every
notice by its cause as a second guard.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine.clock import get_clock
from engine.db import begin_write
from engine.deadline_text import deadline_text
from engine.models.instance import ProcessInstance
from engine.models.task import READY, HumanTask
from engine.notify.produce import Text, bureau_users, notify, task_recipients

REMINDED, OVERDUE, ESCALATED = 1, 2, 3
BATCH = 200


def _when(due: datetime) -> tuple[str, str]:
    """The due date in Chinese and in English; a deadline given as a day is 24:00 of it."""
    return deadline_text(due, "zh"), deadline_text(due, "en")


def _advance(session: Session, row: HumanTask, stage: int) -> bool:
    """Move the task's notice stage to ``stage`` if no one did; True when this caller did."""
    moved = session.execute(
        update(HumanTask)
        .where(HumanTask.id == row.id, HumanTask.due_notice < stage, HumanTask.status == READY)
        .values(due_notice=stage)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved == 1:
        set_committed_value(row, "due_notice", stage)  # what the UPDATE wrote, without a second write
    return moved == 1


def _names(session: Session, row: HumanTask) -> tuple[ProcessInstance, str, str]:
    instance = session.get(ProcessInstance, row.instance_id)
    assert instance is not None
    title = instance.title or instance.business_key or f"#{instance.id}"
    return instance, row.name or row.task_spec, title


def _remind(session: Session, row: HumanTask, now: datetime) -> None:
    instance, name, title = _names(session, row)
    assert row.due_at is not None
    when, when_en = _when(row.due_at)
    notify(
        session,
        task_recipients(session, instance, row),
        kind="task_due_soon",
        cause=f"task_due_soon:{row.id}",
        text=Text(
            f"任务即将到期：{name}（{title}），期限北京时间 {when}",
            f"Task due soon: {name} ({title}), due by {when_en} (Beijing time)",
            f"“{title}”的任务“{name}”将于北京时间 {when} 到期，请及时办理。",
            f"The task '{name}' of '{title}' is due on {when_en} (Beijing time). Please complete it in time.",
        ),
        now=now,
        link=f"/tasks/{row.id}",
        instance_id=instance.id,
    )


def _overdue(session: Session, row: HumanTask, now: datetime) -> None:
    instance, name, title = _names(session, row)
    assert row.due_at is not None
    when, when_en = _when(row.due_at)
    notify(
        session,
        task_recipients(session, instance, row),
        kind="task_overdue",
        cause=f"task_overdue:{row.id}",
        text=Text(
            f"任务已逾期：{name}（{title}），期限北京时间 {when}",
            f"Task overdue: {name} ({title}), was due by {when_en} (Beijing time)",
            f"“{title}”的任务“{name}”已于北京时间 {when} 到期，尚未办理。请尽快办理；逾期未办将报告科技局。",
            f"The task '{name}' of '{title}' was due on {when_en} (Beijing time) and is not done. Please complete "
            "it now; if it stays overdue the science bureau is told.",
        ),
        now=now,
        link=f"/tasks/{row.id}",
        instance_id=instance.id,
    )


def _escalate(session: Session, row: HumanTask, now: datetime) -> None:
    instance, name, title = _names(session, row)
    assert row.due_at is not None
    when, when_en = _when(row.due_at)
    holder_zh = f"认领人 {row.assignee}" if row.assignee else "尚无人认领"
    holder_en = f"claimed by {row.assignee}" if row.assignee else "not claimed by anyone"
    notify(
        session,
        bureau_users(session, row.jurisdiction),
        kind="task_escalated",
        cause=f"task_escalated:{row.id}",
        text=Text(
            f"逾期任务上报：{name}（{title}），期限北京时间 {when}",
            f"Overdue task escalated: {name} ({title}), was due by {when_en} (Beijing time)",
            f"“{title}”的任务“{name}”已于北京时间 {when} 到期，至今未办理（{holder_zh}）。请督办。",
            f"The task '{name}' of '{title}' was due on {when_en} (Beijing time) and is still not done "
            f"({holder_en}). Please follow it up.",
        ),
        now=now,
        link=f"/monitor/instances/{instance.id}",
        instance_id=instance.id,
    )


def sweep_due(session: Session, now: datetime | None = None) -> int:
    """Send the due-date notices that fell due by ``now`` (default: the engine clock); commits. Returns how many
    notice steps were taken (reminders + overdue notices + escalations)."""
    begin_write(session)
    now = now or get_clock(session).now()
    done = 0
    escalate = list(
        session.scalars(
            select(HumanTask)
            .where(HumanTask.status == READY, HumanTask.escalate_at <= now, HumanTask.due_notice < ESCALATED)
            .order_by(HumanTask.escalate_at)
            .limit(BATCH)
        )
    )
    overdue = list(
        session.scalars(
            select(HumanTask)
            .where(HumanTask.status == READY, HumanTask.due_at <= now, HumanTask.due_notice < OVERDUE)
            .order_by(HumanTask.due_at)
            .limit(BATCH)
        )
    )
    remind = list(
        session.scalars(
            select(HumanTask)
            .where(
                HumanTask.status == READY,
                HumanTask.remind_at <= now,
                HumanTask.due_at > now,
                HumanTask.due_notice < REMINDED,
            )
            .order_by(HumanTask.remind_at)
            .limit(BATCH)
        )
    )
    # The overdue notice goes before the escalation of the same task, whichever query found it.
    for row in remind:
        if _advance(session, row, REMINDED):
            _remind(session, row, now)
            done += 1
    for row in overdue:
        if _advance(session, row, OVERDUE):
            _overdue(session, row, now)
            done += 1
    for row in escalate:
        if _advance(session, row, OVERDUE):
            _overdue(session, row, now)
            done += 1
        if _advance(session, row, ESCALATED):
            _escalate(session, row, now)
            done += 1
    session.commit()
    return done
