"""The modeler's form editor and properties panel on the server: the preview endpoint renders a form with
the task pages' renderer or lists the deployment's form problems by field (in the user's language); it
refuses forged requests and other roles; the modeler's configuration offers the bundle's forms, processes
and roles, lists files by jurisdiction, and a deployment takes an edited form."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models.deployment import DeploymentFile, ProcessVersion
from engine.users import add_user
from tests.web.conftest import _FAST_HASH, csrf_token, login
from web.views.modeler_forms import file_group

FORM = "bpmn/shared/forms/need_post.form.json"


@pytest.fixture
def demo(app: Flask, db_session: Session, sim, calendar_loaded) -> dict:  # type: ignore[no-untyped-def]
    from web.demo import load_demo

    sim.set("2026-09-28T10:00:00+08:00")
    loaded = load_demo(db_session)
    for name in ("owner", "supervisor"):
        add_user(db_session, name, roles=[], password_hash=_FAST_HASH)
    return loaded


def _config(client: FlaskClient, db_session: Session) -> tuple[str, dict]:
    pv_id = db_session.scalar(select(ProcessVersion.id).where(ProcessVersion.process_key == "dazu_challenge"))
    path = f"/modeler/versions/{pv_id}"
    page = client.get(path).get_data(as_text=True)
    return path, json.loads(page.split('id="modeler-config">', 1)[1].split("</script>", 1)[0])


def _form_text(client: FlaskClient, config: dict) -> str:
    url = next(f["url"] for f in config["files"] if f["name"] == FORM)
    return client.get(url).get_data(as_text=True)


def test_preview_renders_or_lists_problems_by_field(client: FlaskClient, demo, db_session: Session) -> None:  # type: ignore[no-untyped-def]
    login(client, "owner")
    path, config = _config(client, db_session)
    token = csrf_token(client, path)
    form = json.loads(_form_text(client, config))
    form["fields"][0]["label"]["zh"] = "需求名称（简短）"
    response = client.post(
        config["previewUrl"], json={"name": FORM, "text": json.dumps(form)}, headers={"X-CSRFToken": token}
    )
    result = response.get_json()
    assert result["ok"] and not result["problems"]
    assert "需求名称（简短）" in result["html"] and 'id="preview-need_title"' in result["html"]

    # problems of the deployment's own check, each beside its field, in Chinese
    form["fields"][1]["label"]["zh"] = ""
    form["fields"][2]["max_length"] = -1
    result = client.post(
        config["previewUrl"], json={"name": FORM, "text": json.dumps(form)}, headers={"X-CSRFToken": token}
    ).get_json()
    assert not result["ok"] and result["html"] == ""
    assert {p["field"] for p in result["problems"]} == {1, 2}, result
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in p["message"]) for p in result["problems"])

    # the form id must stay the file name
    form = json.loads(_form_text(client, config))
    form["id"] = "renamed"
    result = client.post(
        config["previewUrl"], json={"name": FORM, "text": json.dumps(form)}, headers={"X-CSRFToken": token}
    ).get_json()
    assert not result["ok"] and result["problems"][0]["path"] == "id"

    # not JSON: one problem for the whole form
    result = client.post(
        config["previewUrl"], json={"name": FORM, "text": "{"}, headers={"X-CSRFToken": token}
    ).get_json()
    assert not result["ok"] and result["problems"][0]["field"] is None


def test_preview_refuses_forgery_bad_bodies_and_other_roles(
    client: FlaskClient, demo, db_session: Session
) -> None:  # type: ignore[no-untyped-def]
    login(client, "owner")
    path, config = _config(client, db_session)
    text = _form_text(client, config)
    assert client.post(config["previewUrl"], json={"name": FORM, "text": text}).status_code == 400  # no token
    token = csrf_token(client, path)
    assert (
        client.post(config["previewUrl"], json={"name": FORM}, headers={"X-CSRFToken": token}).status_code
        == 400
    )
    client.post("/logout", data={"csrf_token": token})
    login(client, "supervisor")
    token = csrf_token(client, "/monitor/")
    response = client.post(
        config["previewUrl"], json={"name": FORM, "text": text}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 403


def test_config_offers_forms_processes_roles_and_groups_files(
    client: FlaskClient, demo, db_session: Session
) -> None:  # type: ignore[no-untyped-def]
    login(client, "owner")
    _path, config = _config(client, db_session)
    settings = config["settings"]
    assert {"id": "need_post", "title": "填报技术需求", "file": FORM} in settings["forms"]
    assert {
        "id": "race_team",
        "name": next(p["name"] for p in settings["processes"] if p["id"] == "race_team"),
    } in (settings["processes"])
    assert {r["value"] for r in settings["roles"]} >= {"bureau", "issuer", "solver", "expert", "approver"}
    assert "process_owner" not in {r["value"] for r in settings["roles"]}
    # the lane role list names roles, never codes (the code is what the panel writes into the lane's name)
    assert {"value": "issuer", "label": "发榜单位", "name": "发榜单位"} in settings["roles"]
    groups = {f["name"]: f["group"] for f in config["files"]}
    assert groups["bpmn/dazu/dazu_challenge.bpmn"] == "大足 · 流程图"
    assert groups["bpmn/dazu/policy_dazu.dmn"] == "大足 · 决策表"
    assert groups[FORM] == "各地共用 · 表单"
    assert file_group("bpmn/urumqi/urumqi_challenge.bpmn", "bpmn", "en") == "Urumqi · Diagrams"


def test_deploy_takes_an_edited_form_and_refuses_a_broken_one(
    client: FlaskClient, demo, db_session: Session
) -> None:  # type: ignore[no-untyped-def]
    login(client, "owner")
    path, config = _config(client, db_session)
    token = csrf_token(client, path)
    form = json.loads(_form_text(client, config))
    form["fields"][0]["label"]["zh"] = ""
    response = client.post(
        config["deployUrl"], json={"files": {FORM: json.dumps(form)}}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 422 and any(p["file"] == FORM for p in response.get_json()["problems"])
    form["fields"][0]["label"]["zh"] = "需求名称（简短）"
    response = client.post(
        config["deployUrl"],
        json={"files": {FORM: json.dumps(form)}, "note": "label"},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200, response.get_json()
    deployment = response.get_json()["deployment"]
    db_session.rollback()  # end the read snapshot: the app deployed in its own transaction
    saved = db_session.scalar(
        select(DeploymentFile).where(DeploymentFile.deployment_id == deployment, DeploymentFile.name == FORM)
    )
    assert saved is not None
    assert json.loads(saved.content)["fields"][0]["label"]["zh"] == "需求名称（简短）"
