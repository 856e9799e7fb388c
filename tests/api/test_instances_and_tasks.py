"""Instances and tasks through the API: start, list with filters, show, events, control; the queue, claim,
unclaim, complete with form validation; and the read rules (a solver never sees another solver's application,
and cannot complete a bureau task)."""

from __future__ import annotations

from typing import Any

from engine.bundle import collect_paths
from engine.deploy import deploy_bundle
from tests.api.conftest import NEED, START, problem_of
from tests.conftest import FIXTURES


def _start(client: Any, process: str, **kwargs: Any) -> dict[str, Any]:
    response = client.post("/api/v1/instances", json={"process": process, **kwargs})
    assert response.status_code == 201, response.json
    return response.json


def _tasks(client: Any, instance_id: int) -> list[dict[str, Any]]:
    return client.get(f"/api/v1/tasks?instance={instance_id}").json["items"]


def test_start_list_show_and_events(as_user, users, deployed) -> None:
    bureau = as_user("bureau1")
    started = _start(bureau, "publicity_demo", business_key="C-1", data=START)
    assert started["status"] == "running" and started["jurisdiction"] == "urumqi"
    assert started["stage"] and started["started_by"] == "bureau1"
    other = _start(as_user("bureau_dazu"), "publicity_demo", data={**START, "jurisdiction": "dazu"})

    listed = bureau.get("/api/v1/instances").json
    assert [i["id"] for i in listed["items"]] == [started["id"]]  # dazu's instance is not bureau1's to read
    admin = as_user("admin")
    assert admin.get("/api/v1/instances").json["total"] == 2
    assert [i["id"] for i in admin.get("/api/v1/instances?jurisdiction=dazu").json["items"]] == [other["id"]]
    assert admin.get("/api/v1/instances?process=publicity_demo&version=1&status=running").json["total"] == 2
    assert admin.get("/api/v1/instances?status=completed").json["total"] == 0
    assert admin.get("/api/v1/instances?business_key=C-1").json["items"][0]["id"] == started["id"]
    assert admin.get("/api/v1/instances?stage=submit").json["total"] == 2
    assert admin.get("/api/v1/instances?stage=review").json["total"] == 0
    page = admin.get("/api/v1/instances?page=2&page_size=1").json
    assert page["total"] == 2 and [i["id"] for i in page["items"]] == [started["id"]]
    # keyset paging (issue 15): the page after the newest instance, by its id, is the same second page
    first = admin.get("/api/v1/instances?page_size=1").json["items"]
    after = admin.get(f"/api/v1/instances?page_size=1&before={first[-1]['id']}").json
    assert after["total"] == 2 and [i["id"] for i in after["items"]] == [started["id"]]
    assert admin.get(f"/api/v1/instances?before={started['id']}").json["items"] == []

    shown = bureau.get(f"/api/v1/instances/{started['id']}").json
    assert shown["data"]["title"] == "高温合金需求" and shown["ready_tasks"][0]["task"] == "submit"
    events = bureau.get(f"/api/v1/instances/{started['id']}/events").json
    assert [e["kind"] for e in events["items"]] == ["started"] and events["items"][0]["actor"] == "bureau1"
    assert problem_of(bureau.get("/api/v1/instances/424242"))["code"] == "not_found"
    assert problem_of(bureau.get(f"/api/v1/instances/{other['id']}"))["code"] == "forbidden"
    assert bureau.get(f"/api/v1/instances/{other['id']}/events").status_code == 403
    assert as_user("supervisor").get(f"/api/v1/instances/{other['id']}").status_code == 200
    assert as_user("expert1").get(f"/api/v1/instances/{started['id']}").status_code == 200


def test_start_refusals(as_user, users, deployed) -> None:
    solver = as_user("solver1")
    missing = solver.post("/api/v1/instances", json={"process": "nope"})
    assert missing.status_code == 404 and problem_of(missing)["code"] == "not_found"
    elsewhere = solver.post(
        "/api/v1/instances", json={"process": "api_application", "data": {"jurisdiction": "dazu"}}
    )
    assert elsewhere.status_code == 403
    invalid = solver.post(
        "/api/v1/instances", json={"process": "api_application", "data": {"jurisdiction": 5}}
    )
    assert invalid.status_code == 422 and "data" in problem_of(invalid)["errors"]
    no_process = solver.post("/api/v1/instances", json={"data": {}}, headers={"Accept-Language": "en"})
    assert problem_of(no_process)["errors"] == {"process": ["Missing data for required field."]}
    unknown = solver.post("/api/v1/instances", json={"process": "api_application", "extra": 1})
    assert unknown.status_code == 422 and "extra" in problem_of(unknown)["errors"]


def test_suspend_resume_terminate(as_user, users, deployed) -> None:
    bureau = as_user("bureau1")
    inst = _start(bureau, "publicity_demo", data=START)
    path = f"/api/v1/instances/{inst['id']}"
    assert as_user("bureau_dazu").post(f"{path}/suspend").status_code == 403
    assert as_user("issuer1").post(f"{path}/suspend").status_code == 403  # may not even read it
    suspended = bureau.post(f"{path}/suspend")
    assert suspended.status_code == 200 and suspended.json["status"] == "suspended"
    assert _tasks(as_user("issuer1"), inst["id"]) == []  # paused tasks leave the queue
    again = bureau.post(f"{path}/suspend")
    assert again.status_code == 409 and problem_of(again)["code"] == "invalid_state"
    assert bureau.post(f"{path}/resume").json["status"] == "running"
    ended = bureau.post(f"{path}/terminate", json={"reason": "重复申报"})
    assert ended.status_code == 200 and ended.json["status"] == "terminated" and ended.json["ended_at"]
    kinds = [e["kind"] for e in bureau.get(f"{path}/events").json["items"]]
    assert kinds == ["started", "suspended", "resumed", "terminated"]
    assert bureau.post(f"{path}/retry").status_code == 409
    assert bureau.post("/api/v1/instances/999999/terminate").status_code == 404


def test_queue_claim_unclaim_complete_with_form_validation(as_user, users, deployed) -> None:
    bureau, issuer = as_user("bureau1"), as_user("issuer1")
    inst = _start(bureau, "publicity_demo", business_key="C-2", data=START)
    assert _tasks(bureau, inst["id"]) == []  # the first task is the issuer's
    (task,) = _tasks(issuer, inst["id"])
    assert task["task"] == "submit" and task["form"] == "demo_need" and task["lane"] == "发榜方 (issuer)"

    detail = issuer.get(f"/api/v1/tasks/{task['id']}").json
    assert detail["form_definition"]["id"] == "demo_need" and detail["data"]["title"] == "高温合金需求"
    lock = detail["lock_version"]

    claimed = issuer.post(f"/api/v1/tasks/{task['id']}/claim")
    assert claimed.status_code == 200 and claimed.json["assignee"] == "issuer1"
    assert issuer.get("/api/v1/tasks?mine=true").json["total"] == 1
    assert bureau.post(f"/api/v1/tasks/{task['id']}/unclaim").status_code == 403
    assert issuer.post(f"/api/v1/tasks/{task['id']}/unclaim").json["assignee"] is None
    assert issuer.post(f"/api/v1/tasks/{task['id']}/unclaim").status_code == 409

    invalid = issuer.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"title": "", "budget": "1.234"}},
        headers={"Accept-Language": "en"},
    )
    body = problem_of(invalid)
    assert invalid.status_code == 422 and body["code"] == "validation_failed"
    assert {"title", "budget", "pledge_unit"} <= set(body["errors"])
    zh = problem_of(issuer.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"title": ""}}))
    assert zh["errors"] != body["errors"]  # field messages follow the language too

    stale = issuer.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": NEED, "lock_version": lock + 5})
    assert stale.status_code == 409 and problem_of(stale)["code"] == "conflict"
    done = issuer.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": NEED, "lock_version": lock})
    assert done.status_code == 200, done.json
    assert done.json["instance_status"] == "running"
    assert [t["task"] for t in done.json["next_tasks"]] == ["review"]
    twice = issuer.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": NEED})
    assert twice.status_code == 409
    assert problem_of(issuer.get("/api/v1/tasks/not-a-uuid"))["code"] == "not_found"
    assert issuer.post("/api/v1/tasks/00000000-0000-0000-0000-000000000000/claim").status_code == 404


def test_a_solver_cannot_read_another_solvers_application_nor_complete_a_bureau_task(
    as_user, users, deployed
) -> None:
    solver1, solver2 = as_user("solver1"), as_user("solver2")
    application = _start(solver1, "api_application", business_key="APP-1", data={"jurisdiction": "urumqi"})
    (apply_task,) = _tasks(solver1, application["id"])
    assert apply_task["task"] == "apply"

    # solver2 holds the same role in the same jurisdiction, and still sees nothing of solver1's application
    assert solver2.get("/api/v1/instances").json["total"] == 0
    assert solver2.get("/api/v1/tasks").json["total"] == 0
    for path in (
        f"/api/v1/instances/{application['id']}",
        f"/api/v1/instances/{application['id']}/events",
        f"/api/v1/tasks/{apply_task['id']}",
    ):
        refused = solver2.get(path)
        assert refused.status_code == 403 and problem_of(refused)["code"] == "forbidden", path
    for action in ("claim", "complete"):
        refused = solver2.post(f"/api/v1/tasks/{apply_task['id']}/{action}", json={})
        assert refused.status_code == 403, action
    assert solver2.get("/api/v1/instances?business_key=APP-1").json["total"] == 0

    # solver1 fills it in; the next task is the bureau's, which solver1 sees nowhere and cannot complete
    done = solver1.post(
        f"/api/v1/tasks/{apply_task['id']}/complete", json={"data": {"project": "高温合金", "budget": "100"}}
    )
    assert done.status_code == 200, done.json
    assert solver1.get("/api/v1/tasks").json["total"] == 0
    (review,) = _tasks(as_user("bureau1"), application["id"])
    refused = solver1.post(f"/api/v1/tasks/{review['id']}/complete", json={"data": {"passed": True}})
    assert refused.status_code == 403 and problem_of(refused)["code"] == "forbidden"
    assert solver1.post(f"/api/v1/tasks/{review['id']}/claim").status_code == 403
    assert solver1.get(f"/api/v1/instances/{application['id']}").json["data"]["project"] == "高温合金"
    assert as_user("bureau_dazu").post(f"/api/v1/tasks/{review['id']}/complete", json={}).status_code == 403

    finished = as_user("bureau1").post(
        f"/api/v1/tasks/{review['id']}/complete", json={"data": {"passed": True}}
    )
    assert finished.json["instance_status"] == "completed"
    assert solver1.get("/api/v1/instances?status=completed").json["total"] == 1


def test_retry_a_failed_step_with_corrected_data(as_user, users, deployed, db_session) -> None:
    """A failing script parks the instance in error; the bureau retries it through the API with fixed data."""
    deploy_bundle(db_session, collect_paths([FIXTURES / "failing"]), deployed_by="owner")
    bureau = as_user("bureau1")
    inst = _start(bureau, "divide", data={"jurisdiction": "urumqi", "amount": 10, "divisor": 0})
    (task,) = _tasks(bureau, inst["id"])
    done = bureau.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {}})
    assert done.status_code == 200, done.json
    path = f"/api/v1/instances/{inst['id']}"
    failed = bureau.get(path).json
    assert failed["status"] == "error"
    assert as_user("solver1").post(f"{path}/retry", json={"data": {"divisor": 2}}).status_code == 403
    retried = bureau.post(f"{path}/retry", json={"data": {"divisor": 2}})
    assert retried.status_code == 200 and retried.json["status"] == "completed", retried.json
    kinds = [e["kind"] for e in bureau.get(f"{path}/events").json["items"]]
    assert kinds[-3:] == ["error", "retried", "completed"]


def test_every_completion_moves_the_lock_version_even_when_the_listing_row_stays_the_same(
    as_user, users, deployed, db_session
) -> None:
    """The simulated clock stands still and the next task has the same name as the one completed, so nothing
    shown in the instance list changes; the instance still moved on, so the lock version a client read before
    is stale: completing with it again is refused, not silently accepted."""
    from pathlib import Path

    deploy_bundle(
        db_session, collect_paths([Path(__file__).parents[2] / "bench" / "fixtures"]), deployed_by="owner"
    )
    bureau = as_user("bureau1")
    started = _start(bureau, "many_steps", data={"jurisdiction": "urumqi"})
    seen = [bureau.get(f"/api/v1/instances/{started['id']}").json["lock_version"]]
    stages = []
    for _ in range(3):
        (task,) = _tasks(bureau, started["id"])
        done = bureau.post(
            f"/api/v1/tasks/{task['id']}/complete",
            json={"data": {"score": 80, "comment": "符合要求"}, "lock_version": seen[-1]},
        )
        assert done.status_code == 200, done.json
        shown = bureau.get(f"/api/v1/instances/{started['id']}").json
        seen.append(shown["lock_version"])
        stages.append(shown["stage"])
    assert len(set(stages)) == 1  # the listing row's stage did not change
    assert seen == sorted(set(seen)), seen  # but every completion moved the lock version
    (task,) = _tasks(bureau, started["id"])
    stale = bureau.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"score": 80, "comment": "符合要求"}, "lock_version": seen[-2]},
    )
    assert stale.status_code == 409 and problem_of(stale)["code"] == "conflict"
