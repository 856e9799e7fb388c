"""Task forms in the browser: validation errors beside fields with the input kept, drafts, conflicts,
uploads with size and type limits."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import instances
from engine.bundle import collect_paths
from engine.deploy import deploy_bundle
from engine.models.task import HumanTask
from engine.models.web import TaskDraft
from tests.web.conftest import login, post

ROOT = Path(__file__).resolve().parents[2]
UPLOAD = Path(__file__).parent / "fixtures" / "upload"


@pytest.fixture
def notice_task(db_session: Session, sim, calendar_loaded) -> HumanTask:  # type: ignore[no-untyped-def]
    """The demo's 'prepare the notice' task (bureau, Urumqi): text, multiline text and money fields."""
    sim.set("2026-09-28T10:00:00+08:00")
    deploy_bundle(db_session, collect_paths([ROOT / "bpmn"]))
    inst = instances.start_instance(
        db_session,
        "publicity_demo",
        business_key="N-1",
        data={
            "jurisdiction": "urumqi",
            "title": "拟支持项目",
            "publicity_length": 7,
            "publicity_unit": "days",
        },
    )
    return db_session.scalars(select(HumanTask).where(HumanTask.instance_id == inst.id)).one()


def _lock(page: str) -> str:
    found = re.search(r'name="lock_version" value="(\d+)"', page)
    assert found
    return found.group(1)


def _submit(client: FlaskClient, task: HumanTask, data: dict, action: str = "submit", **kw):  # type: ignore[no-untyped-def]
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    return post(client, f"/tasks/{task.id}", {"lock_version": _lock(page), "action": action, **data}, **kw)


def test_errors_beside_fields_input_kept_then_corrected(
    client: FlaskClient, web_users: dict[str, str], notice_task: HumanTask, db_session: Session
) -> None:
    login(client, web_users["bureau"])
    page = client.get(f"/tasks/{notice_task.id}").get_data(as_text=True)
    assert "拟定公示" in page and "项目概况" in page and "N-1" in page

    bad = _submit(client, notice_task, {"notice_title": "第一批公示", "notice_body": "", "subsidy": "12.345"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'id="f-notice_body-error"' in html and "此项为必填项" in html
    assert 'id="f-subsidy-error"' in html
    assert 'value="第一批公示"' in html and 'value="12.345"' in html  # the input is kept
    assert "表单有误，尚未提交" in html
    db_session.rollback()
    assert db_session.get(HumanTask, notice_task.id).status == "ready"

    good = _submit(
        client, notice_task, {"notice_title": "第一批公示", "notice_body": "名单如下", "subsidy": "1,000,000"}
    )
    assert good.status_code == 302 and good.location.endswith("/tasks")
    db_session.rollback()
    done = db_session.get(HumanTask, notice_task.id)
    assert done.status == "completed" and done.completed_by == web_users["bureau"]
    info = instances.describe(db_session, notice_task.instance_id)
    assert info["data"]["subsidy"] == 100000000  # fen
    assert db_session.scalars(select(TaskDraft)).all() == []  # drafts go with the completed task
    closed = client.get(f"/tasks/{notice_task.id}").get_data(as_text=True)
    # who did it by name, never the account's code (this account has no person or display name of its own:
    # it is called by its jurisdiction and role)
    said = closed[closed.index("此任务已由") :].split("</p>")[0]
    assert said.startswith("此任务已由 乌鲁木齐科技局 于") and "bureau_urumqi" not in said, said
    assert 'name="action"' not in closed


def test_english_form_and_errors(
    client: FlaskClient, web_users: dict[str, str], notice_task: HumanTask
) -> None:
    post(client, "/lang/en", token_from="/login")
    login(client, web_users["bureau"])
    bad = _submit(client, notice_task, {"notice_title": "x", "notice_body": "", "subsidy": "1"})
    html = bad.get_data(as_text=True)
    assert "This field is required" in html and "Notice text" in html and "Save draft" in html


def test_save_draft_is_private_and_restored(
    client: FlaskClient, web_users: dict[str, str], notice_task: HumanTask, db_session: Session
) -> None:
    login(client, web_users["bureau"])
    saved = _submit(client, notice_task, {"notice_title": "草拟中", "subsidy": "abc"}, action="draft")
    assert saved.status_code == 302
    page = client.get(f"/tasks/{notice_task.id}").get_data(as_text=True)
    assert "草稿已保存" in page and 'value="草拟中"' in page and 'value="abc"' in page
    assert "草稿保存于" in page
    db_session.rollback()
    assert db_session.get(HumanTask, notice_task.id).status == "ready"  # a draft completes nothing

    other = client.application.test_client()
    login(other, web_users["bureau2"])
    assert "草拟中" not in other.get(f"/tasks/{notice_task.id}").get_data(as_text=True)


def test_someone_else_completed_first(
    client: FlaskClient, web_users: dict[str, str], notice_task: HumanTask, db_session: Session
) -> None:
    login(client, web_users["bureau"])
    other = client.application.test_client()
    login(other, web_users["bureau2"])
    mine = client.get(f"/tasks/{notice_task.id}").get_data(as_text=True)
    theirs = other.get(f"/tasks/{notice_task.id}").get_data(as_text=True)

    data = {"notice_body": "正文", "subsidy": "10", "action": "submit"}
    first = post(
        other, f"/tasks/{notice_task.id}", {**data, "notice_title": "他们的", "lock_version": _lock(theirs)}
    )
    assert first.status_code == 302
    late = post(
        client, f"/tasks/{notice_task.id}", {**data, "notice_title": "我的标题", "lock_version": _lock(mine)}
    )
    assert late.status_code == 409
    html = late.get_data(as_text=True)
    assert "bureau2_urumqi 完成" in html and "没有丢失" in html
    assert 'value="我的标题"' in html and "<fieldset disabled" in html  # shown, not lost
    assert 'name="action"' not in html  # nothing left to submit


def test_a_stale_page_is_a_conflict_and_the_fresh_page_submits(
    client: FlaskClient, web_users: dict[str, str], notice_task: HumanTask, db_session: Session
) -> None:
    login(client, web_users["bureau"])
    page = client.get(f"/tasks/{notice_task.id}").get_data(as_text=True)
    stale = _lock(page)
    instances.suspend(db_session, notice_task.instance_id, actor=web_users["bureau"])
    instances.resume(db_session, notice_task.instance_id, actor=web_users["bureau"])
    data = {"notice_title": "标题", "notice_body": "正文", "subsidy": "10", "action": "submit"}
    conflict = post(client, f"/tasks/{notice_task.id}", {**data, "lock_version": stale})
    assert conflict.status_code == 409
    html = conflict.get_data(as_text=True)
    assert "页面已更新为最新状态" in html and 'value="标题"' in html
    fresh = _lock(html)
    assert fresh != stale
    assert post(client, f"/tasks/{notice_task.id}", {**data, "lock_version": fresh}).status_code == 302


@pytest.fixture
def upload_task(db_session: Session) -> HumanTask:
    deploy_bundle(db_session, collect_paths([UPLOAD]))
    inst = instances.start_instance(
        db_session, "upload_demo", business_key="UP-1", data={"jurisdiction": "urumqi"}
    )
    return db_session.scalars(select(HumanTask).where(HumanTask.instance_id == inst.id)).one()


def test_uploads_with_type_and_size_limits_kept_across_errors(
    app,
    client: FlaskClient,
    web_users: dict[str, str],
    upload_task: HumanTask,
    db_session: Session,  # type: ignore[no-untyped-def]
) -> None:
    login(client, web_users["issuer"])
    page = client.get(f"/tasks/{upload_task.id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'accept=".pdf,application/pdf"' in page
    url = f"/tasks/{upload_task.id}"
    base = {"summary": "摘要", "members-0-name": "张三", "lock_version": _lock(page), "action": "submit"}

    wrong_type = post(client, url, {**base, "report": (io.BytesIO(b"hello"), "notes.txt", "text/plain")})
    assert wrong_type.status_code == 422 and "f-report-error" in wrong_type.get_data(as_text=True)
    too_big = post(
        client, url, {**base, "report": (io.BytesIO(b"%PDF" + b"x" * 3000), "big.pdf", "application/pdf")}
    )
    assert too_big.status_code == 422 and "f-report-error" in too_big.get_data(as_text=True)
    assert not [p for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file()]  # refused: not kept

    content = b"%PDF-1.4 report"
    missing_summary = post(
        client,
        url,
        {**base, "summary": "", "report": (io.BytesIO(content), "报告.pdf", "application/pdf")},
    )
    html = missing_summary.get_data(as_text=True)
    assert missing_summary.status_code == 422 and "f-summary-error" in html
    assert "已上传：报告.pdf" in html and 'value="张三"' in html  # the file and the row are kept

    done = post(client, url, {**base})  # no new upload: the stored one is used
    assert done.status_code == 302
    sha = hashlib.sha256(content).hexdigest()
    assert (Path(app.config["UPLOAD_FOLDER"]) / sha[:2] / sha).read_bytes() == content
    db_session.rollback()
    event = next(
        e for e in instances.events(db_session, upload_task.instance_id) if e["kind"] == "task_completed"
    )
    assert event["data"]["report"]["sha256"] == sha and event["data"]["members"] == [{"name": "张三"}]

    instance_page = client.get(f"/instances/{upload_task.instance_id}").get_data(as_text=True)
    assert "报告.pdf" in instance_page
    download = client.get(f"/instances/{upload_task.instance_id}/files/{sha}")
    assert download.status_code == 200 and download.data == content
    assert "attachment" in download.headers["Content-Disposition"]
    assert client.get(f"/instances/{upload_task.instance_id}/files/{'0' * 64}").status_code == 404
