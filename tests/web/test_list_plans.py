"""Lists at bureau scale (issue 15): the work queue and the monitor read their page through an index, so their
cost follows what the user sees, not how many instances exist. Checked by the plans the database chooses for
the statements the pages send (EXPLAIN on SQLite and PostgreSQL) and by counting statements, never by timing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, insert, text
from sqlalchemy.orm import Session

from engine import instances
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


def _one(sent: list[tuple[str, Any]], *fragments: str) -> tuple[str, Any]:
    found = [(s, p) for s, p in sent if all(f in " ".join(s.split()) for f in fragments)]
    assert found, fragments
    return found[-1]


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
    statement, parameters = _one(sent, "FROM human_task", "ORDER BY human_task.created_at")
    plan = _plan(db_session, statement, parameters)
    assert "ix_human_task_status_assignee" in plan and "ix_human_task_queue" not in plan, plan
    db_session.rollback()

    # a notice to draft: a ready task in the bureau's lane of Urumqi
    instances.start_instance(
        db_session,
        "publicity_demo",
        business_key="P-2",
        data={
            "jurisdiction": "urumqi",
            "title": "拟支持项目",
            "publicity_length": 7,
            "publicity_unit": "days",
        },
    )
    sent.clear()
    page = client.get("/tasks")
    assert page.status_code == 200 and "P-2" in page.get_data(as_text=True)
    statement, parameters = _one(
        sent, "FROM human_task", "human_task.lane IN", "ORDER BY human_task.created_at"
    )
    plan = _plan(db_session, statement, parameters)
    assert "ix_human_task_status_lane" in plan and "ix_human_task_queue" not in plan, plan


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
    statement, parameters = _one(sent, "FROM process_instance", "ORDER BY process_instance.id DESC")
    plan = _plan(db_session, statement, parameters, sorted_by_index=True)
    assert "ix_process_instance_jurisdiction_id" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan


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
