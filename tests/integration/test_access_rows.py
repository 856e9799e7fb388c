"""``engine.access.rows`` at bureau scale: the held-task rule asked by one statement for one holder and for
many (``_held_statement``), answering each holder as the rule's own SQL does; and the work queue's visibility
asked of each task row and its instance, not as a list of every readable instance, with the same tasks shown.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import exists, insert, or_, select, text
from sqlalchemy.orm import Session

from engine import instances, tasks
from engine.access import principal, readable_clause, task_visibility_clause
from engine.access import rows as access_rows
from engine.access.principal import Principal
from engine.access.rows import held_task_clause
from engine.models.domain import Person
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from engine.users import add_user, get_user
from engine.workqueue import ready_lanes
from tests.api.test_scale import statements

ISSUER_LANE, BUREAU_LANE, SOLVER_LANE = "发榜方 (issuer)", "科技局 (bureau)", "揭榜方 (solver)"
START = datetime(2026, 1, 1, tzinfo=UTC)


def _start(session: Session, jurisdiction: str = "urumqi", actor: str = "bureau1") -> tuple[int, str]:
    """An instance of the basic diagram started by the bureau and its first task (the issuer's, ready)."""
    inst = instances.start_instance(
        session, "publicity_demo", actor=actor, data={"jurisdiction": jurisdiction}
    )
    (row,) = tasks.list_tasks(session, instance_id=inst.id)
    return inst.id, row.id


def _task(session: Session, instance_id: int, jurisdiction: str, lane: str, **columns: Any) -> str:
    """A task row of the instance (as the index writes it), ready unless ``columns`` say otherwise."""
    task_id = str(uuid.uuid4())
    values = {
        "id": task_id,
        "instance_id": instance_id,
        "process_key": "publicity_demo",
        "jurisdiction": jurisdiction,
        "task_spec": "extra",
        "lane": lane,
        "status": "ready",
        "created_at": START,
    }
    session.execute(insert(HumanTask), [values | columns])
    return task_id


def _rule(session: Session, who: Principal, task_id: str) -> bool:
    """The held-task rule's own SQL for one named user (the name a literal, not a holder's row)."""
    return bool(session.scalar(select(exists().where(HumanTask.id == task_id, held_task_clause(who)))))


def test_one_statement_answers_each_holder_of_a_lane_as_the_rule_does(
    db_session: Session,
    deploy,
    people,  # type: ignore[no-untyped-def]
) -> None:
    """Issuers and solvers holding (or not) tasks in different states, asked together and one by one: each is
    answered as the rule answers them — an issuer whose own completion is the only hand in the lane still holds
    the next task, a colleague does not; a task given to one unit is held by its people only — and the
    statement is built once per set of grants, with the open statuses bound values, not an expanding list."""
    deploy("basic")
    add_user(db_session, "issuer2", roles=["issuer"], jurisdiction="urumqi")
    add_user(db_session, "solver2", roles=["solver"], jurisdiction="urumqi")
    db_session.add_all(
        [
            Person(code="P-1", name="甲", organisation="ORG-A", username="solver1"),
            Person(code="P-2", name="乙", organisation="ORG-B", username="solver2"),
        ]
    )
    inst_a, task_a = _start(db_session)  # issuer1 completed an earlier task of the issuer lane
    _task(db_session, inst_a, "urumqi", ISSUER_LANE, status="completed", completed_by="issuer1")
    _inst_b, task_b = _start(db_session)  # nobody has a hand in it
    _inst_c, task_c = _start(db_session)  # issuer2 claims it
    tasks.claim(db_session, task_c, actor="issuer2")
    inst_d, _task_d = _start(db_session)
    task_d = _task(db_session, inst_d, "urumqi", SOLVER_LANE, candidate_org="ORG-A")  # given to ORG-A
    task_paused = _task(db_session, inst_d, "urumqi", ISSUER_LANE, status="paused")  # its instance suspended
    task_done = _task(db_session, inst_d, "urumqi", ISSUER_LANE, status="completed")
    db_session.commit()

    issuers = [principal(get_user(db_session, name)) for name in ("issuer1", "issuer2")]
    solvers = [principal(get_user(db_session, name)) for name in ("solver1", "solver2")]
    expected = {
        task_a: {"issuer1"},
        task_b: {"issuer1", "issuer2"},
        task_c: {"issuer2"},
        task_d: {"solver1"},
        task_paused: {"issuer1", "issuer2"},  # open: held as a ready one would be (nobody has a hand in it)
        task_done: set(),
    }
    access_rows._HELD.clear()
    for task_id, holders in expected.items():
        with statements() as sent:
            together = access_rows._holders_of_task(db_session, issuers + solvers, "id", task_id)
        assert together == holders, task_id
        assert len(sent) == 2, sent  # one for the issuers' grants, one for the solvers'
        for who in issuers + solvers:
            alone = access_rows._holds_task(db_session, who, "id", task_id)
            assert alone == _rule(db_session, who, task_id) == (who.username in holders), (task_id, who)
    assert sorted(key[1] for key in access_rows._HELD) == ["id", "id"]
    assert all("POSTCOMPILE_status" not in str(stmt) for stmt in access_rows._HELD.values())


def _copies(session: Session, template_id: int, count: int, jurisdiction: str) -> list[int]:
    """``count`` copies of an instance's listing row in ``jurisdiction`` (as the web benchmark copies them)."""
    template = session.execute(
        select(ProcessInstance.__table__).where(ProcessInstance.id == template_id)
    ).one()
    first = (session.scalar(select(ProcessInstance.id).order_by(ProcessInstance.id.desc()).limit(1)) or 0) + 1
    rows = [
        dict(template._mapping)
        | {"id": first + n, "business_key": f"{jurisdiction}-{n}", "jurisdiction": jurisdiction}
        for n in range(count)
    ]
    session.execute(insert(ProcessInstance), rows)
    return [row["id"] for row in rows]


def _plan(session: Session, statement: Any) -> str:
    """The plan of a statement as the database chooses it (PostgreSQL: after ANALYZE, as autovacuum would)."""
    compiled = statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        return "\n".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
    conn.execute(text("ANALYZE human_task"))
    conn.execute(text("ANALYZE process_instance"))
    return "\n".join(str(row[0]) for row in conn.exec_driver_sql(f"EXPLAIN {compiled}"))


def test_a_bureau_queue_among_thousands_of_tasks_shows_its_own_without_listing_readable_instances(
    db_session: Session,
    deploy,
    people,  # type: ignore[no-untyped-def]
) -> None:
    """Thousands of instances and ready tasks in two jurisdictions. The Urumqi bureau's queue shows exactly
    the ready tasks of its lane in Urumqi and the task assigned to it in Karamay, oldest first; every user sees
    the tasks of the instances they may read, as before (``readable_clause``); and the statement asks that of
    the task row and its instance — no list of readable instances, no scan of the instances."""
    deploy("basic")
    add_user(db_session, "bureau_karamay", roles=["bureau"], jurisdiction="karamay")
    add_user(db_session, "issuer_karamay", roles=["issuer"], jurisdiction="karamay")
    urumqi, _first_u = _start(db_session)
    karamay, _first_k = _start(db_session, "karamay", actor="bureau_karamay")
    in_urumqi = _copies(db_session, urumqi, 1500, "urumqi")
    in_karamay = _copies(db_session, karamay, 1500, "karamay")
    own: list[str] = []
    for n, iid in enumerate(in_urumqi):
        created = START + timedelta(minutes=n)
        if n % 3 == 0:  # the bureau's candidate tasks
            own.append(_task(db_session, iid, "urumqi", BUREAU_LANE, created_at=created))
        else:
            _task(db_session, iid, "urumqi", ISSUER_LANE, created_at=created)
    for n, iid in enumerate(in_karamay):
        lane = BUREAU_LANE if n % 2 else ISSUER_LANE
        _task(db_session, iid, "karamay", lane, created_at=START + timedelta(minutes=n))
    # a Karamay task the Karamay bureau assigned to the Urumqi clerk: theirs, outside their jurisdiction
    lent = _task(
        db_session,
        in_karamay[7],
        "karamay",
        ISSUER_LANE,
        assignee="bureau1",
        assigned_by="bureau",
        created_at=START - timedelta(days=1),
    )
    # issuer1 completed a task of a Karamay instance: a participant, it reads that instance
    _task(db_session, in_karamay[9], "karamay", ISSUER_LANE, status="completed", completed_by="issuer1")
    db_session.commit()

    lanes = ready_lanes(db_session)
    for name in ("bureau1", "bureau_karamay", "issuer1", "issuer_karamay", "solver1"):
        who = principal(get_user(db_session, name))
        asked = set(
            db_session.scalars(select(HumanTask.id).where(or_(*access_rows._readable_task_clauses(who))))
        )
        readable = select(ProcessInstance.id).where(readable_clause(who))
        listed = set(db_session.scalars(select(HumanTask.id).where(HumanTask.instance_id.in_(readable))))
        assert asked == listed, name

    bureau = get_user(db_session, "bureau1")
    queue = tasks.queue_query(
        roles=[(g.role, g.jurisdiction) for g in bureau.roles], assigned_to="bureau1", lanes=lanes
    ).where(task_visibility_clause(bureau, lanes))
    shown = list(db_session.scalars(queue))
    assert [t.id for t in shown] == [lent, *own]
    assert [t.id for t in db_session.scalars(queue.limit(20))] == [lent, *own[:19]]

    compiled = str(queue.compile(db_session.get_bind()))
    assert "IN (SELECT process_instance.id" not in " ".join(compiled.split())
    plan = _plan(db_session, queue.limit(20))
    # the instances may be probed (by their key, or those the clerk started), never listed by jurisdiction
    assert "ix_process_instance_jurisdiction" not in plan, plan
    if db_session.get_bind().dialect.name == "sqlite":
        assert "SCAN process_instance" not in plan, plan
    else:
        scanned = re.findall(r"Scan on process_instance .*\n\s*(?:Filter|Recheck Cond): (.*)", plan)
        assert not [found for found in scanned if "jurisdiction" in found], plan


def test_a_clerks_few_tasks_in_a_lane_busy_elsewhere_come_off_the_lanes_index(
    db_session: Session,
    deploy,
    people,  # type: ignore[no-untyped-def]
) -> None:
    """One ready task in the Urumqi bureau's lane among thousands of the same lane in Karamay and thousands of
    other lanes in Urumqi (each column alone looks common): the Urumqi
    clerk's page is read from the range of their lane in their jurisdiction, not by walking every ready task in
    creation order until the page is full: on PostgreSQL the statistics of migration 0026 tell the planner how
    few there are (SQLite's planner, without statistics, still walks the queue's order)."""
    deploy("basic")
    add_user(db_session, "bureau_karamay", roles=["bureau"], jurisdiction="karamay")
    urumqi, _first_u = _start(db_session)
    karamay, _first_k = _start(db_session, "karamay", actor="bureau_karamay")
    for n, iid in enumerate(_copies(db_session, karamay, 2000, "karamay")):
        _task(db_session, iid, "karamay", BUREAU_LANE, created_at=START + timedelta(minutes=n))
    for n, iid in enumerate(_copies(db_session, urumqi, 2000, "urumqi")):  # Urumqi's issuers are busy too
        _task(db_session, iid, "urumqi", ISSUER_LANE, created_at=START + timedelta(minutes=n))
    mine = _task(db_session, urumqi, "urumqi", BUREAU_LANE, created_at=START + timedelta(days=30))
    db_session.commit()

    lanes = ready_lanes(db_session)
    bureau = get_user(db_session, "bureau1")
    queue = tasks.queue_query(
        roles=[(g.role, g.jurisdiction) for g in bureau.roles], assigned_to="bureau1", lanes=lanes
    ).where(task_visibility_clause(bureau, lanes))
    assert [t.id for t in db_session.scalars(queue.limit(20))] == [mine]
    if db_session.get_bind().dialect.name == "postgresql":  # SQLite keeps no such statistics (report: access)
        plan = _plan(db_session, queue.limit(20))
        assert "ix_human_task_status_lane" in plan and "ix_human_task_queue" not in plan, plan
