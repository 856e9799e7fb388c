"""A step writes its rows with Core statements (issue 15): what the session holds afterwards is what another
connection reads, and a change that lost the race for the listing row stores nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from engine import indexes, runtime, tasks
from engine.errors import Conflict
from engine.models.event import InstanceEvent
from engine.models.instance import InstanceState, ProcessInstance
from engine.models.task import HumanTask
from tests.integration.conftest import NEED


def _fresh(session: Session) -> Session:
    return sessionmaker(bind=session.get_bind())()


def test_after_a_completion_the_session_and_the_database_agree(db_session: Session, started, people) -> None:  # type: ignore[no-untyped-def]
    (task,) = tasks.list_tasks(db_session, instance_id=started.id)
    before = started.lock_version
    done = tasks.complete(db_session, task.id, actor=people["issuer"], data=dict(NEED))
    (nxt,) = done.next_tasks
    other = _fresh(db_session)
    try:
        stored = other.get(HumanTask, nxt["id"])
        assert stored is not None
        held = db_session.get(HumanTask, nxt["id"])
        assert held is not None
        columns = [c.key for c in HumanTask.__table__.columns]
        # the new task's row as the session holds it (no reload) is the row in the database
        assert {k: getattr(held, k) for k in columns} == {k: getattr(stored, k) for k in columns}
        closed = other.get(HumanTask, task.id)
        assert closed is not None and (closed.status, closed.completed_by) == ("completed", people["issuer"])
        assert (task.status, task.completed_by) == ("completed", people["issuer"])
        listing = other.get(ProcessInstance, started.id)
        assert listing is not None
        assert listing.lock_version == started.lock_version == before + 1
        assert listing.stage == started.stage and listing.stage
        state = other.get(InstanceState, started.id)
        held_state = db_session.get(InstanceState, started.id)
        assert state is not None and held_state is not None
        assert state.state_json == held_state.state_json
        kinds = other.scalars(
            select(InstanceEvent.kind)
            .where(InstanceEvent.instance_id == started.id)
            .order_by(InstanceEvent.id)
        ).all()
        assert kinds[-1] == "task_completed"
    finally:
        other.close()
    # the next step works from what the session holds
    tasks.complete(
        db_session, nxt["id"], actor=people["bureau"], data={"decision": "approve", "reason": "ok"}
    )
    assert started.lock_version == before + 2


def test_a_change_that_lost_the_listing_row_to_another_stores_nothing(
    db_session: Session,
    started,
    people,
) -> None:  # type: ignore[no-untyped-def]
    """The listing row's UPDATE is the optimistic lock: when another change committed in between, the write
    matches no row and the change is refused as a conflict, nothing of it kept."""
    (task,) = tasks.list_tasks(db_session, instance_id=started.id)
    other = _fresh(db_session)
    try:
        rival = other.get(ProcessInstance, started.id)
        assert rival is not None
        rival.title = "改过的标题"
        other.commit()  # another process changed the instance: its lock version moved
    finally:
        other.close()

    def action(ctx: runtime.Context) -> None:
        ctx.log("task_claimed")

    # this session still holds the old lock version
    with pytest.raises(Conflict):
        runtime.change_instance(
            db_session, started.id, action, actor=people["issuer"], opened=_stale(db_session, started)
        )
    db_session.expire_all()
    assert db_session.get(HumanTask, task.id).status == "ready"  # type: ignore[union-attr]
    assert not db_session.scalars(
        select(InstanceEvent).where(
            InstanceEvent.instance_id == started.id, InstanceEvent.kind == "task_claimed"
        )
    ).all()


def _stale(session: Session, instance: ProcessInstance) -> runtime.Opened:
    """The instance as this session read it before the rival's commit (its identity map keeps the old row)."""
    state = session.get(InstanceState, instance.id)
    open_ids = tuple(t.id for t in tasks.list_tasks(session, instance_id=instance.id))
    return runtime.Opened(instance, state, indexes.Presence(frozenset({indexes.OPEN_TASKS}), open_ids))


def test_write_listing_refuses_a_moved_lock_version(db_session: Session, started) -> None:  # type: ignore[no-untyped-def]
    other = _fresh(db_session)
    try:
        rival = other.get(ProcessInstance, started.id)
        assert rival is not None
        rival.title = "改过的标题"
        other.commit()
    finally:
        other.close()
    started.stage = "别的阶段"
    with pytest.raises(StaleDataError):
        runtime.write_listing(db_session, started)
    db_session.rollback()
    assert db_session.get(ProcessInstance, started.id).title == "改过的标题"  # type: ignore[union-attr]


def test_a_task_completed_elsewhere_is_refused_whatever_the_session_still_holds(
    db_session: Session,
    started,
    people,
) -> None:  # type: ignore[no-untyped-def]
    """``complete`` reads the task's row in its write transaction, not from the session's identity map: a row the
    session loaded before another process completed the task does not let the completion through."""
    (task,) = tasks.list_tasks(db_session, instance_id=started.id)  # held: the session's row says ready
    db_session.commit()
    other = _fresh(db_session)
    try:
        tasks.complete(other, task.id, actor=people["issuer"], data=dict(NEED))
    finally:
        other.close()
    assert task.status == "ready"  # what this session still holds
    with pytest.raises(Conflict) as refused:
        tasks.complete(db_session, task.id, actor=people["issuer"], data=dict(NEED))
    # refused by the task's own row as the database holds it: completed, and by whom
    assert people["issuer"] in refused.value.message("en") and "completed" in refused.value.message("en")


def test_a_state_row_the_session_holds_shows_the_state_the_step_stored(
    db_session: Session,
    started,
    people,
) -> None:  # type: ignore[no-untyped-def]
    """The change reads the state as columns and writes it with one Core UPDATE; a state row object the session
    already held shows what was stored, without a reload."""
    held = db_session.get(InstanceState, started.id)
    assert held is not None
    before = held.state_json
    (task,) = tasks.list_tasks(db_session, instance_id=started.id)
    tasks.complete(db_session, task.id, actor=people["issuer"], data=dict(NEED))
    other = _fresh(db_session)
    try:
        stored = other.get(InstanceState, started.id)
        assert stored is not None and stored.state_json != before
        assert "state_json" not in inspect(held).expired_attributes
        assert held.state_json == stored.state_json
    finally:
        other.close()


def test_the_door_keeps_no_instance_object_and_a_held_one_shows_the_stored_row(
    db_session: Session,
    started,
    people,
) -> None:  # type: ignore[no-untyped-def]
    """The door reads and writes the listing row with Core (issue 15): a completion leaves no instance object in
    the session; an object a caller holds — the one a control such as suspending returns — shows the status,
    stage and lock version the database holds, without a reload, and a later change through the ORM is not
    refused by a version it missed."""
    from engine import instances

    iid = started.id
    (task,) = tasks.list_tasks(db_session, instance_id=iid)
    db_session.expunge(started)
    loaded: list[object] = []

    def count(target: object, _context: object) -> None:
        loaded.append(target)

    event.listen(ProcessInstance, "load", count)
    try:
        tasks.complete(db_session, task.id, actor=people["issuer"], data=dict(NEED))
    finally:
        event.remove(ProcessInstance, "load", count)
    assert loaded == []
    assert [o for o in db_session.identity_map.values() if isinstance(o, ProcessInstance)] == []

    held = instances.suspend(db_session, iid, actor=people["admin"])
    other = _fresh(db_session)
    try:
        stored = other.get(ProcessInstance, iid)
        assert stored is not None
        assert (held.status, held.stage, held.lock_version) == (
            "suspended",
            stored.stage,
            stored.lock_version,
        )
    finally:
        other.close()
    held.title = "改过的标题"  # the ORM's own versioned write, from the version the door left
    db_session.commit()
    db_session.expire_all()
    assert db_session.get(ProcessInstance, iid).title == "改过的标题"  # type: ignore[union-attr]
    resumed = instances.resume(db_session, iid, actor=people["admin"])
    assert resumed is held and held.status == "running"
