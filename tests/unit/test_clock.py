"""The clock service: time zone helpers, the simulated clock shared through the database, and Spiff timers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import (
    SHANGHAI,
    Clock,
    SimulatedClock,
    SystemClock,
    current_now,
    frozen_now,
    get_clock,
    install_spiff_clock,
    parse_aware,
    to_local,
)
from engine.errors import ValidationFailed
from engine.models.clock import ClockSetting

# --- time zone helpers ----------------------------------------------------------------------------


def test_parse_aware_returns_utc() -> None:
    assert parse_aware("2026-09-28T10:00:00+08:00") == datetime(2026, 9, 28, 2, tzinfo=UTC)
    assert parse_aware("2026-09-28T10:00:00+08:00").tzinfo is UTC
    assert parse_aware("2026-09-28T02:00:00Z") == datetime(2026, 9, 28, 2, tzinfo=UTC)


@pytest.mark.parametrize("value", ["2026-09-28T10:00:00", "2026-09-28 10:00"])
def test_naive_times_are_refused(value: str) -> None:
    """POLICIES.md §6: all times are Asia/Shanghai instants; a time without an offset is ambiguous."""
    with pytest.raises(ValidationFailed) as err:
        parse_aware(value)
    assert "time zone" in err.value.en and "时区" in err.value.zh


def test_date_only_is_shanghai_midnight_only_when_allowed() -> None:
    assert parse_aware("2026-10-01", allow_date=True) == datetime(2026, 9, 30, 16, tzinfo=UTC)
    with pytest.raises(ValidationFailed):
        parse_aware("2026-10-01")
    with pytest.raises(ValidationFailed, match="ISO 8601"):
        parse_aware("tomorrow")


def test_to_local_shows_beijing_time_and_refuses_naive() -> None:
    local = to_local(datetime(2026, 9, 28, 2, tzinfo=UTC))
    assert local.isoformat() == "2026-09-28T10:00:00+08:00" and local.tzinfo == SHANGHAI
    with pytest.raises(ValidationFailed):
        to_local(datetime(2026, 9, 28, 2))


# --- clocks ---------------------------------------------------------------------------------------


def test_system_clock_is_real_aware_utc() -> None:
    now = SystemClock().now()
    assert now.tzinfo is UTC and abs(now - datetime.now(UTC)) < timedelta(seconds=5)


def test_get_clock_follows_the_environment(db_session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JIEBANG_SIMULATED_CLOCK", raising=False)
    assert isinstance(get_clock(db_session), SystemClock)
    monkeypatch.setenv("JIEBANG_SIMULATED_CLOCK", "1")
    assert isinstance(get_clock(db_session), SimulatedClock)
    assert isinstance(get_clock(db_session, simulated=False), SystemClock)
    assert isinstance(get_clock(db_session), Clock)


def test_simulated_clock_starts_at_real_time_and_stands_still(db_session: Session) -> None:
    clock = SimulatedClock(db_session)
    first = clock.now()
    assert abs(first - datetime.now(UTC)) < timedelta(seconds=5) and first.tzinfo is not None
    db_session.commit()
    assert db_session.get(ClockSetting, 1) is not None
    assert clock.now() == first
    assert SimulatedClock(db_session).now() == first


def test_simulated_clock_is_shared_between_sessions(db_engine: Engine) -> None:
    """Every process (CLI, web, scheduler) sees the same simulated time: it lives in the database."""
    make = sessionmaker(bind=db_engine, expire_on_commit=False)
    with make() as cli, make() as scheduler:
        SimulatedClock(cli).set(datetime(2026, 9, 28, 10, tzinfo=SHANGHAI))
        cli.commit()
        assert SimulatedClock(scheduler).now() == parse_aware("2026-09-28T10:00:00+08:00")
        scheduler.commit()

        assert SimulatedClock(cli).advance("P11D") == parse_aware("2026-10-09T10:00:00+08:00")
        cli.commit()
        assert to_local(SimulatedClock(scheduler).now()).isoformat() == "2026-10-09T10:00:00+08:00"
        scheduler.commit()

        SimulatedClock(scheduler).set("2026-10-10T00:00:00+08:00")
        scheduler.commit()
    with make() as web:
        assert SimulatedClock(web).now() == datetime(2026, 10, 9, 16, tzinfo=UTC)


def test_the_simulated_clock_is_read_once_per_transaction(db_engine: Engine) -> None:
    """However many times a transaction asks, the stored instant is read once (a step asks in its scripts,
    checks and deadlines); a move by another process is seen from the next transaction on, and a move by the
    transaction itself at once."""
    from tests.api.test_scale import statements

    make = sessionmaker(bind=db_engine, expire_on_commit=False)
    with make() as web, make() as cli:
        SimulatedClock(cli).set("2026-09-28T10:00:00+08:00")
        cli.commit()
        with statements() as sent:
            first = SimulatedClock(web).now()
            assert SimulatedClock(web).now() == first == parse_aware("2026-09-28T10:00:00+08:00")
        assert sum("clock_setting" in s for s in sent) == 1, sent
        SimulatedClock(cli).advance("P1D")
        cli.commit()
        assert SimulatedClock(web).now() == first  # the same transaction: the instant it read
        web.commit()
        assert SimulatedClock(web).now() == parse_aware("2026-09-29T10:00:00+08:00")
        assert SimulatedClock(web).set("2026-10-01T10:00:00+08:00") == SimulatedClock(web).now()
        web.commit()


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        ("PT2H", "2026-01-31T12:00:00+08:00"),
        ("P1D", "2026-02-01T10:00:00+08:00"),
        ("P1W", "2026-02-07T10:00:00+08:00"),
        ("P1M", "2026-02-28T10:00:00+08:00"),  # months follow the calendar, clamped to the month's end
        ("P1Y", "2027-01-31T10:00:00+08:00"),
        ("PT0S", "2026-01-31T10:00:00+08:00"),
    ],
)
def test_advance_by_iso_durations(db_session: Session, duration: str, expected: str) -> None:
    clock = SimulatedClock(db_session)
    clock.set(parse_aware("2026-01-31T10:00:00+08:00"))
    assert to_local(clock.advance(duration)).isoformat() == expected
    assert to_local(clock.now()).isoformat() == expected


@pytest.mark.parametrize("duration", ["-P1D", "-P1M", "1D", "P", "", "P1.5M", "soon"])
def test_advance_refuses_negative_or_invalid_durations(db_session: Session, duration: str) -> None:
    clock = SimulatedClock(db_session)
    clock.set(parse_aware("2026-01-31T10:00:00+08:00"))
    with pytest.raises(ValidationFailed) as err:
        clock.advance(duration)
    assert err.value.zh and err.value.en
    assert clock.now() == parse_aware("2026-01-31T10:00:00+08:00")


def test_set_refuses_naive(db_session: Session) -> None:
    clock = SimulatedClock(db_session)
    with pytest.raises(ValidationFailed, match="time zone"):
        clock.set(datetime(2026, 9, 28, 10))
    with pytest.raises(ValidationFailed, match="time zone"):
        clock.set("2026-09-28T10:00:00")


# --- SpiffWorkflow timers -------------------------------------------------------------------------

WAIT_ONE_DAY = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs"
                  targetNamespace="http://example.org/jiebang">
  <bpmn:process id="wait_one_day" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait" name="Wait one day">
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition id="timer">
        <bpmn:timeDuration>"P1D"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def _workflow() -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(WAIT_ONE_DAY, filename="wait.bpmn")
    return BpmnWorkflow(parser.get_spec("wait_one_day"), parser.get_subprocess_specs("wait_one_day"))


def _wait_task(wf: BpmnWorkflow):  # type: ignore[no-untyped-def]
    (task,) = [t for t in wf.get_tasks() if t.task_spec.bpmn_id == "wait"]
    return task


def test_frozen_now_controls_spiff_timers() -> None:
    """The engine computes and fires timers against the (simulated) clock, not the server's wall time."""
    install_spiff_clock()
    install_spiff_clock()  # idempotent
    started = datetime(2026, 9, 28, 2, tzinfo=UTC)  # far from the real time on purpose
    with frozen_now(started):
        wf = _workflow()
        wf.do_engine_steps()
    task = _wait_task(wf)
    assert task.state == TaskState.WAITING
    assert task.internal_data["event_value"] == "2026-09-29T02:00:00+00:00"

    with frozen_now(started + timedelta(days=1) - timedelta(seconds=1)):
        wf.refresh_timers()
        wf.do_engine_steps()
    assert _wait_task(wf).state == TaskState.WAITING and not wf.is_completed()

    with frozen_now(started + timedelta(days=1, seconds=1)):
        wf.refresh_timers()
        wf.do_engine_steps()
    assert _wait_task(wf).state == TaskState.COMPLETED and wf.is_completed()


def test_frozen_now_is_scoped_and_nestable() -> None:
    outer, inner = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, 8, tzinfo=SHANGHAI)
    with frozen_now(outer):
        assert current_now() == outer
        with frozen_now(inner):
            assert current_now() == inner and current_now().tzinfo is UTC
        assert current_now() == outer
    assert abs(current_now() - datetime.now(UTC)) < timedelta(seconds=5)
    with pytest.raises(ValidationFailed), frozen_now(datetime(2026, 1, 1)):
        pass
