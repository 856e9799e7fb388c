"""The monitor and the modeler through the Flask test client (the browser tests draw the diagrams)."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from engine.users import add_user
from tests.web.conftest import _FAST_HASH, csrf_token, login


@pytest.fixture
def demo(app: Flask, db_session: Session, sim, calendar_loaded) -> dict:  # type: ignore[no-untyped-def]
    from web.demo import load_demo

    sim.set("2026-09-28T10:00:00+08:00")
    loaded = load_demo(db_session)
    for name in ("supervisor", "owner", "admin", "bureau_urumqi", "bureau_dazu", "issuer_urumqi"):
        add_user(db_session, name, roles=[], password_hash=_FAST_HASH)
    return loaded


def _json_post(client: FlaskClient, path: str, body: dict, token_from: str) -> tuple[int, dict]:
    token = csrf_token(client, token_from)
    response = client.post(path, json=body, headers={"X-CSRFToken": token})
    return response.status_code, response.get_json()


def test_monitor_list_filters_and_scope(client: FlaskClient, demo) -> None:  # type: ignore[no-untyped-def]
    login(client, "supervisor")
    page = client.get("/monitor/").get_data(as_text=True)
    assert "DEMO-URUMQI-001" in page and "DEMO-ZHANGYE-001" in page
    page = client.get("/monitor/?jurisdiction=dazu").get_data(as_text=True)
    assert "DEMO-DAZU-001" in page and "DEMO-URUMQI-001" not in page
    page = client.get("/monitor/?status=completed").get_data(as_text=True)
    assert "DEMO-DAZU-001" not in page
    page = client.get("/monitor/?process=publicity_demo&version=1&stage=%E5%85%AC").get_data(as_text=True)
    assert "共" in page
    assert "DEMO-" not in client.get("/monitor/?overdue=1").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/monitor/")})
    login(client, "bureau_dazu")
    page = client.get("/monitor/").get_data(as_text=True)
    assert "DEMO-DAZU-001" in page and "DEMO-URUMQI-001" not in page
    client.post("/logout", data={"csrf_token": csrf_token(client, "/monitor/")})
    login(client, "issuer_urumqi")
    assert client.get("/monitor/").status_code == 403


def test_instance_page_states_diagram_and_drilldown(client: FlaskClient, demo) -> None:  # type: ignore[no-untyped-def]
    login(client, "supervisor")
    state = client.get("/monitor/instances/1/state.json").get_json()
    assert state["process"] == "publicity_demo"
    # the drill-down names the called process (here the shared publicity) instead of showing its id
    assert state["names"] == {"publicity_demo": "拟支持项目公示（演示）", "publicity": "公示"}
    merged = {el: s for states in state["processes"].values() for el, s in states.items()}
    assert "completed" in merged.values() and ("active" in merged.values() or "waiting" in merged.values())
    page = client.get("/monitor/instances/1").get_data(as_text=True)
    assert 'id="diagram"' in page and "bpmn-navigated-viewer" in page
    assert 'name="op"' not in page  # a supervisor only looks
    xml = client.get("/monitor/instances/1/diagram.bpmn")
    assert xml.status_code == 200 and b'id="publicity_demo"' in xml.data
    # lanes by their names, never their role codes; in English, the English names (shown_diagram)
    assert "科技局".encode() in xml.data and b"(bureau)" not in xml.data
    english = client.get("/monitor/instances/1/diagram.bpmn?lang=en").data
    assert b'name="Science bureau"' in english and "科技局".encode() not in english
    called = client.get("/monitor/instances/1/diagram.bpmn?process=publicity")
    assert called.status_code == 200 and b'id="publicity"' in called.data
    assert client.get("/monitor/instances/1/diagram.bpmn?process=nope").status_code == 404
    token = csrf_token(client, "/monitor/")
    assert (
        client.post("/monitor/instances/1/control", data={"op": "suspend", "csrf_token": token}).status_code
        == 403
    )


def test_bureau_suspends_and_resumes_with_csrf(client: FlaskClient, demo, db_session: Session) -> None:  # type: ignore[no-untyped-def]
    login(client, "bureau_urumqi")
    page = client.get("/monitor/instances/1").get_data(as_text=True)
    assert 'value="suspend"' in page
    assert client.post("/monitor/instances/1/control", data={"op": "suspend"}).status_code == 400  # no token
    token = csrf_token(client, "/monitor/instances/1")
    client.post("/monitor/instances/1/control", data={"op": "suspend", "csrf_token": token})
    assert client.get("/monitor/instances/1/state.json").get_json()["status"] == "suspended"
    client.post("/monitor/instances/1/control", data={"op": "resume", "csrf_token": token})
    assert client.get("/monitor/instances/1/state.json").get_json()["status"] == "running"
    page = client.get("/monitor/instances/1").get_data(as_text=True)
    assert "jb-event-suspended" in page and "jb-event-resumed" in page


def test_modeler_validate_shows_problems_and_deploys(client: FlaskClient, demo, db_session: Session) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from engine.models.deployment import ProcessVersion

    login(client, "owner")
    page = client.get("/modeler/").get_data(as_text=True)
    assert "publicity_demo" in page and "流程负责人 唐振宇" in page  # the deployer by the demo owner's name
    pv_id = db_session.scalar(select(ProcessVersion.id).where(ProcessVersion.process_key == "publicity_demo"))
    path = f"/modeler/versions/{pv_id}"
    page = client.get(path).get_data(as_text=True)
    config = json.loads(page.split('id="modeler-config">', 1)[1].split("</script>", 1)[0])
    name = config["open"]
    assert name.endswith("publicity_demo.bpmn")
    url = next(f["url"] for f in config["files"] if f["name"] == name)
    original = client.get(url).get_data(as_text=True)
    # a user task naming a form that is not in the bundle is reported on its element, with file and line
    bad = original.replace('value="notice_prepare"', 'value="no_such_form"', 1)
    assert bad != original
    status, result = _json_post(client, config["validateUrl"], {"files": {name: bad}}, path)
    assert status == 200 and not result["ok"]
    assert any(
        p["element"] == "prepare_notice" and p["file"] == name and p["line"] for p in result["problems"]
    )
    status, result = _json_post(client, config["validateUrl"], {"files": {name: original}}, path)
    assert result["ok"], result
    status, result = _json_post(client, config["deployUrl"], {"files": {name: bad}}, path)
    assert status == 422 and not result["ok"] and result["problems"]
    changed = original.replace("拟定公示", "拟定公示材料", 1)
    assert changed != original
    status, result = _json_post(
        client, config["deployUrl"], {"files": {name: changed}, "note": "rename"}, path
    )
    assert status == 200 and result["ok"]
    created = [(p["key"], p["version"]) for p in result["processes"] if p["created"]]
    assert created == [("publicity_demo", 2)]
    assert "rename" in client.get("/modeler/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/modeler/")})
    login(client, "supervisor")
    assert client.get("/modeler/").status_code == 403


def test_modeler_lists_processes_by_name_per_jurisdiction_in_one_language(
    client: FlaskClient, demo, db_session: Session
) -> None:  # type: ignore[no-untyped-def]
    """The process owner finds a process by its name under its jurisdiction, and the file list of the modeler
    names each diagram, table and form — in Chinese, or in English in the English UI, never both."""
    from sqlalchemy import select

    from engine.models.deployment import ProcessVersion

    login(client, "owner")
    page = client.get("/modeler/").get_data(as_text=True)
    assert "<caption>大足</caption>" in page
    assert "<caption>各地共用</caption>" in page
    assert "大足区揭榜挂帅项目" in page  # dazu_challenge by its name
    assert "Deployed processes" not in page and "Open" not in page
    pv_id = db_session.scalar(select(ProcessVersion.id).where(ProcessVersion.process_key == "dazu_challenge"))
    edit = client.get(f"/modeler/versions/{pv_id}").get_data(as_text=True)
    heading = edit.split('<h2 id="modeler-heading">', 1)[1].split("</h2>", 1)[0]
    assert heading.startswith('大足区揭榜挂帅项目 <span data-version="1">v1</span>'), heading
    config = json.loads(edit.split('id="modeler-config">', 1)[1].split("</script>", 1)[0])
    titles = {f["name"]: f["title"] for f in config["files"]}
    assert titles["bpmn/dazu/dazu_challenge.bpmn"] == "大足区揭榜挂帅项目"
    assert titles["bpmn/shared/publicity.bpmn"] and titles["bpmn/shared/publicity.bpmn"] != "publicity"

    client.post("/lang/en", data={"csrf_token": csrf_token(client, "/modeler/")})
    english = client.get("/modeler/").get_data(as_text=True)
    assert (
        "Deployed processes" in english
        and "已部署流程" not in english
        and "<caption>Shared</caption>" in english
    )
    edit = client.get(f"/modeler/versions/{pv_id}").get_data(as_text=True)
    config = json.loads(edit.split('id="modeler-config">', 1)[1].split("</script>", 1)[0])
    title = next(f["title"] for f in config["files"] if f["name"] == "bpmn/dazu/dazu_challenge.bpmn")
    assert title and not any("\u4e00" <= ch <= "\u9fff" for ch in title)


def test_bulk_migration_page_speaks_one_language_and_names_processes(  # type: ignore[no-untyped-def]
    client: FlaskClient, demo, db_session: Session
) -> None:
    from sqlalchemy import select

    from engine.models.deployment import ProcessVersion

    name = db_session.scalars(
        select(ProcessVersion.name).where(ProcessVersion.process_key == "publicity_demo")
    ).first()
    assert name
    login(client, "bureau_urumqi")
    chinese = client.get("/monitor/migrate?process=publicity_demo").get_data(as_text=True)
    assert "批量迁移到最新版本" in chinese and "Move instances" not in chinese and "Preview" not in chinese
    assert f">{name}</option>" in chinese and ">publicity_demo</option>" not in chinese
    english = client.get("/monitor/migrate?process=publicity_demo&lang=en").get_data(as_text=True)
    assert "Move instances to the newest version" in english and "批量迁移" not in english
    viewer = client.get("/monitor/viewer?lang=en").get_data(as_text=True)
    assert "BPMN viewer" in viewer and "流程图查看" not in viewer
    assert "流程图查看" in client.get("/monitor/viewer?lang=zh").get_data(as_text=True)
