"""Uploads: the type comes from the content, names are made safe, refused files leave nothing on disk,
abandoned ones are cleaned, and downloads are attachments that a browser never runs."""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import time
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from engine import application_records
from engine.models.task import HumanTask
from engine.upload_store import clean_abandoned
from tests.web import test_apply_and_reminders as applying
from tests.web import test_task_forms as task_forms
from tests.web.conftest import login, post
from tests.web.test_apply_and_reminders import APPLICATION, apply
from tests.web.test_task_forms import _lock
from web.uploads import MAX_NAME_BYTES, clean_name, send_upload

upload_task = task_forms.upload_task  # fixtures of the neighbouring tests
challenge = applying.challenge

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def _files(folder: str | Path) -> list[Path]:
    return [p for p in Path(folder).rglob("*") if p.is_file()]


def test_names_keep_chinese_and_lose_paths_controls_overrides_and_reserved_words() -> None:
    assert clean_name("C:\\Users\\张三\\申报书（最终版）.pdf") == "申报书（最终版）.pdf"
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("报告\u202egpj.exe") == "报告gpj.exe"  # no right-to-left override disguising .exe
    assert clean_name("a\x00b\r\n\u200b.pdf") == "ab.pdf"
    assert clean_name('计划<书>:"v2"|?*.pdf') == "计划_书___v2____.pdf"
    assert clean_name("CON.pdf") == "_CON.pdf" and clean_name("lpt1") == "_lpt1"
    assert clean_name(".htaccess") == "htaccess" and clean_name("  说明 .  ") == "说明"
    assert clean_name("") == "upload" and clean_name("///") == "upload"
    assert clean_name("", ".pdf") == "upload.pdf"
    long = clean_name("很长的文件名" * 60 + ".docx")
    assert long.endswith(".docx") and len(long.encode()) <= MAX_NAME_BYTES and long.startswith("很长的文件名")


def test_the_type_is_sniffed_from_the_content_and_refusals_leave_nothing(
    app: Flask, client: FlaskClient, web_users: dict[str, str], upload_task: HumanTask
) -> None:
    folder = app.config["UPLOAD_FOLDER"]
    login(client, web_users["issuer"])
    url = f"/tasks/{upload_task.id}"
    base = {"summary": "摘要", "members-0-name": "张三", "action": "submit"}

    def send(content: bytes, name: str, claim: str = "application/pdf", lang: str = "zh") -> tuple[int, str]:
        page = client.get(url + f"?lang={lang}").get_data(as_text=True)
        response = post(
            client,
            url + f"?lang={lang}",
            {**base, "lock_version": _lock(page), "report": (io.BytesIO(content), name, claim)},
        )
        return response.status_code, response.get_data(as_text=True)

    status, html = send(HTML, "报告.pdf")  # a page disguised as a PDF, and the browser says PDF
    assert status == 422 and re.search(
        r"“报告.pdf”的实际内容是 HTML? \(text/html\)，与扩展名 .pdf 不符", html
    )
    status, html = send(HTML, "report.pdf", lang="en")
    assert status == 422 and re.search(
        r"is HTML? \(text/html\), which does not match its extension .pdf", html
    )
    status, html = send(PNG, "scan.pdf")
    assert status == 422 and "PNG (image/png)" in html
    status, html = send(b"just some words", "notes.pdf")
    assert status == 422 and "无法从内容识别文件“notes.pdf”的类型" in html
    status, html = send(b"", "empty.pdf")
    assert status == 422 and "是空的" in html
    status, html = send(PDF + b"x" * 3000, "big.pdf")
    assert status == 422 and "文件过大" in html
    assert _files(folder) == []  # nothing refused was kept, not even a partial file

    old = os.umask(0o022)  # the modes below hold under a permissive umask too
    try:
        status, html = send(PDF, "../../申报\u202e报告.pdf", claim="text/html")  # the claim is ignored
    finally:
        os.umask(old)
    assert status == 302, html
    (stored,) = _files(folder)
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == stat.S_IMODE(Path(folder).stat().st_mode) == 0o700

    sha = hashlib.sha256(PDF).hexdigest()
    download = client.get(f"/instances/{upload_task.instance_id}/files/{sha}")
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=\"download.pdf\"; filename*=UTF-8''%E7%94%B3%E6%8A%A5%E6%8A%A5%E5%91%8A.pdf"
    )
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "no-store"
    assert "sandbox" in download.headers["Content-Security-Policy"]


def test_a_stored_page_is_never_served_as_a_page(app: Flask) -> None:
    """Metadata claiming text/html (e.g. sent through the API) does not decide the type served."""
    sha = hashlib.sha256(HTML).hexdigest()
    path = Path(app.config["UPLOAD_FOLDER"]) / sha[:2] / sha
    path.parent.mkdir(parents=True)
    path.write_bytes(HTML)
    meta = {"name": "page.html", "content_type": "text/html", "storage_key": f"sha256/{sha[:2]}/{sha}"}
    with app.test_request_context("/"):
        response = send_upload(meta)
        response.direct_passthrough = False
        assert response.mimetype == "application/octet-stream"
        assert response.headers["Content-Disposition"].startswith('attachment; filename="page.html"')
        assert response.get_data() == HTML


def test_a_refused_application_keeps_its_files_for_the_next_submission(
    app: Flask,
    client: FlaskClient,
    challenge,  # type: ignore[no-untyped-def]
    db_session: Session,
) -> None:
    """A refused apply-page submission loses nothing: the file chosen is stored, shown as uploaded, kept by the
    cleaner (the application's draft refers to it) and sent with the next submission without choosing it
    again; the draft is gone once the application is sent."""
    login(client, "solver_urumqi")
    refused = apply(client, dict(APPLICATION, plan="", plan_file=(io.BytesIO(PDF), "方案书.pdf")))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "必填" in page and "已上传：方案书.pdf" in page
    stored = [hashlib.sha256(PDF).hexdigest()]
    assert [p.name for p in _files(app.config["UPLOAD_FOLDER"])] == stored
    db_session.rollback()
    assert clean_abandoned(db_session, Path(app.config["UPLOAD_FOLDER"]), timedelta(0)).removed == []
    assert "已上传：方案书.pdf" in client.get("/portal/challenges/URUMQI-W1/apply").get_data(as_text=True)
    accepted = apply(client, APPLICATION)  # no file chosen this time
    assert accepted.status_code == 302
    assert "已上传" not in client.get("/portal/challenges/URUMQI-W1/apply").get_data(as_text=True)
    challenge.at("2026-05-06T10:00:00+08:00")
    (listed,) = challenge.data["applications"]
    challenge.s.expire_all()
    sent = application_records.content_of(
        application_records.records(challenge.s, "URUMQI-W1")[listed["solver"]]
    )
    assert sent["plan_file"]["sha256"] == stored[0] and sent["plan_file"]["name"] == "方案书.pdf"


def test_abandoned_uploads_are_cleaned_and_referenced_ones_kept(
    app: Flask,
    client: FlaskClient,
    web_users: dict[str, str],
    upload_task: HumanTask,
    db_session: Session,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = Path(app.config["UPLOAD_FOLDER"])
    login(client, web_users["issuer"])
    url = f"/tasks/{upload_task.id}"
    page = client.get(url).get_data(as_text=True)
    draft = {"summary": "", "members-0-name": "", "lock_version": _lock(page), "action": "draft"}
    assert post(client, url, {**draft, "report": (io.BytesIO(PDF), "草稿.pdf")}).status_code == 302

    def put(content: bytes) -> Path:
        sha = hashlib.sha256(content).hexdigest()
        (folder / sha[:2]).mkdir(exist_ok=True)
        (folder / sha[:2] / sha).write_bytes(content)
        return folder / sha[:2] / sha

    in_draft = folder / hashlib.sha256(PDF).hexdigest()[:2] / hashlib.sha256(PDF).hexdigest()
    abandoned, recent = put(b"%PDF-1.4 abandoned"), put(b"%PDF-1.4 recent")
    partial = folder / ".upload-dead"
    partial.write_bytes(b"half a file")
    day_ago = time.time() - 25 * 3600
    for path in (in_draft, abandoned, partial):
        os.utime(path, (day_ago, day_ago))

    db_session.rollback()
    result = clean_abandoned(db_session, folder, timedelta(hours=24))
    assert sorted(result.removed) == sorted([abandoned.name, partial.name])
    assert result.freed_bytes == len(b"%PDF-1.4 abandoned") + len(b"half a file")
    assert sorted(_files(folder)) == sorted([in_draft, recent])

    # the command line does the same with its --older-than
    from engine.cli import cli

    env = {"JIEBANG_DATABASE_URL": db_url, "JIEBANG_UPLOAD_FOLDER": str(folder)}
    out = CliRunner().invoke(cli, ["uploads", "clean", "--older-than", "0", "--json"], env=env)
    assert out.exit_code == 0, out.output
    assert re.search(r'"removed": \["[0-9a-f]{64}"\]', out.output)
    assert _files(folder) == [in_draft]

    # and so does the scheduler's hourly job
    from engine.scheduler import clean_uploads_once

    put(b"%PDF-1.4 left behind")
    monkeypatch.setenv("JIEBANG_UPLOAD_FOLDER", str(folder))
    monkeypatch.setenv("JIEBANG_UPLOAD_GRACE_HOURS", "0")
    assert clean_uploads_once(db_url) == 1
    assert _files(folder) == [in_draft]
