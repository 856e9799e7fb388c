"""The outbox: claimed by one worker, retried with back-off, given up after the last attempt, sent once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import notification as state
from engine.models.notification import Notification, OutboxMessage
from engine.notify import outbox
from engine.notify.channels import DeliveryError, OutgoingMessage

T0 = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


class Recorder:
    name = "email"

    def __init__(self, fail: list[BaseException] | None = None) -> None:
        self.sent: list[OutgoingMessage] = []
        self.fail = list(fail or [])

    def send(self, message: OutgoingMessage) -> None:
        if self.fail:
            raise self.fail.pop(0)
        self.sent.append(message)


@pytest.fixture
def row(db_session: Session) -> int:
    note = Notification(
        recipient="bureau1",
        kind="objection",
        cause="objection:YY1",
        subject_zh="收到异议",
        subject_en="Objection received",
        body_zh="正文",
        body_en="body",
        created_at=T0,
    )
    db_session.add(note)
    db_session.flush()
    msg = OutboxMessage(
        notification_id=note.id,
        channel="email",
        address="b1@example.cn",
        subject="收到异议 / Objection received",
        body="正文\n\nbody\n",
        next_attempt_at=T0,
        created_at=T0,
    )
    db_session.add(msg)
    db_session.commit()
    return msg.id


def _get(session: Session, outbox_id: int) -> OutboxMessage:
    session.expire_all()
    found = session.scalar(select(OutboxMessage).where(OutboxMessage.id == outbox_id))
    assert found is not None
    return found


def test_sent_once_and_never_again(db_session: Session, row: int) -> None:
    channel = Recorder()
    assert outbox.deliver_due(db_session, "w1", now=T0, channels={"email": channel}).sent == 1
    assert (
        outbox.deliver_due(db_session, "w2", now=T0 + timedelta(days=1), channels={"email": channel}).sent
        == 0
    )
    assert [m.address for m in channel.sent] == ["b1@example.cn"]
    assert channel.sent[0].key == f"jiebang-outbox-{row}"
    done = _get(db_session, row)
    assert (done.status, done.attempts, done.claimed_by) == (state.SENT, 1, None)


def test_a_failure_is_retried_after_the_back_off(db_session: Session, row: int) -> None:
    channel = Recorder(fail=[OSError("connection refused"), OSError("connection refused")])
    assert outbox.deliver_due(db_session, "w1", now=T0, channels={"email": channel}).retried == 1
    first = _get(db_session, row)
    assert (first.status, first.attempts, first.next_attempt_at) == (
        state.PENDING,
        1,
        T0 + timedelta(minutes=1),
    )
    assert "connection refused" in (first.last_error or "")
    # not due before the back-off has passed
    assert outbox.deliver_due(
        db_session, "w1", now=T0 + timedelta(seconds=59), channels={"email": channel}
    ) == (outbox.DeliveryResult())
    outbox.deliver_due(db_session, "w1", now=T0 + timedelta(minutes=1), channels={"email": channel})
    second = _get(db_session, row)
    assert second.next_attempt_at == T0 + timedelta(minutes=1) + timedelta(minutes=2)  # doubled
    assert (
        outbox.deliver_due(db_session, "w1", now=T0 + timedelta(minutes=3), channels={"email": channel}).sent
        == 1
    )
    assert len(channel.sent) == 1 and _get(db_session, row).attempts == 3


def test_back_off_doubles_up_to_a_ceiling() -> None:
    assert [outbox.backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert outbox.backoff(30) == outbox.BACKOFF_MAX


def test_gives_up_after_the_last_attempt_or_a_permanent_refusal(db_session: Session, row: int) -> None:
    channel = Recorder(fail=[DeliveryError("SMTP 550: no such user", permanent=True)])
    assert outbox.deliver_due(db_session, "w1", now=T0, channels={"email": channel}).failed == 1
    assert _get(db_session, row).status == state.FAILED
    assert (
        outbox.deliver_due(db_session, "w1", now=T0 + timedelta(days=2), channels={"email": channel}).sent
        == 0
    )

    again = _get(db_session, row)
    again.status, again.attempts = state.PENDING, outbox.MAX_ATTEMPTS - 1
    db_session.commit()
    channel.fail = [OSError("timeout")]
    assert (
        outbox.deliver_due(db_session, "w1", now=T0 + timedelta(days=3), channels={"email": channel}).failed
        == 1
    )
    assert _get(db_session, row).status == state.FAILED and channel.sent == []


def test_a_claimed_row_is_not_taken_by_a_second_scheduler(db_session: Session, db_engine, row: int) -> None:
    from sqlalchemy.orm import sessionmaker

    other = sessionmaker(db_engine)()
    try:
        assert outbox.claim(db_session, row, "w1", T0)
        assert not outbox.claim(other, row, "w2", T0)  # w1 holds it
        channel = Recorder()
        assert (
            outbox.deliver_due(other, "w2", now=T0 + timedelta(minutes=1), channels={"email": channel}).sent
            == 0
        )
        assert channel.sent == []
        # w1 died after claiming: once the lease is over, w2 takes the row over
        later = T0 + outbox.LEASE + timedelta(seconds=1)
        assert outbox.claim(other, row, "w2", later)
        # w1 waking up cannot record it: it no longer holds the claim
        assert not outbox._finish(db_session, row, "w1", {"status": state.SENT})
        taken = _get(db_session, row)
        assert (taken.status, taken.claimed_by) == (state.SENDING, "w2")
        # w2 dies too; a third scheduler sends it, once, with the row's stable Message-ID key
        last = later + outbox.LEASE + timedelta(seconds=1)
        assert outbox.deliver_due(other, "w3", now=last, channels={"email": channel}).sent == 1
        assert outbox.deliver_due(other, "w3", now=last, channels={"email": channel}).sent == 0
        assert [m.key for m in channel.sent] == [f"jiebang-outbox-{row}"]
    finally:
        other.close()


def test_an_unconfigured_channel_is_retried_not_lost(db_session: Session, row: int) -> None:
    result = outbox.deliver_due(db_session, "w1", now=T0, channels={})
    assert result.retried == 1
    assert "not configured" in (_get(db_session, row).last_error or "")
