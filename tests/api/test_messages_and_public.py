"""Messages with correlation, and the public (token-free) challenges and notices."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import NEED, START, problem_of


def _to_publicity(as_user: Any, business_key: str) -> int:
    bureau, issuer = as_user("bureau1"), as_user("issuer1")
    inst = bureau.post(
        "/api/v1/instances", json={"process": "publicity_demo", "business_key": business_key, "data": START}
    ).json
    (task,) = issuer.get(f"/api/v1/tasks?instance={inst['id']}").json["items"]
    assert issuer.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": NEED}).status_code == 200
    (review,) = bureau.get(f"/api/v1/tasks?instance={inst['id']}").json["items"]
    done = bureau.post(
        f"/api/v1/tasks/{review['id']}/complete", json={"data": {"decision": "approve", "reason": "符合条件"}}
    )
    assert done.status_code == 200, done.json
    return int(inst["id"])


def test_public_notices_need_no_token_and_messages_reach_the_waiting_instance(
    as_user, client, users, deployed
) -> None:
    instance_id = _to_publicity(as_user, "C-9")
    notices = client.get("/api/v1/notices")
    assert notices.status_code == 200, notices.json
    (notice,) = notices.json["items"]
    assert notice["business_key"] == "C-9" and notice["open"] is True and notice["end"]
    assert notice["instance"] == instance_id and notice["title"] == "高温合金"
    assert client.get("/api/v1/notices?jurisdiction=dazu").json["total"] == 0
    assert client.get("/api/v1/challenges").json == {"items": [], "page": 1, "page_size": 50, "total": 0}
    assert client.get("/api/v1/notices?page_size=500").status_code == 422

    message = {"name": "objection", "correlation": {"business_key": "C-9"}, "payload": {"text": "有异议"}}
    assert as_user("solver1").post("/api/v1/messages", json=message).status_code == 403
    assert as_user("bureau_dazu").post("/api/v1/messages", json=message).status_code == 403
    delivered = as_user("bureau1").post("/api/v1/messages", json=message)
    assert delivered.status_code == 200 and delivered.json == {"instance": instance_id}
    kinds = [
        e["kind"] for e in as_user("bureau1").get(f"/api/v1/instances/{instance_id}/events").json["items"]
    ]
    assert kinds[-1] == "message_received"
    assert client.get("/api/v1/notices").json["total"] == 0

    again = as_user("bureau1").post("/api/v1/messages", json=message)
    assert again.status_code == 404 and problem_of(again)["code"] == "not_found"
    empty = as_user("bureau1").post("/api/v1/messages", json={"name": "objection", "correlation": {}})
    assert empty.status_code == 422 and "correlation" in problem_of(empty)["errors"]
