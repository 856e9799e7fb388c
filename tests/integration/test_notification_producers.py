"""Who is notified of what, written in the transaction of the cause."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import tasks
from engine.domain import ledger
from engine.domain.record_helpers import record_helpers
from engine.models.domain import Organisation, Person, Project
from engine.models.notification import Notification
from engine.users import add_user

AT = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def _notified(session: Session, kind: str) -> list[str]:
    """Who was told of ``kind``, once the transaction that made the notices committed (they are written then)."""
    session.commit()
    return sorted(session.scalars(select(Notification.recipient).where(Notification.kind == kind)))


@pytest.fixture
def unit(db_session: Session, people) -> str:  # type: ignore[no-untyped-def]
    add_user(db_session, "solver2", roles=["solver"], jurisdiction="urumqi")
    db_session.add_all(
        [
            Person(code="P1", name="张三", organisation="ORG-A", username="solver1"),
            Person(code="P2", name="李四", organisation="ORG-A", username=None),
            Person(code="P3", name="王五", organisation="ORG-B", username="solver2"),
        ]
    )
    db_session.commit()
    return "ORG-A"


def test_a_payment_reaches_the_users_of_the_receiving_unit_only(db_session: Session, unit: str) -> None:
    """The solver reads who was paid and for which tranche by name, and the sum in 元 with thousands
    separators (1,234.56 元, never ``ORG-A``, ``first`` or 1234.56)."""
    db_session.add(Organisation(code=unit, name="甲研究院", jurisdiction="urumqi"))
    db_session.commit()
    entry = ledger.record(
        db_session, project="J-1", kind="disbursement", amount_fen=123456, at=AT, party=unit, tranche="first"
    )
    assert _notified(db_session, "payment") == ["solver1"]
    note = db_session.scalar(select(Notification).where(Notification.kind == "payment"))
    assert note is not None and "1,234.56 元" in note.subject_zh and note.cause == f"ledger:{entry['id']}"
    assert note.body_zh == "项目 J-1 向 甲研究院 的财政资金拨付 1,234.56 元（首笔财政资金）已记账。"
    assert "ORG-A" not in note.body_zh + note.body_en and "first" not in note.body_zh
    ledger.record(db_session, project="J-1", kind="recovery", amount_fen=100, at=AT, party=unit, reason="x")
    assert _notified(db_session, "payment") == ["solver1"]  # a recovery is no payment


def test_a_payment_rolled_back_leaves_no_notification(db_session: Session, unit: str) -> None:
    ledger.record(db_session, project="J-1", kind="disbursement", amount_fen=100, at=AT, party=unit)
    db_session.rollback()
    assert _notified(db_session, "payment") == []


def test_selected_application_and_termination_reach_the_solver_unit(db_session: Session, unit: str) -> None:
    helpers = record_helpers(db_session)
    helpers["application_register"]("J-2", "urumqi", "智能巡检", "ISS", unit, ["P1"])
    helpers["application_register"]("J-2", "urumqi", "智能巡检", "ISS", "ORG-B", ["P3"])
    helpers["project_open"]("J-2", "urumqi", "智能巡检", "ISS", unit, ["P1"])
    assert _notified(db_session, "application_decided") == ["solver1"]
    helpers["project_status"]("J-2", "accepted")
    assert _notified(db_session, "termination_decided") == []
    helpers["project_status"]("J-2", "terminated")
    helpers["project_status"]("J-2", "terminated")  # said twice: one notification
    assert _notified(db_session, "termination_decided") == ["solver1"]
    assert db_session.scalar(select(Project.status).where(Project.code == "J-2")) == "terminated"


def test_a_ready_task_notifies_the_lane_role_of_the_jurisdiction_once(
    db_session: Session, people, deploy, sim, calendar_loaded
) -> None:  # type: ignore[no-untyped-def]
    from engine import instances
    from engine.models.user import User

    add_user(db_session, "issuer2", roles=["issuer"], jurisdiction="urumqi")
    add_user(db_session, "issuer_dazu", roles=["issuer"], jurisdiction="dazu")
    add_user(db_session, "bureau2", roles=["bureau"], jurisdiction="urumqi")
    add_user(db_session, "retired", roles=["bureau"], jurisdiction="urumqi")
    retired = db_session.scalar(select(User).where(User.username == "retired"))
    assert retired is not None
    retired.active = False
    db_session.commit()
    deploy("basic")
    start = {"jurisdiction": "urumqi", "title": "高温合金需求", "publicity_days": 7, "publicity_unit": "days"}
    inst = instances.start_instance(db_session, "publicity_demo", data=start, actor=people["bureau"])
    (submit,) = tasks.list_tasks(db_session, instance_id=inst.id)
    assert _notified(db_session, "task_ready") == ["issuer1", "issuer2"]  # the issuers of Urumqi
    tasks.claim(db_session, submit.id, actor="issuer1")  # claiming the task notifies nobody again
    tasks.complete(
        db_session,
        submit.id,
        actor="issuer1",
        data={"title": "高温合金", "budget": "1,234.50", "pledge_unit": True},
    )
    (review,) = tasks.list_tasks(db_session, instance_id=inst.id)
    causes = db_session.execute(select(Notification.cause, Notification.recipient)).all()
    assert sorted(r for c, r in causes if c == f"task:{review.id}") == ["bureau1", "bureau2"]
    assert len(causes) == len(set(causes)) == 4  # not the other jurisdiction, not a disabled user, not twice


class FakeSms:
    """An SMS provider plugged in through the registry (no real provider in tests)."""

    name = "sms"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, message) -> None:  # type: ignore[no-untyped-def]
        self.sent.append((message.address, message.subject))


def test_sms_is_a_pluggable_channel_behind_the_same_outbox(db_session: Session, unit: str) -> None:
    from engine.models.user import User
    from engine.notify import outbox, produce
    from engine.notify.channels import register_channel, unregister_channel

    user = db_session.scalar(select(User).where(User.username == "solver1"))
    assert user is not None
    user.phone = "+86 138 0000 0000"
    produce.set_preferences(db_session, "solver1", {"payment": {"sms": True}})
    db_session.commit()
    sms = FakeSms()
    register_channel(sms)
    try:
        ledger.record(db_session, project="J-1", kind="disbursement", amount_fen=500, at=AT, party=unit)
        db_session.commit()
        assert outbox.deliver_due(db_session, "w1").sent == 1
        assert outbox.deliver_due(db_session, "w1").sent == 0
    finally:
        unregister_channel("sms")
    assert sms.sent == [
        (
            "+86 138 0000 0000",
            "财政资金拨付已记账：项目 J-1，5.00 元 / Fiscal disbursement recorded: project J-1, CNY 5.00",
        )
    ]
    # without the preference nothing goes by SMS (the inbox still has it)
    produce.set_preferences(db_session, "solver1", {})
    register_channel(sms)
    try:
        ledger.record(db_session, project="J-1", kind="disbursement", amount_fen=700, at=AT, party=unit)
        db_session.commit()
        assert outbox.deliver_due(db_session, "w1").sent == 0
    finally:
        unregister_channel("sms")
    assert len(sms.sent) == 1 and _notified(db_session, "payment") == ["solver1", "solver1"]


def test_the_holders_of_a_lane_are_judged_together_by_the_one_rule(
    db_session: Session, people, deploy, sim, calendar_loaded
) -> None:  # type: ignore[no-untyped-def]
    """The issuers told that an issuer task is ready are those ``may_act_on_task`` lets act, judged in one
    statement for all of them (the held-task condition of each as a column), not one statement each."""
    from engine import instances
    from engine.access import may_act_on_task, who_may_act_on_task
    from engine.models.instance import ProcessInstance
    from engine.models.task import HumanTask
    from engine.principals import role_holders
    from tests.api.test_scale import statements

    for name in ("issuer2", "issuer3"):
        add_user(db_session, name, roles=["issuer"], jurisdiction="urumqi")
    db_session.commit()
    deploy("basic")
    start = {"jurisdiction": "urumqi", "title": "高温合金需求", "publicity_days": 7, "publicity_unit": "days"}
    inst = instances.start_instance(db_session, "publicity_demo", data=start, actor=people["bureau"])
    (listed,) = tasks.list_tasks(db_session, instance_id=inst.id)
    row = db_session.get(HumanTask, listed.id)
    instance = db_session.get(ProcessInstance, inst.id)
    assert row is not None and instance is not None
    holders = role_holders(db_session, "issuer", "urumqi")
    assert len(holders) == 3
    with statements() as sent:
        together = who_may_act_on_task(db_session, holders, row, instance)
    assert len(sent) == 1 and "EXISTS" in sent[0], sent
    one_by_one = [h for h in holders if may_act_on_task(db_session, h, row, instance)]
    assert (
        [h.username for h in together]
        == [h.username for h in one_by_one]
        == ["issuer1", "issuer2", "issuer3"]
    )
    # once issuer1 has a hand in the lane (it completed a task of it), the others no longer act on its tasks
    tasks.claim(db_session, row.id, actor="issuer1")
    db_session.refresh(row)
    judged = [h.username for h in who_may_act_on_task(db_session, holders, row, instance)]
    assert (
        judged
        == [h.username for h in holders if may_act_on_task(db_session, h, row, instance)]
        == ["issuer1"]
    )


def test_notices_of_a_transaction_rolled_back_are_never_written(db_session: Session, unit: str) -> None:
    """Notices are written when their transaction commits: a change that fails leaves none behind, and the
    notices of one that commits are written in one INSERT however many causes it had."""
    from tests.api.test_scale import statements

    db_session.add(Organisation(code=unit, name="甲研究院", jurisdiction="urumqi"))
    db_session.commit()
    ledger.record(
        db_session, project="J-1", kind="disbursement", amount_fen=100, at=AT, party=unit, tranche="first"
    )
    db_session.rollback()
    assert _notified(db_session, "payment") == []
    for fen in (100, 200, 300):
        ledger.record(db_session, project="J-1", kind="disbursement", amount_fen=fen, at=AT, party=unit)
    with statements() as sent:
        db_session.commit()
    assert [s.split()[0] for s in sent if " notification" in s] == ["SELECT", "INSERT"], sent
    assert _notified(db_session, "payment") == ["solver1"] * 3
