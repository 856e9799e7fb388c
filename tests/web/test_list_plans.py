"""Lists at bureau scale (issue 15): the work queue and the monitor read their page through an index, so their
cost follows what the user sees, not how many instances exist. Checked by the plans the database chooses for
the statements the pages send (EXPLAIN on SQLite and PostgreSQL) and by counting statements, never by timing.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, MetaData, event, insert, select, text
from sqlalchemy.orm import Session

from engine import instances
from engine.api_tokens import create_token
from engine.models.task import HumanTask

from .conftest import login
from .test_portal import publicise  # noqa: F401  (fixture)


@pytest.fixture
def sent() -> Iterator[list[tuple[str, Any]]]:
    """The statements (with parameters) the requests send."""
    seen: list[tuple[str, Any]] = []

    def watch(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", watch)
    yield seen
    event.remove(Engine, "before_cursor_execute", watch)


def _plan(session: Session, statement: str, parameters: Any, *, sorted_by_index: bool = False) -> str:
    """The plan of one captured statement, as text. On PostgreSQL the tables are analyzed first (the planner
    chooses by their statistics); with ``sorted_by_index`` sequential scans and sorts are priced out, so a
    Sort left in the plan means no index gives the order."""
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
        return "\n".join(str(row[-1]) for row in rows)
    conn.execute(text("ANALYZE human_task"))
    conn.execute(text("ANALYZE process_instance"))
    if sorted_by_index:
        conn.execute(text("SET LOCAL enable_seqscan = off"))
    if sorted_by_index:
        conn.execute(text("SET LOCAL enable_sort = off"))
    rows = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
    return "\n".join(str(row[0]) for row in rows)


def _others_tasks(session: Session, instance_id: int, count: int) -> None:
    """Many ready tasks of other people (another jurisdiction's issuers), as at bureau scale: a plan that walks
    every ready task shows up against them."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    session.execute(
        insert(HumanTask),
        [
            {
                "id": str(uuid.uuid4()),
                "instance_id": instance_id,
                "process_key": "publicity_demo",
                "jurisdiction": "karamay",
                "task_spec": "draft",
                "lane": "发榜方 (issuer)",
                "status": "ready",
                "created_at": start + timedelta(minutes=n),
            }
            for n in range(count)
        ],
    )
    session.commit()


def _notice_to_draft(session: Session, key: str) -> None:
    """A ready task in the bureau's lane of Urumqi: a publicity notice to draft."""
    instances.start_instance(
        session,
        "publicity_demo",
        business_key=key,
        data={
            "jurisdiction": "urumqi",
            "title": "拟支持项目",
            "publicity_length": 7,
            "publicity_unit": "days",
        },
    )


def _one(sent: list[tuple[str, Any]], *fragments: str) -> tuple[str, Any]:
    found = [(s, p) for s, p in sent if all(f in " ".join(s.split()) for f in fragments)]
    assert found, fragments
    return found[-1]


def _read_in_order(session: Session, sent: list[tuple[str, Any]], *fragments: str) -> tuple[str, str]:
    """The last captured statement with ``fragments`` and its plan: its rows come off an index in the order
    asked for (no sort step) and its page starts where it is (no OFFSET that walks the rows before it)."""
    statement, parameters = _one(sent, *fragments)
    offset = re.search(r"OFFSET (\?|%\((\w+)\)s)", statement)
    if offset:  # an OFFSET may be sent (SQLite's dialect always does), but it must skip nothing
        value = parameters[offset.group(2)] if offset.group(2) else parameters[-1]
        assert value == 0, (statement, parameters)
    plan = _plan(session, statement, parameters, sorted_by_index=True)
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan
    return statement, plan


def test_the_work_queue_reads_only_the_tasks_of_the_users_lanes(
    client: FlaskClient,
    db_session: Session,
    publicise,  # noqa: F811
    web_users,
    sent,
) -> None:
    """The bureau's queue is a union of index ranges (its lanes in its jurisdiction, tasks assigned to it),
    not a walk through every ready task in creation order filtered row by row; so is a queue with only the
    tasks assigned to the user (no ready task in any lane of theirs)."""
    iid = publicise("P-1")  # deploys the diagrams; its first task is done
    _others_tasks(db_session, iid, 3000)
    login(client, web_users["bureau"])
    sent.clear()
    assert client.get("/tasks").status_code == 200  # no lane of the user has a ready task
    statement, parameters = _one(sent, "count(*)", "FROM human_task")
    plan = _plan(db_session, statement, parameters)
    assert "ix_human_task_status_assignee" in plan and "ix_human_task_queue" not in plan, plan
    # the count said the queue is empty: no page is asked for (an ordered LIMIT that finds nothing may walk
    # every ready task on PostgreSQL)
    assert not [s for s, _ in sent if "ORDER BY human_task.created_at" in s], sent
    db_session.rollback()

    # a notice to draft: a ready task in the bureau's lane of Urumqi
    _notice_to_draft(db_session, "P-2")
    sent.clear()
    page = client.get("/tasks")
    assert page.status_code == 200 and "P-2" in page.get_data(as_text=True)
    statement, parameters = _one(
        sent, "FROM human_task", "human_task.lane IN", "ORDER BY human_task.created_at"
    )
    plan = _plan(db_session, statement, parameters)
    assert "ix_human_task_status_lane" in plan and "ix_human_task_queue" not in plan, plan


def test_the_lanes_in_use_cost_one_index_probe_per_lane(
    client: FlaskClient,
    db_session: Session,
    publicise,  # noqa: F811
    web_users,
    sent,
) -> None:
    """The queue's lane names (``engine.workqueue.ready_lanes``) are the distinct lanes of ready tasks — not of
    done tasks, never an empty lane — read as one index probe per lane (the next lane after the last), not by
    reading every ready task's entry; and the page asks for them once."""
    from engine.workqueue import ready_lanes

    iid = publicise("P-1")
    _others_tasks(db_session, iid, 3000)
    done = db_session.scalars(select(HumanTask).where(HumanTask.status != "ready")).all()
    assert done and all(t.lane != "专家 (expert)" for t in done)
    done[0].lane = "专家 (expert)"  # a lane only a done task has
    db_session.execute(
        insert(HumanTask),
        [
            {
                "id": str(uuid.uuid4()),
                "instance_id": iid,
                "process_key": "publicity_demo",
                "jurisdiction": "karamay",
                "task_spec": "draft",
                "lane": lane,
                "status": "ready",
                "created_at": datetime(2026, 1, 1, tzinfo=UTC),
            }
            for lane in (None, "第三方 (third_party)")
        ],
    )
    db_session.commit()
    expected = sorted(
        {t.lane for t in db_session.scalars(select(HumanTask).where(HumanTask.status == "ready")) if t.lane}
    )
    assert "第三方 (third_party)" in expected and "专家 (expert)" not in expected
    assert ready_lanes(db_session) == expected
    db_session.rollback()

    login(client, web_users["bureau"])
    sent.clear()
    assert client.get("/tasks").status_code == 200
    lanes = [(s, p) for s, p in sent if "WITH RECURSIVE lanes" in s]
    assert len(lanes) == 1, lanes
    plan = _plan(db_session, *lanes[0])
    assert "ix_human_task_status_lane" in plan, plan
    if db_session.get_bind().dialect.name == "sqlite":
        assert "lane>?" in plan and "SCAN human_task" not in plan, plan
    else:  # each probe is an index scan that stops at its first row
        assert "Limit" in plan and "Unique" not in plan and "Seq Scan" not in plan, plan


def test_a_queue_page_past_the_end_reads_no_rows(
    client: FlaskClient,
    db_session: Session,
    publicise,  # noqa: F811
    web_users,
    sent,
) -> None:
    """Paging (``engine.paging.paginate``): the total is counted first; a page past the end shows nothing and
    does not ask for rows, while a page within the list does."""
    publicise("P-1")
    _notice_to_draft(db_session, "P-2")
    db_session.commit()
    login(client, web_users["bureau"])
    sent.clear()
    first = client.get("/tasks").get_data(as_text=True)
    assert "P-2" in first and [s for s, _ in sent if "ORDER BY human_task.created_at" in s]
    sent.clear()
    beyond = client.get("/tasks?page=5").get_data(as_text=True)
    assert "P-2" not in beyond
    assert not [s for s, _ in sent if "ORDER BY human_task.created_at" in s], sent


def test_the_monitor_reads_a_jurisdictions_newest_instances_from_an_index(
    client: FlaskClient,
    db_session: Session,
    publicise,  # noqa: F811
    web_users,
    sent,
) -> None:
    """Newest first within the bureau's jurisdiction: the page comes off ix_process_instance_jurisdiction_id
    (migration 0019) instead of sorting every instance of the jurisdiction."""
    for key in ("P-1", "P-2"):
        publicise(key)
    publicise("P-3", "dazu")
    login(client, web_users["bureau"])
    sent.clear()
    page = client.get("/monitor/")
    assert page.status_code == 200 and "P-1" in page.get_data(as_text=True)
    _, plan = _read_in_order(db_session, sent, "FROM process_instance", "ORDER BY process_instance.id DESC")
    assert "ix_process_instance_jurisdiction_id" in plan, plan


def test_process_names_on_a_page_cost_one_query(
    client: FlaskClient,
    db_session: Session,
    publicise,  # noqa: F811
    web_users,
    sent,
) -> None:
    """The monitor's process filter names every deployed process: their names are read in one statement,
    not one per process."""
    publicise("P-1")
    login(client, web_users["bureau"])
    sent.clear()
    page = client.get("/monitor/").get_data(as_text=True)
    assert "公示" in page  # the process names are shown
    names = [s for s, _ in sent if "process_version.name" in s and "FROM process_version" in s]
    assert len(names) == 1, names


def _copies(session: Session, instance_id: int, count: int) -> None:
    """``count`` copies of an instance's listing row and of its portal rows (new ids), as at bureau scale."""
    meta = MetaData()
    meta.reflect(bind=session.connection(), only=["process_instance", "portal_entry"])
    pi, pe = meta.tables["process_instance"], meta.tables["portal_entry"]
    row = session.execute(select(pi).where(pi.c.id == instance_id)).mappings().one()
    entries = session.execute(select(pe).where(pe.c.instance_id == instance_id)).mappings().all()
    copy = {k: v for k, v in row.items() if k != "id"}
    ids = session.scalars(
        insert(pi).returning(pi.c.id, sort_by_parameter_order=True),
        [{**copy, "business_key": f"{row['business_key']}-{n}"} for n in range(count)],
    ).all()
    copied = [
        {**e, "instance_id": n, "business_key": f"{e['business_key']}-{n}"} for n in ids for e in entries
    ]
    if copied:
        session.execute(insert(pe), [{k: v for k, v in e.items() if k != "id"} for e in copied])
    session.commit()


def test_the_monitors_next_and_previous_pages_start_at_the_edge_of_the_page_seen(
    client: FlaskClient,
    db_session: Session,
    publicise,  # noqa: F811
    web_users,
    sent,
) -> None:
    """Keyset paging: a later page is the next ids below the last one seen (an earlier page: above the first
    one), read off an index in id order with a LIMIT."""
    _copies(db_session, publicise("P-1"), 80)
    login(client, web_users["bureau"])
    first = client.get("/monitor/?status=running").get_data(as_text=True)
    forward = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert forward and "status=running" in forward.group(1)
    sent.clear()
    second = client.get(html.unescape(forward.group(1))).get_data(as_text=True)
    assert "第 2 / 4 页" in second
    statement, _ = _read_in_order(
        db_session, sent, "FROM process_instance", "ORDER BY process_instance.id DESC"
    )
    assert "process_instance.id <" in statement, statement
    db_session.rollback()

    back = re.search(r'<a href="([^"]+)" rel="prev">', second)
    assert back
    sent.clear()
    assert "第 1 / 4 页" in client.get(html.unescape(back.group(1))).get_data(as_text=True)
    statement, _ = _read_in_order(db_session, sent, "FROM process_instance", "ORDER BY process_instance.id")
    assert "process_instance.id >" in statement, statement


@pytest.mark.parametrize("path", ["/portal/", "/api/v1/challenges", "/api/v1/notices"])
def test_a_public_list_reads_its_page_off_the_index_in_order(
    client: FlaskClient,
    db_session: Session,
    publicise,  # noqa: F811
    path: str,
    sent,
) -> None:
    """The notices (open ones first) and the challenges (open windows first) are each read as index ranges
    in the order of ix_portal_entry_kind_end with the page's LIMIT, not by sorting every published row on
    each anonymous request (issue 15)."""
    _copies(db_session, publicise("P-1"), 60)
    sent.clear()
    assert client.get(path).status_code == 200
    statement, plan = _read_in_order(
        db_session, sent, "FROM portal_entry", "ORDER BY portal_entry.window_end"
    )
    assert "LIMIT" in statement and "ix_portal_entry_kind_end" in plan, plan


def test_the_instance_api_reads_the_newest_instances_down_the_primary_key(
    client: FlaskClient,
    db_session: Session,
    publicise,  # noqa: F811
    sent,
) -> None:
    """/api/v1/instances for an administrator, newest first: a walk down the primary key that stops after the
    page, not a sort of every instance."""
    from engine.users import add_user

    _copies(db_session, publicise("P-1"), 60)
    _copies(db_session, publicise("P-2", "dazu"), 60)
    add_user(db_session, "api_admin", roles=["admin"])
    token = create_token(db_session, "api_admin", "plans").plaintext
    db_session.commit()
    sent.clear()
    response = client.get("/api/v1/instances", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and len(response.get_json()["items"]) == 50
    assert response.get_json()["items"][0]["id"] > response.get_json()["items"][-1]["id"]
    _read_in_order(db_session, sent, "FROM process_instance", "ORDER BY process_instance.id DESC")
