"""Publicity timers over Chinese holidays with the simulated clock, and the sweep."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from engine import instances, tasks
from engine.timers import sweep

NEED = {"title": "高温合金", "budget": "100", "pledge_unit": True}
APPROVE = {"decision": "approve", "reason": "符合条件"}


@pytest.fixture
def ready(db_session: Session, deploy, people, calendar_loaded):  # type: ignore[no-untyped-def]
    deploy("basic")
    return people


def _approve(session: Session, instance_id: int, people: dict[str, str]) -> None:
    for actor, data in ((people["issuer"], NEED), (people["bureau"], APPROVE)):
        (task,) = tasks.list_tasks(session, instance_id=instance_id)
        tasks.complete(session, task.id, actor=actor, data=data)


def _start(session: Session, days: int, unit: str) -> int:
    inst = instances.start_instance(
        session,
        "publicity_demo",
        business_key="C-7",
        data={"jurisdiction": "urumqi", "publicity_days": days, "publicity_unit": unit},
    )
    return inst.id


@pytest.mark.parametrize(
    ("approved_at", "expected_end"),
    [
        # 001 八(五), 003 §12(6): 5 working days; National Day 2026 (10-01..10-07) is skipped
        ("2026-09-28T10:00:00+08:00", "2026-10-10T00:00:00+08:00"),
        # Spring Festival 2026 (02-15..02-23) skipped; Saturday 02-14 is a make-up working day
        ("2026-02-12T16:30:00+08:00", "2026-02-26T00:00:00+08:00"),
    ],
)
def test_five_working_day_publicity_fires_at_the_end_of_the_fifth_working_day(
    db_session: Session, ready, sim, approved_at: str, expected_end: str
) -> None:
    sim.set(approved_at)
    instance_id = _start(db_session, 5, "working_days")
    _approve(db_session, instance_id, ready)
    info = instances.describe(db_session, instance_id)
    assert info["data"]["publicity_end"] == expected_end
    assert len(info["timers"]) == 1
    from engine.clock import parse_aware

    end = parse_aware(expected_end)
    sim.set((end.replace(second=0) - __import__("datetime").timedelta(minutes=1)).isoformat())
    assert sweep(db_session).fired == 0
    assert instances.describe(db_session, instance_id)["status"] == "running"
    sim.set(expected_end)
    assert sweep(db_session).fired == 1
    info = instances.describe(db_session, instance_id)
    assert info["status"] == "completed" and info["timers"] == []
    fired = [e for e in instances.events(db_session, instance_id) if e["kind"] == "timer_fired"]
    assert len(fired) == 1 and fired[0]["at"] == parse_aware(expected_end).isoformat()


def test_seven_calendar_day_publicity(db_session: Session, ready, sim) -> None:
    """000 §12(5): Urumqi publicises for 7 days; holidays count."""
    sim.set("2026-09-28T10:00:00+08:00")
    instance_id = _start(db_session, 7, "days")
    _approve(db_session, instance_id, ready)
    assert instances.describe(db_session, instance_id)["data"]["publicity_end"] == "2026-10-05T00:00:00+08:00"


def test_suspended_instance_does_not_fire_until_resumed(db_session: Session, ready, sim) -> None:
    sim.set("2026-09-28T10:00:00+08:00")
    instance_id = _start(db_session, 7, "days")
    _approve(db_session, instance_id, ready)
    instances.suspend(db_session, instance_id, actor=ready["bureau"])
    sim.set("2026-10-06T00:00:00+08:00")
    assert sweep(db_session).fired == 0
    instances.resume(db_session, instance_id, actor=ready["bureau"])
    info = instances.describe(db_session, instance_id)
    assert info["status"] == "completed"
    assert [e["kind"] for e in instances.events(db_session, instance_id)][-3:] == [
        "resumed",
        "timer_fired",
        "completed",
    ]


def test_sweep_with_nothing_due_fires_nothing(db_session: Session, ready, sim) -> None:
    sim.set("2026-09-28T10:00:00+08:00")
    instance_id = _start(db_session, 7, "days")
    _approve(db_session, instance_id, ready)
    assert sweep(db_session).fired == 0
    assert instances.describe(db_session, instance_id)["timers"][0]["due_at"] == "2026-10-04T16:00:00+00:00"


def test_unknown_calendar_year_parks_the_instance_in_error_until_retried(
    db_session: Session, ready, sim, tmp_path
) -> None:
    """POLICIES.md §6: a date in a year whose schedule is not loaded is an error shown to staff, never a
    silent guess. The bureau's decision is kept; after the calendar is imported a retry continues."""
    from engine.calendar import import_calendar_file

    sim.set("2027-03-01T10:00:00+08:00")
    instance_id = _start(db_session, 5, "working_days")
    (task,) = tasks.list_tasks(db_session, instance_id=instance_id)
    tasks.complete(db_session, task.id, actor=ready["issuer"], data=NEED)
    (review,) = tasks.list_tasks(db_session, instance_id=instance_id)
    result = tasks.complete(db_session, review.id, actor=ready["bureau"], data=APPROVE)
    assert result.instance_status == "error"
    info = instances.describe(db_session, instance_id)
    assert info["status"] == "error" and "2027" in info["error"]["message"]
    assert "set_window" in info["error"]["task"]
    assert [e["kind"] for e in instances.events(db_session, instance_id)][-2:] == ["task_completed", "error"]

    csv = tmp_path / "2027.csv"
    csv.write_text("date,kind,name\n2027-01-01,holiday,元旦\n", encoding="utf-8")
    import_calendar_file(db_session, csv)
    db_session.commit()
    instances.retry(db_session, instance_id, actor=ready["bureau"])
    info = instances.describe(db_session, instance_id)
    assert info["status"] == "running"
    assert info["data"]["publicity_end"] == "2027-03-06T00:00:00+08:00"
