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
from forms.definition import FormDefinition


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
    monkeypatch.setattr(taskforms, "_FILES", type(taskforms._FILES)())
    first = taskforms.form_for(db_session, version, "demo_need")
    reads = len(statements)
    again = taskforms.form_for(db_session, version, "demo_need")
    assert reads >= 1
    assert len(statements) == reads
    assert again.id == first.id


def test_the_cache_keeps_at_most_its_bound_dropping_the_least_recently_used(
    db_session: Session, version: ProcessVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(taskforms, "_FORMS", type(taskforms._FORMS)())
    monkeypatch.setattr(taskforms, "_FILES", type(taskforms._FILES)())
    monkeypatch.setattr(taskforms, "FORMS_CACHE_SIZE", 1)
    parsed: list[str] = []
    load = taskforms.FormDefinition.load

    def counted(text: str, filename: str) -> FormDefinition:
        parsed.append(filename)
        return load(text, filename=filename)

    monkeypatch.setattr(taskforms.FormDefinition, "load", counted)
    taskforms.form_for(db_session, version, "demo_need")
    taskforms.form_for(db_session, version, "demo_decision")
    assert len(taskforms._FORMS) == 1
    taskforms.form_for(db_session, version, "demo_decision")  # the most recent: still cached
    assert parsed == ["demo_need.form.json", "demo_decision.form.json"]
    taskforms.form_for(db_session, version, "demo_need")  # dropped: parsed again
    assert parsed[-1] == "demo_need.form.json" and len(parsed) == 3
    assert len(taskforms._FORMS) == 1


def test_the_form_files_of_at_most_a_bounded_number_of_versions_are_kept(
    db_session: Session, version: ProcessVersion, statements: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(taskforms, "_FORMS", type(taskforms._FORMS)())
    monkeypatch.setattr(taskforms, "_FILES", type(taskforms._FILES)())
    monkeypatch.setattr(taskforms, "FILES_CACHE_SIZE", 0)
    taskforms.form_for(db_session, version, "demo_need")
    reads = len(statements)
    assert reads >= 1 and len(taskforms._FILES) == 0  # nothing kept beyond the bound
    taskforms.form_for(db_session, version, "demo_decision")
    assert len(statements) > reads  # read again from the database
