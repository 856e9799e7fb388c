"""A change reads the instance's process version in the same statement as the instance, as plain columns
(``engine.version_row``): a request whose session holds no object of the version, in a process that has not
restored the version's specs yet (just started, or the version is new to it), still completes the task."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from engine import runtime, tasks
from engine.kept_workflows import kept_workflows
from engine.models.deployment import ProcessVersion
from engine.version_row import VersionRow
from tests.integration.conftest import NEED


def _submit_task(session: Session, instance_id: int) -> str:
    (task,) = [t for t in tasks.list_tasks(session, instance_id=instance_id) if t.task_spec == "submit"]
    return task.id


def test_a_fresh_process_and_request_complete_the_task_reading_the_spec_when_needed(
    db_session: Session, started, people, monkeypatch: pytest.MonkeyPatch
) -> None:
    task_id = _submit_task(db_session, started.id)
    db_session.commit()
    # a process that has restored nothing: no specs, no kept workflow; a request with a session of its own
    monkeypatch.setattr(runtime, "_SPECS", {})
    kept_workflows.forget(started.id)
    request = sessionmaker(bind=db_session.get_bind(), expire_on_commit=False)()
    try:
        found = runtime.open_task_instance(request, task_id)
        assert found is not None
        version = found[1].instance.process_version
        assert isinstance(version, VersionRow)  # the session held no object of it
        assert (version.id, version.process_key) == (started.process_version_id, "publicity_demo")
        request.rollback()

        done = tasks.complete(request, task_id, actor=people["issuer"], data=NEED)
    finally:
        request.close()
    assert [t["task"] for t in done.next_tasks] == ["review"]
    assert (started.process_version_id, started.process_version.content_hash) in runtime._SPECS
    db_session.expire_all()
    assert [t.task_spec for t in tasks.list_tasks(db_session, instance_id=started.id)] == ["review"]


def test_a_version_the_session_holds_is_used_as_it_is(db_session: Session, started) -> None:
    task_id = _submit_task(db_session, started.id)
    held = db_session.get(ProcessVersion, started.process_version_id)
    found = runtime.open_task_instance(db_session, task_id)
    assert found is not None and found[1].instance.process_version is held
