"""Deployments (list, show, multipart deploy with refusals) and process definitions and versions."""

from __future__ import annotations

import io

from tests.api.conftest import API_FIXTURES, problem_of
from tests.conftest import FIXTURES


def _files(folder, *, rename: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    out = []
    for path in sorted(folder.iterdir()):
        name = (rename or {}).get(path.name, path.name)
        out.append((io.BytesIO(path.read_bytes()), name))
    return out


def test_owner_deploys_a_bundle_then_the_same_bytes_again(as_user, users) -> None:
    owner = as_user("owner")
    first = owner.post(
        "/api/v1/deployments",
        data={"files": _files(API_FIXTURES / "application"), "note": "第一版"},
        content_type="multipart/form-data",
    )
    assert first.status_code == 201, first.json
    assert first.json["processes"] == [{"key": "api_application", "version": 1, "created": True}]
    again = owner.post(
        "/api/v1/deployments",
        data={"files": _files(API_FIXTURES / "application")},
        content_type="multipart/form-data",
    )
    assert again.status_code == 200 and again.json["unchanged"] is True

    listed = owner.get("/api/v1/deployments").json
    assert listed["total"] == 1 and listed["items"][0]["note"] == "第一版"
    assert listed["items"][0]["deployed_by"] == "owner"
    shown = owner.get(f"/api/v1/deployments/{first.json['deployment']}").json
    assert {f["name"] for f in shown["files"]} == {
        "application.bpmn",
        "api_application.form.json",
        "api_review.form.json",
    }
    assert shown["versions"] == [
        {"process": "api_application", "version": 1, "name": shown["versions"][0]["name"]}
    ]
    assert problem_of(owner.get("/api/v1/deployments/999"))["code"] == "not_found"


def test_deploy_refusals(as_user, users) -> None:
    owner = as_user("owner")
    broken = owner.post(
        "/api/v1/deployments",
        data={"files": [(io.BytesIO((FIXTURES / "bad" / "xxe.bpmn").read_bytes()), "xxe.bpmn")]},
        content_type="multipart/form-data",
    )
    body = problem_of(broken)
    assert broken.status_code == 422 and body["code"] == "deployment_refused"
    assert body["details"]["problems"][0]["file"] == "xxe.bpmn"

    wrong_type = owner.post(
        "/api/v1/deployments",
        data={"files": [(io.BytesIO(b"hello"), "notes.txt")]},
        content_type="multipart/form-data",
    )
    assert wrong_type.status_code == 422 and "files" in problem_of(wrong_type)["errors"]
    nothing = owner.post("/api/v1/deployments", data={}, content_type="multipart/form-data")
    assert nothing.status_code == 422 and "files" in problem_of(nothing)["errors"]
    as_json = owner.post("/api/v1/deployments", json={"files": []})
    assert as_json.status_code == 422
    sneaky = owner.post(
        "/api/v1/deployments",
        data={"files": [(io.BytesIO(b"<x/>"), "../x.bpmn")]},
        content_type="multipart/form-data",
    )
    assert sneaky.status_code == 422


def test_only_process_owners_and_admins_deploy(as_user, users) -> None:
    for who in ("solver1", "bureau1"):
        refused = as_user(who).post(
            "/api/v1/deployments",
            data={"files": _files(API_FIXTURES / "application")},
            content_type="multipart/form-data",
        )
        assert refused.status_code == 403 and problem_of(refused)["code"] == "forbidden"
    assert as_user("solver1").get("/api/v1/deployments").status_code == 403
    assert as_user("bureau1").get("/api/v1/deployments").status_code == 200


def test_processes_and_versions(as_user, users, deployed) -> None:
    solver = as_user("solver1")
    listed = solver.get("/api/v1/processes").json
    assert [p["key"] for p in listed["items"]] == ["api_application", "publicity_demo"]
    assert listed["total"] == 2 and listed["items"][0]["latest_version"] == 1
    assert solver.get("/api/v1/processes?page=2&page_size=1").json["items"][0]["key"] == "publicity_demo"
    assert solver.get("/api/v1/processes/publicity_demo").json["versions"] == 1
    versions = solver.get("/api/v1/processes/publicity_demo/versions").json
    assert versions["total"] == 1 and versions["items"][0]["bpmn_file"].endswith("publicity.bpmn")
    one = solver.get("/api/v1/processes/publicity_demo/versions/1").json
    assert one["version"] == 1 and len(one["content_hash"]) == 64
    assert problem_of(solver.get("/api/v1/processes/nope"))["code"] == "not_found"
    assert problem_of(solver.get("/api/v1/processes/nope/versions"))["code"] == "not_found"
    assert problem_of(solver.get("/api/v1/processes/publicity_demo/versions/2"))["code"] == "not_found"
    assert solver.get("/api/v1/processes/publicity_demo/versions/99999999999").status_code == 404
