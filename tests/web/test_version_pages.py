"""The owner's deploy outcome (new versions vs unchanged), the stale-base refusal, the version diff page and
the migration preview with policy differences, in the user's language (Flask test client)."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models.deployment import ProcessVersion
from engine.models.instance import ProcessInstance
from engine.models.user import User
from engine.users import add_user
from tests.web.conftest import _FAST_HASH, csrf_token, login

DAZU = "bpmn/dazu/policy_dazu.dmn"
KARAMAY = "bpmn/karamay/policy_karamay.dmn"


@pytest.fixture
def demo(app: Flask, db_session: Session, sim, calendar_loaded) -> dict:  # type: ignore[no-untyped-def]
    from web.demo import load_demo

    sim.set("2026-09-28T10:00:00+08:00")
    loaded = load_demo(db_session)
    for name in ("owner", "bureau_dazu", "supervisor"):
        add_user(db_session, name, roles=[], password_hash=_FAST_HASH)
    return loaded


def _config(client: FlaskClient, path: str) -> dict:
    page = client.get(path).get_data(as_text=True)
    return json.loads(page.split('id="modeler-config">', 1)[1].split("</script>", 1)[0])


def _post(client: FlaskClient, url: str, body: dict, token_from: str) -> tuple[int, dict]:
    response = client.post(url, json=body, headers={"X-CSRFToken": csrf_token(client, token_from)})
    return response.status_code, response.get_json()


def _with_value(text: str, key: str, value: str) -> str:
    changed, count = re.subn(
        rf'(<outputEntry id="p_{key}__value"><text>)[^<]*(</text>)', rf"\g<1>{value}\g<2>", text
    )
    assert count == 1
    return changed


def test_deploy_outcome_stale_base_and_diff_page(client: FlaskClient, demo, db_session: Session) -> None:  # type: ignore[no-untyped-def]
    login(client, "owner")
    pv_id = db_session.scalar(select(ProcessVersion.id).where(ProcessVersion.process_key == "dazu_challenge"))
    path = f"/modeler/versions/{pv_id}"
    config = _config(client, path)
    assert config["labels"]["new_versions"] == "新版本："
    urls = {f["name"]: f["url"] for f in config["files"]}
    dazu = client.get(urls[DAZU]).get_data(as_text=True)
    karamay = client.get(urls[KARAMAY]).get_data(as_text=True)

    # a bad value is refused in Chinese, naming the parameter and its Chinese name; nothing stored
    status, refused = _post(
        client,
        config["deployUrl"],
        {"files": {DAZU: _with_value(dazu, "publicity_unit", "'workdays'")}},
        path,
    )
    assert status == 422 and "“公示期单位”（publicity_unit）" in refused["message"]
    assert refused["problems"][0]["element"] == "p_publicity_unit"

    status, result = _post(
        client, config["deployUrl"], {"files": {DAZU: _with_value(dazu, "publicity_length", "6")}}, path
    )
    assert status == 200 and result["ok"]
    created = [p for p in result["processes"] if p["created"]]
    assert [(p["key"], p["version"]) for p in created] == [("dazu_call", 2), ("dazu_challenge", 2)]
    assert created[1]["diff"] == "/versions/dazu_challenge/diff?old=1&new=2"
    assert len(result["processes"]) > 10 and result["next"]["deployment"] == result["deployment"]
    # the page's heading and address follow: the new deployment, on a reload too
    assert f"部署 #{result['deployment']}" in result["next"]["heading"]
    assert result["next"]["pageUrl"] == f"/modeler/deployments/{result['deployment']}"

    # the same page's old base: a Karamay edit would revert Dazu's v2 — refused, naming it, unless confirmed
    body = {"files": {KARAMAY: _with_value(karamay, "reminder_days", "10")}}
    status, stale = _post(client, config["deployUrl"], body, path)
    assert status == 409 and stale["stale"]
    assert [(v["key"], v["version"]) for v in stale["versions"]] == [("dazu_call", 2), ("dazu_challenge", 2)]
    assert (
        stale["files"] == [DAZU]
        and "大足区揭榜挂帅项目 v2" in stale["message"]
        and "覆盖" in stale["message"]
    )
    assert [v["name"] for v in stale["versions"]] == ["大足区年度需求征集", "大足区揭榜挂帅项目"]
    assert {v["deployed_by"] for v in stale["versions"]} == {"流程负责人 唐振宇"}  # by name, not the login
    assert (
        db_session.scalar(
            select(ProcessVersion.id).where(
                ProcessVersion.process_key == "karamay_challenge", ProcessVersion.version == 2
            )
        )
        is None
    )
    # from the new base (what the page continues with after its deploy) it is not stale
    status, fresh = _post(client, result["next"]["deployUrl"], body, path)
    assert status == 200 and [p["key"] for p in fresh["processes"] if p["created"]] == [
        "karamay_call",  # the call reads the same policy table
        "karamay_challenge",
    ]

    page = client.get("/modeler/").get_data(as_text=True)
    assert 'href="/versions/dazu_challenge/diff?old=1&amp;new=2"' in page
    diff = client.get(created[0]["diff"]).get_data(as_text=True)
    assert "版本对比" in diff and "公示期长度" in diff and DAZU in diff
    row = diff.split('data-parameter="publicity_length"', 1)[1].split("</tr>", 1)[0]
    assert "<td>5</td><td>6</td>" in row
    assert client.get("/versions/dazu_challenge/2/diagram.bpmn").data.startswith(b"<?xml")
    assert client.get("/versions/dazu_challenge/9/diagram.bpmn").status_code == 404

    client.post("/lang/en", data={"csrf_token": csrf_token(client, "/modeler/")})
    english = client.get(created[0]["diff"]).get_data(as_text=True)
    assert "Compare versions" in english and "Publicity length" in english and "公示期长度" not in english


def test_migration_preview_lists_policy_changes_in_the_users_language(
    client: FlaskClient, demo, db_session: Session
) -> None:  # type: ignore[no-untyped-def]
    owner = db_session.scalar(select(User).where(User.username == "owner"))
    assert owner is not None
    owner.display_name = "流程负责人 王芳"
    db_session.commit()
    login(client, "owner")
    pv_id = db_session.scalar(select(ProcessVersion.id).where(ProcessVersion.process_key == "dazu_challenge"))
    path = f"/modeler/versions/{pv_id}"
    config = _config(client, path)
    dazu = client.get(next(f["url"] for f in config["files"] if f["name"] == DAZU)).get_data(as_text=True)
    status, _result = _post(
        client, config["deployUrl"], {"files": {DAZU: _with_value(dazu, "first_pct", "45")}}, path
    )
    assert status == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/modeler/")})
    login(client, "bureau_dazu")
    inst = db_session.scalar(
        select(ProcessInstance.id).where(ProcessInstance.business_key == "DAZU-2026-001")
    )
    page = client.get(f"/monitor/instances/{inst}/migrate").get_data(as_text=True)
    assert "迁移预览" in page and "可以安全迁移" in page and "首笔拨付比例" in page
    row = page.split('data-parameter="first_pct"', 1)[1].split("</tr>", 1)[0]
    assert "<td>50</td><td>45</td>" in row
    assert "<td>决策表</td>" in page  # the changed attribute named, not its code
    compare = page.split('id="compare-versions" href="', 1)[1].split('"', 1)[0]
    assert compare == "/versions/dazu_challenge/diff?old=1&amp;new=2"
    diff = client.get(compare.replace("&amp;", "&")).get_data(as_text=True)
    assert "首笔拨付比例" in diff
    assert (
        "v2：流程负责人 王芳 部署于" in diff and "owner 部署于" not in diff
    )  # the person, not the account code
    client.post("/lang/en", data={"csrf_token": csrf_token(client, f"/monitor/instances/{inst}/migrate")})
    english = client.get(f"/monitor/instances/{inst}/migrate").get_data(as_text=True)
    assert "Migration preview" in english and "The move is safe." in english and "First tranche" in english
    assert "迁移预览" not in english and "首笔拨付比例" not in english


def test_a_bad_policy_value_is_refused_in_english_on_the_english_page(
    client: FlaskClient, demo, db_session: Session
) -> None:  # type: ignore[no-untyped-def]
    login(client, "owner")
    pv_id = db_session.scalar(select(ProcessVersion.id).where(ProcessVersion.process_key == "dazu_challenge"))
    path = f"/modeler/versions/{pv_id}"
    client.post("/lang/en", data={"csrf_token": csrf_token(client, path)})
    config = _config(client, path)
    assert config["labels"]["new_versions"] == "New versions:"
    dazu = client.get(next(f["url"] for f in config["files"] if f["name"] == DAZU)).get_data(as_text=True)
    body = {"files": {DAZU: _with_value(dazu, "fiscal_ratio_pct", "300")}}
    status, refused = _post(client, config["deployUrl"], body, path)
    assert status == 422 and "Fiscal subsidy ratio (fiscal_ratio_pct)" in refused["message"]
    assert "from 0 to 100" in refused["message"] and "财政" not in refused["message"]
    assert (
        db_session.scalar(
            select(ProcessVersion.id).where(
                ProcessVersion.process_key == "dazu_challenge", ProcessVersion.version == 2
            )
        )
        is None
    )
