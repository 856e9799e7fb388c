"""Documents on the instance page and lists exported to Excel (issue 14 §4), through the Flask test client."""

from __future__ import annotations

import re
from io import BytesIO

from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import update

from engine import instances
from engine.models.user import User
from tests.lifecycle.conftest import start, world  # noqa: F401 (fixtures)
from tests.lifecycle.drivers import implementing
from tests.web.conftest import _FAST_HASH, csrf_token, login, post

PEOPLE = ("bureau_dazu", "issuer_dazu", "bureau_urumqi", "admin_all", "supervisor_all")


def _passwords(world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from engine.users import add_user

    add_user(world, "supervisor_all", roles=["supervisor"], jurisdiction=None)
    world.execute(update(User).where(User.username.in_(PEOPLE)).values(password_hash=_FAST_HASH))
    world.commit()


def test_bureau_draws_a_task_book_on_the_instance_page(client: FlaskClient, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    flow = implementing(start, "dazu")
    _passwords(world)
    login(client, "bureau_dazu")
    page = client.get(f"/instances/{flow.id}").get_data(as_text=True)
    assert "尚未生成文书。" in page and '<option value="task_book">揭榜挂帅项目任务书</option>' in page
    answer = post(
        client, f"/instances/{flow.id}/documents", {"kind": "task_book"}, token_from=f"/instances/{flow.id}"
    )
    assert answer.status_code == 302
    page = client.get(f"/instances/{flow.id}").get_data(as_text=True)
    assert "已生成《揭榜挂帅项目任务书》第 1 版。" in page and "第 1 版" in page
    link = re.search(rf'href="(/instances/{flow.id}/files/[0-9a-f]{{64}})">下载 PDF', page)
    assert link, page
    pdf = client.get(link.group(1))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    english = client.get(f"/instances/{flow.id}?lang=en").get_data(as_text=True)
    section = english[
        english.index('id="documents"') : english.index("</section>", english.index('id="documents"'))
    ]
    assert "<td>Task book</td>" in section and "Version 1" in section and "揭榜" not in section


def test_others_cannot_draw_and_forged_requests_change_nothing(client: FlaskClient, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    flow = implementing(start, "dazu")
    _passwords(world)
    login(client, "bureau_dazu")
    forged = client.post(f"/instances/{flow.id}/documents", data={"kind": "task_book"})
    assert forged.status_code == 400  # no CSRF token
    client.post("/logout", data={"csrf_token": csrf_token(client, "/tasks")})
    login(client, "bureau_urumqi")
    refused = post(client, f"/instances/{flow.id}/documents", {"kind": "task_book"}, token_from="/tasks")
    assert refused.status_code == 302
    page = client.get("/tasks").get_data(as_text=True)  # told why, on the next page: who does it, by name
    told = re.search(r"您不能生成文书[^<]*", page)
    assert told and "这由大足的系统管理员、科技局办理" in told.group(0) and "bureau" not in told.group(0)
    events = [e for e in instances.events(world, flow.id) if e["kind"] == "document_generated"]
    assert events == []


def test_monitor_list_exports_the_same_rows(client: FlaskClient, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    implementing(start, "dazu")
    start("dazu", title='=HYPERLINK("http://evil.example","点我")')
    start("urumqi")
    _passwords(world)
    login(client, "supervisor_all")
    page = client.get("/monitor/?jurisdiction=dazu").get_data(as_text=True)
    shown = re.findall(r'<a href="/monitor/instances/\d+">(DAZU-T\d+)</a>', page)
    assert len(shown) == 2 and "导出 Excel" in page
    answer = client.get("/monitor/export.xlsx?jurisdiction=dazu")
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    sheet = load_workbook(BytesIO(answer.data)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:4] == ("#", "业务编号", "标题", "辖区")
    assert [r[1] for r in rows] == shown
    assert {r[3] for r in rows} == {"大足"}  # names, not codes
    evil = next(c for c in sheet["C"] if isinstance(c.value, str) and c.value.startswith("="))
    assert evil.data_type == "s"  # kept as text, never a formula
    english = load_workbook(BytesIO(client.get("/monitor/export.xlsx?jurisdiction=dazu&lang=en").data)).active
    assert next(english.iter_rows(values_only=True))[:4] == ("#", "Business key", "Title", "Jurisdiction")
