"""The parsed-form cache (engine/taskforms.py): a form is read from the database once while it is among the
most recently used, and the cache never holds more than its bound."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from engine import taskforms
from engine.models.deployment import ProcessVersion


@pytest.fixture
def version(db_session: Session, deploy) -> ProcessVersion:  # type: ignore[no-untyped-def]
    deploy("basic")
    pv = db_session.scalar(select(ProcessVersion).where(ProcessVersion.process_key == "publicity_demo"))
    assert pv is not None
    return pv


@pytest.fixture
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def watch(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", watch)
    yield seen
    event.remove(Engine, "before_cursor_execute", watch)


def test_a_form_is_read_once_then_served_from_the_cache(
    db_session: Session, version: ProcessVersion, statements: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(taskforms, "_FORMS", type(taskforms._FORMS)())
    first = taskforms.form_for(db_session, version, "demo_need")
    reads = len(statements)
    again = taskforms.form_for(db_session, version, "demo_need")
    assert reads >= 1
    assert len(statements) == reads
    assert again.id == first.id


def test_the_cache_keeps_at_most_its_bound_dropping_the_least_recently_used(
    db_session: Session, version: ProcessVersion, statements: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(taskforms, "_FORMS", type(taskforms._FORMS)())
    monkeypatch.setattr(taskforms, "FORMS_CACHE_SIZE", 1)
    taskforms.form_for(db_session, version, "demo_need")
    taskforms.form_for(db_session, version, "demo_decision")
    assert len(taskforms._FORMS) == 1
    reads = len(statements)
    taskforms.form_for(db_session, version, "demo_decision")  # the most recent: still cached
    assert len(statements) == reads
    taskforms.form_for(db_session, version, "demo_need")  # dropped: read again
    assert len(statements) > reads
    assert len(taskforms._FORMS) == 1
