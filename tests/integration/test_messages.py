"""Messages reach the one waiting instance whose correlation matches (e.g. a public objection)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from engine import instances, messages, tasks
from engine.errors import Conflict, NotFound, ValidationFailed

NEED = {"title": "高温合金", "budget": "100", "pledge_unit": True}
APPROVE = {"decision": "approve", "reason": "符合条件"}


def _in_publicity(session: Session, people: dict[str, str], business_key: str) -> int:
    inst = instances.start_instance(
        session,
        "publicity_demo",
        business_key=business_key,
        data={"jurisdiction": "urumqi", "publicity_days": 7, "publicity_unit": "days"},
    )
    for actor, data in ((people["issuer"], NEED), (people["bureau"], APPROVE)):
        (task,) = tasks.list_tasks(session, instance_id=inst.id)
        tasks.complete(session, task.id, actor=actor, data=data)
    return inst.id


@pytest.fixture
def two(db_session: Session, deploy, people, sim, calendar_loaded):  # type: ignore[no-untyped-def]
    deploy("basic")
    sim.set("2026-09-28T10:00:00+08:00")
    return _in_publicity(db_session, people, "C-1"), _in_publicity(db_session, people, "C-2")


def test_objection_interrupts_publicity_of_the_matching_instance(db_session: Session, two) -> None:
    first, second = two
    target = messages.deliver(
        db_session,
        "objection",
        correlation={"business_key": "C-2"},
        payload={"objection_text": "存在关联关系", "receipt": "R-1"},
    )
    assert target == second
    ready = tasks.list_tasks(db_session, instance_id=second)
    assert [t.task_spec for t in ready] == ["handle_objection"]
    info = instances.describe(db_session, second)
    assert info["timers"] == []
    assert info["data"]["objection"]["objection_text"] == "存在关联关系"
    assert instances.describe(db_session, first)["timers"]  # the other one still waits
    event = instances.events(db_session, second)[-1]
    assert event["kind"] == "message_received" and event["data"]["payload"]["receipt"] == "R-1"


def test_no_waiting_instance_is_a_clear_error(db_session: Session, two) -> None:
    with pytest.raises(NotFound) as caught:
        messages.deliver(db_session, "objection", correlation={"business_key": "C-404"})
    assert "C-404" in caught.value.en


def test_ambiguous_correlation_is_refused_and_names_the_instances(db_session: Session, two, people) -> None:
    third = _in_publicity(db_session, people, "C-1")  # same business key as the first
    with pytest.raises(Conflict) as caught:
        messages.deliver(db_session, "objection", correlation={"business_key": "C-1"})
    assert caught.value.details["instances"] == [two[0], third]
    assert (
        messages.deliver(db_session, "objection", correlation={"business_key": "C-1", "instance_id": third})
        == third
    )


def test_empty_correlation_is_refused(db_session: Session, two) -> None:
    with pytest.raises(ValidationFailed):
        messages.deliver(db_session, "objection", correlation={})


def test_a_message_after_the_window_closed_finds_nobody(db_session: Session, two, sim) -> None:
    from engine.timers import sweep

    sim.set("2026-10-05T00:00:01+08:00")
    assert sweep(db_session).fired == 2
    with pytest.raises(NotFound):
        messages.deliver(db_session, "objection", correlation={"business_key": "C-1"})
