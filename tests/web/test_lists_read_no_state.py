"""Every list is SQL over indexed rows: the portal, the challenge and notice lists, the work queue, the monitor
and the instance API never restore a workflow nor read the state table (issue 15, parts 1 and 2)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from engine.api_tokens import create_token

from .conftest import login
from .test_portal import publicise  # noqa: F401  (fixture)

LISTS = ("/portal/", "/api/v1/challenges", "/api/v1/notices", "/tasks", "/monitor/", "/api/v1/instances")


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[str]]]:
    """What the requests restored (workflows) and which statements touched the state table."""
    import engine.runtime

    seen: dict[str, list[str]] = {"workflows": [], "state_sql": []}
    restore = engine.runtime.join_state

    def counting_restore(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen["workflows"].append("restored")
        return restore(*args, **kwargs)

    def watch(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if "instance_state" in statement:
            seen["state_sql"].append(statement.split()[0])

    monkeypatch.setattr(engine.runtime, "join_state", counting_restore)
    event.listen(Engine, "before_cursor_execute", watch)
    yield seen
    event.remove(Engine, "before_cursor_execute", watch)


def test_list_pages_never_restore_a_workflow_nor_read_the_state(
    client: FlaskClient,
    db_session: Session,
    publicise,  # noqa: F811
    web_users,
    reads,
) -> None:
    keys = [f"P-{i}" for i in range(3)]
    for key in keys:
        publicise(key)
    token = create_token(db_session, web_users["bureau"], "lists").plaintext
    db_session.commit()
    reads["workflows"].clear()
    reads["state_sql"].clear()
    login(client, web_users["bureau"])
    for path in LISTS:
        headers = {"Authorization": f"Bearer {token}"} if path.startswith("/api/") else {}
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        if path in ("/portal/", "/monitor/", "/api/v1/instances", "/api/v1/notices"):
            assert all(key in response.get_data(as_text=True) for key in keys), path
        assert reads == {"workflows": [], "state_sql": []}, path
    # the counter does count: an instance's own page restores its workflow
    one = publicise("P-9")
    reads["workflows"].clear()
    reads["state_sql"].clear()
    assert client.get(f"/monitor/instances/{one}").status_code == 200
    assert reads["workflows"] and reads["state_sql"]


def test_the_monitor_list_pages_with_links_in_the_users_language(
    client: FlaskClient,
    db_session: Session,
    publicise,  # noqa: F811
    web_users,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Found by the web benchmark: a second page of instances broke the monitor (the paging links hid the
    translation function). The links follow the neighbouring page's edge (keyset paging), newest first."""
    for key in ("P-1", "P-2", "P-3"):
        publicise(key)
    monkeypatch.setattr("web.views.monitor.PAGE_SIZE", 1)
    login(client, web_users["bureau"])
    first = client.get("/monitor/")
    assert first.status_code == 200 and "下一页" in first.get_data(as_text=True)
    middle = client.get(_link(first.get_data(as_text=True), "next")).get_data(as_text=True)
    assert "上一页" in middle and "下一页" in middle and "第 2 / 3 页" in middle
    assert "P-2" in middle and "P-3" not in middle
    back = client.get(_link(middle, "prev")).get_data(as_text=True)
    assert "P-3" in back and "第 1 / 3 页" in back and "上一页" not in back
    # a link back from a page whose newer instances are all gone (none above its edge) opens the first page
    gone = client.get("/monitor/?before=2147483000&page=3").get_data(as_text=True)
    assert "P-3" in gone and "第 1 / 3 页" in gone and "下一页" in gone


def _link(page: str, rel: str) -> str:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', page)
    assert found, rel
    return html.unescape(found.group(1))
