"""What a work-queue page costs (issue 15): an unfiltered page counts its rows and lists its filter's stages in
one pass over the queue; the rows' links are built once per list and lead where ``url_for`` leads; a SQLite
file is read through a memory map and a larger page cache by the web's connections too."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from engine.models.task import HumanTask
from engine.paging import count_rows
from engine.sqlite import SQLITE_CACHE_KIB, SQLITE_MMAP_BYTES
from engine.tasks import queue_query
from engine.workqueue import stage_choices, stage_counts
from tests.web.conftest import login
from tests.web.test_queue import _rows, _start


@pytest.fixture
def queue_reads() -> Iterator[list[str]]:
    """The statements sent while the test runs that list the task index (the reminders' statement, which asks
    the policy of the reminders' instances, aside)."""
    seen: list[str] = []

    def watch(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if "FROM human_task" in statement and "FROM reminder" not in statement:
            seen.append(" ".join(statement.split()))

    event.listen(Engine, "before_cursor_execute", watch)
    yield seen
    event.remove(Engine, "before_cursor_execute", watch)


def test_an_unfiltered_page_counts_and_lists_stages_in_one_pass(
    client: FlaskClient,
    web_users: dict[str, str],
    db_session: Session,
    deploy,
    queue_reads: list[str],
) -> None:
    deploy("basic")
    _start(db_session, 27, "urumqi", "U")
    login(client, web_users["issuer"])
    queue_reads.clear()
    first = client.get("/tasks").get_data(as_text=True)
    assert _rows(first) == 25 and "第 1 / 2 页，共 27 项" in first
    assert '<option value="submit"' in first  # the stage filter offers the queue's step
    # the lanes in use, the total with the stages (one GROUP BY), the page's rows: no separate count
    assert len(queue_reads) == 3, queue_reads
    assert sum("GROUP BY" in s for s in queue_reads) == 1
    assert not any(s.startswith("SELECT count(*)") for s in queue_reads)

    # a filtered page counts its own rows and still offers every stage of the unfiltered queue
    queue_reads.clear()
    found = client.get("/tasks?q=u-007").get_data(as_text=True)
    assert _rows(found) == 1 and "共 1 项" in found and '<option value="submit"' in found
    assert sum(s.startswith("SELECT count(*)") for s in queue_reads) == 1


def test_stage_counts_agree_with_the_count_and_the_stage_choices(db_session: Session, deploy) -> None:
    deploy("basic")
    _start(db_session, 3, "urumqi", "A")
    _start(db_session, 2, "dazu", "B")
    for roles in ([("issuer", "urumqi")], [("issuer", None)], [("bureau", "dazu")]):
        query = queue_query(roles=roles)
        stages, total = stage_counts(db_session, query)
        assert stages == stage_choices(db_session, query)
        assert total == count_rows(db_session, query)
    assert stage_counts(db_session, queue_query(roles=[("issuer", None)]))[1] == 5


def test_the_rows_links_lead_where_url_for_leads(
    app: Flask, client: FlaskClient, web_users: dict[str, str], db_session: Session, deploy
) -> None:
    deploy("basic")
    _start(db_session, 2, "urumqi", "L")
    login(client, web_users["issuer"])
    page = client.get("/tasks").get_data(as_text=True)
    rows = db_session.scalars(select(HumanTask).where(HumanTask.business_key.like("L-%"))).all()
    assert len(rows) == 2
    with app.test_request_context():
        for row in rows:
            cells = re.search(rf'<tr data-task="{row.id}">(.*?)</tr>', page, re.S)
            assert cells, row.id
            html = cells.group(1)
            assert f'href="{url_for("task.show", task_id=row.id)}"' in html
            assert f'href="{url_for("instance.show", instance_id=row.instance_id)}"' in html
            assert f'action="{url_for("queue.claim", task_id=row.id)}"' in html
            assert re.search(r'name="csrf_token" value="[^"]+"', html)


def test_the_webs_sqlite_connections_map_the_file_and_cache_more(app: Flask) -> None:
    from web.extensions import db

    with app.app_context():
        conn = db.session.connection()
        if conn.dialect.name != "sqlite":
            assert conn.dialect.name == "postgresql"  # a server caches for every connection itself
            return
        assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() == SQLITE_MMAP_BYTES
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -SQLITE_CACHE_KIB
