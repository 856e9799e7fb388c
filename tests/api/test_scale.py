"""Lists stay cheap with 10,000 instances: every list is a few index-backed queries, no workflow is loaded (speed
itself is measured by bench/, never by a timed test)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from engine.models.deployment import ProcessVersion
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from engine.users import add_user

N = 10_000
JURISDICTIONS = ("urumqi", "dazu", "karamay", "zhangye")
STATUSES = ("running", "running", "suspended", "completed", "terminated")


@pytest.fixture
def many(db_session: Session, deployed, users) -> None:
    pv = db_session.scalar(select(ProcessVersion).where(ProcessVersion.process_key == "api_application"))
    assert pv is not None
    base = datetime(2026, 1, 1, tzinfo=UTC)
    instances = [
        {
            "id": 100_000 + i,
            "process_version_id": pv.id,
            "process_key": pv.process_key,
            "version": pv.version,
            "business_key": f"APP-{i:05d}",
            "title": f"申报 {i}",
            "jurisdiction": JURISDICTIONS[i % 4],
            "status": STATUSES[i % 5],
            "stage": "填写申报书 Fill in the application" if i % 5 < 2 else None,
            "lock_version": 1,
            "started_by": f"solver{i % 50}" if i % 7 else "solver1",
            "started_at": base + timedelta(minutes=i),
            "updated_at": base + timedelta(minutes=i),
        }
        for i in range(N)
    ]
    tasks = [
        {
            "id": str(uuid.UUID(int=i + 1)),
            "instance_id": 100_000 + i,
            "process_key": pv.process_key,
            "business_key": f"APP-{i:05d}",
            "jurisdiction": JURISDICTIONS[i % 4],
            "task_spec": "apply",
            "name": "填写申报书 Fill in the application",
            "lane": "揭榜方 (solver)",
            "form_key": "api_application",
            "status": "ready" if i % 5 == 0 else ("paused" if i % 5 == 2 else "completed"),
            "created_at": base + timedelta(minutes=i),
        }
        for i in range(N)
    ]
    # Each application's starter is a solver of its own, so its open 填写申报书 task is that solver's hand in
    # the lane: no other solver may read it (engine.access.rows: held_task_clause).
    for n in range(50):
        if f"solver{n}" not in users:
            add_user(db_session, f"solver{n}", roles=["solver"], jurisdiction="urumqi")
    # No instance_state rows: a list that loaded a workflow would fail loudly.
    db_session.execute(insert(ProcessInstance), instances)
    db_session.execute(insert(HumanTask), tasks)
    db_session.commit()


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements sent while the block runs."""
    sent: list[str] = []

    def watch(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        sent.append(statement)

    event.listen(Engine, "before_cursor_execute", watch)
    try:
        yield sent
    finally:
        event.remove(Engine, "before_cursor_execute", watch)


#: Statements one list request may send, whatever the number of instances: the token and user lookups, the
#: count and the page (a list that walked instances one by one would send thousands).
MAX_STATEMENTS = 10


@pytest.mark.slow
def test_lists_over_ten_thousand_instances_cost_a_few_statements_and_no_state(as_user, many) -> None:
    checks = [
        ("admin", "/api/v1/instances", N),
        ("admin", "/api/v1/instances?jurisdiction=dazu&status=running&page=20&page_size=20", 1000),
        ("admin", "/api/v1/instances?process=api_application&version=1&stage=apply", 4000),
        ("admin", "/api/v1/instances?business_key=APP-04242", 1),
        ("bureau1", "/api/v1/instances?status=completed", 500),
        ("solver1", "/api/v1/instances", None),
        ("solver1", "/api/v1/tasks", None),
        ("bureau1", "/api/v1/tasks", None),
        ("admin", "/api/v1/tasks?jurisdiction=karamay", None),
    ]
    for user, path, expected_total in checks:
        client = as_user(user)
        client.get(path)  # warm caches (token lookup, lanes)
        with statements() as sent:
            response = client.get(path)
        assert response.status_code == 200, (path, response.json)
        if expected_total is not None:
            assert response.json["total"] == expected_total, path
        assert len(sent) <= MAX_STATEMENTS, f"{user} {path} sent {len(sent)} statements: {sent}"
        assert not [q for q in sent if "instance_state" in q], f"{user} {path} read workflow state"
    mine = as_user("solver1").get("/api/v1/instances?page_size=200").json
    assert mine["total"] > 1400 and all(i["started_by"] == "solver1" for i in mine["items"])
