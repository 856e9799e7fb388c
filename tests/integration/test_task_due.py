"""A ready task gets its due date from the deadline table; an overdue one is notified once and escalated once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import instances, tasks
from engine.models.notification import Notification
from engine.models.task import HumanTask
from engine.notify.due import sweep_due
from engine.simulation import move_clock
from engine.users import add_user
from tests.web.test_notifications import smtp  # noqa: F401  (fixture: aiosmtpd on 127.0.0.1)


def _sent(session: Session, kind: str) -> list[str]:
    return sorted(session.scalars(select(Notification.recipient).where(Notification.kind == kind)))


def test_ready_task_due_then_reminded_overdue_and_escalated_once(
    db_session: Session, people, deploy, sim, calendar_loaded
) -> None:  # type: ignore[no-untyped-def]
    add_user(db_session, "bureau2", roles=["bureau"], jurisdiction="urumqi")
    deploy("basic", "due")
    sim.set("2026-11-27T15:00:00+08:00")  # a Friday
    start = {"jurisdiction": "urumqi", "title": "高温合金需求", "publicity_days": 7, "publicity_unit": "days"}
    inst = instances.start_instance(db_session, "publicity_demo", data=start, actor=people["bureau"])
    (submit,) = tasks.list_tasks(db_session, instance_id=inst.id)
    row = db_session.get(HumanTask, submit.id)
    assert row is not None
    # demo_need: 3 working days from Friday → Fri, Mon, Tue → Wednesday 2 December 00:00 Beijing
    assert row.due_at == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    assert row.remind_at == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert row.escalate_at == datetime(2026, 12, 3, 16, 0, tzinfo=UTC)

    assert sweep_due(db_session) == 0
    move_clock(db_session, to=datetime(2026, 12, 1, 9, 0, tzinfo=UTC))  # Tuesday: due tomorrow
    assert _sent(db_session, "task_due_soon") == ["issuer1"]
    assert _sent(db_session, "task_overdue") == []

    move_clock(db_session, to=datetime(2026, 12, 2, 2, 0, tzinfo=UTC))  # Wednesday: overdue
    assert _sent(db_session, "task_overdue") == ["issuer1"]
    assert _sent(db_session, "task_escalated") == []
    assert sweep_due(db_session) == 0  # swept again: nothing new

    move_clock(db_session, to=datetime(2026, 12, 4, 2, 0, tzinfo=UTC))  # two days after: the bureau is told
    assert _sent(db_session, "task_escalated") == ["bureau1", "bureau2"]
    assert sweep_due(db_session) == 0
    assert _sent(db_session, "task_due_soon") == ["issuer1"]
    assert _sent(db_session, "task_overdue") == ["issuer1"]
    assert _sent(db_session, "task_escalated") == ["bureau1", "bureau2"]
    # the subject (the inbox line, the e-mail's subject) says what, for which case and by when, as the pages do
    soon = db_session.scalar(select(Notification).where(Notification.kind == "task_due_soon"))
    assert soon is not None and soon.subject_zh.endswith("），期限北京时间 2026年12月1日 24:00")
    assert soon.subject_en.endswith("), due by 2026-12-01 24:00 (Beijing time)")
    note = db_session.scalar(select(Notification).where(Notification.kind == "task_overdue"))
    assert note is not None and "北京时间 2026年12月1日 24:00 到期" in note.body_zh
    assert "was due on 2026-12-01 24:00 (Beijing time)" in note.body_en and note.link == f"/tasks/{submit.id}"

    # Done late: the next task gets its own due date (the catch-all row: 7 calendar days), no notice yet.
    tasks.claim(db_session, submit.id, actor="issuer1")
    tasks.complete(
        db_session,
        submit.id,
        actor="issuer1",
        data={"title": "高温合金", "budget": "1,234.50", "pledge_unit": True},
    )
    (review,) = tasks.list_tasks(db_session, instance_id=inst.id)
    nxt = db_session.get(HumanTask, review.id)
    assert nxt is not None and nxt.due_at == datetime(2026, 12, 10, 16, 0, tzinfo=UTC)
    assert db_session.get(HumanTask, submit.id).due_notice == 3  # type: ignore[union-attr]


def test_a_deadline_in_the_data_wins(db_session: Session, people, deploy, sim, calendar_loaded) -> None:  # type: ignore[no-untyped-def]
    deploy("basic", "due")
    sim.set("2026-11-27T15:00:00+08:00")
    start = {
        "jurisdiction": "urumqi",
        "title": "高温合金需求",
        "publicity_days": 7,
        "publicity_unit": "days",
        "need_deadline": "2026-12-20T18:00:00+08:00",
    }
    inst = instances.start_instance(db_session, "publicity_demo", data=start, actor=people["bureau"])
    (submit,) = tasks.list_tasks(db_session, instance_id=inst.id)
    row = db_session.get(HumanTask, submit.id)
    assert row is not None and row.due_at == datetime(2026, 12, 20, 10, 0, tzinfo=UTC)


def test_without_a_table_a_task_has_no_due_date(db_session: Session, people, deploy, sim) -> None:  # type: ignore[no-untyped-def]
    deploy("basic")
    start = {"jurisdiction": "urumqi", "title": "x", "publicity_days": 7, "publicity_unit": "days"}
    inst = instances.start_instance(db_session, "publicity_demo", data=start, actor=people["bureau"])
    (submit,) = tasks.list_tasks(db_session, instance_id=inst.id)
    row = db_session.get(HumanTask, submit.id)
    assert row is not None and row.due_at is None and row.remind_at is None
    sim.set("2027-06-01T00:00:00+08:00")
    assert sweep_due(db_session) == 0


def test_the_overdue_notice_is_mailed_once(
    db_session: Session,
    people,
    deploy,
    sim,
    calendar_loaded,
    smtp,  # noqa: F811
) -> None:  # type: ignore[no-untyped-def]
    from engine.models.user import User
    from engine.notify import outbox

    issuer = db_session.scalar(select(User).where(User.username == "issuer1"))
    assert issuer is not None
    issuer.email = "issuer1@example.cn"
    db_session.commit()
    deploy("basic", "due")
    sim.set("2026-11-27T15:00:00+08:00")
    start = {"jurisdiction": "urumqi", "title": "高温合金需求", "publicity_days": 7, "publicity_unit": "days"}
    instances.start_instance(db_session, "publicity_demo", data=start, actor=people["bureau"])
    db_session.commit()
    outbox.deliver_due(db_session, "w1")  # the task-ready mail
    before = len(smtp.messages)
    move_clock(
        db_session, to=datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    )  # reminder time and due date both passed
    assert (
        outbox.deliver_due(db_session, "w1").sent == 1
    )  # the overdue notice only: no reminder after the fact
    assert outbox.deliver_due(db_session, "w1").sent == 0
    (rcpt, mail) = smtp.messages[before]
    assert rcpt == ["issuer1@example.cn"]
    # the e-mail's subject: what, for which case, and the deadline as the pages say it (24:00 of its day)
    assert str(mail["Subject"]).startswith(
        "任务已逾期：提交需求 Submit need（高温合金需求），期限北京时间 2026年12月1日 24:00 / Task overdue:"
    )
    assert len(smtp.messages) == before + 1
