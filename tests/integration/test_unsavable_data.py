"""Task data the database cannot hold is an error of the step that left it — through the API too, never a 500."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import instances, tasks
from engine.models.instance import ProcessInstance
from tests.api.conftest import app, as_user, client, problem_of, tokens, users  # noqa: F401  (API fixtures)


def test_a_dmn_cell_giving_a_set_refuses_the_start_with_the_reason(
    db_session: Session,
    deploy,
    sim,
    as_user,  # noqa: F811
) -> None:
    sim.set("2026-05-01T09:00:00+08:00")
    deploy("bounds")
    response = as_user("bureau1").post(
        "/api/v1/instances",
        json={"process": "dmn_set_on_start", "data": {"jurisdiction": "urumqi"}},
        headers={"Accept-Language": "en"},
    )
    body = problem_of(response)
    assert response.status_code == 422 and body["code"] == "step_failed"
    assert "(classify)" in body["detail"] and "cannot be saved (['classes']: set)" in body["detail"]
    assert db_session.scalar(select(func.count()).select_from(ProcessInstance)) == 0  # nothing half-saved


def test_a_script_storing_bytes_after_a_task_puts_the_instance_in_error(
    db_session: Session,
    deploy,
    sim,
    as_user,  # noqa: F811
) -> None:
    sim.set("2026-05-01T09:00:00+08:00")
    deploy("bounds")
    bureau = as_user("bureau1")
    started = bureau.post(
        "/api/v1/instances", json={"process": "bytes_after_task", "data": {"jurisdiction": "urumqi"}}
    )
    assert started.status_code == 201, started.json
    (task,) = tasks.list_tasks(db_session, instance_id=started.json["id"])
    done = bureau.post(f"/api/v1/tasks/{task.id}/complete", json={"data": {}})
    assert done.status_code == 200 and done.json["instance_status"] == "error"
    db_session.rollback()
    info = instances.describe(db_session, started.json["id"])
    assert info["status"] == "error" and info["error"]["task"].endswith("(encode)")
    assert "'raw' cannot be saved (bytes)" in info["error"]["message"]
