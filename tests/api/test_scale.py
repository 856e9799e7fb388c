"""Lists stay fast with 10,000 instances: every list is an index-backed query, no workflow is loaded."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine.models.deployment import ProcessVersion
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask

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
    # No instance_state rows: a list that loaded a workflow would fail loudly.
    db_session.execute(insert(ProcessInstance), instances)
    db_session.execute(insert(HumanTask), tasks)
    db_session.commit()


@pytest.mark.slow
def test_lists_over_ten_thousand_instances_are_fast(as_user, many) -> None:
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
        began = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - began
        assert response.status_code == 200, (path, response.json)
        if expected_total is not None:
            assert response.json["total"] == expected_total, path
        assert elapsed < 1.0, f"{user} {path} took {elapsed:.3f}s"
    mine = as_user("solver1").get("/api/v1/instances?page_size=200").json
    assert mine["total"] > 1400 and all(i["started_by"] == "solver1" for i in mine["items"])
