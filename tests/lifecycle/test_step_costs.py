"""What one step through the door costs, counted in statements and calls (issue 15; never timed here)."""

from __future__ import annotations

import pytest
from SpiffWorkflow.workflow import Workflow
from sqlalchemy import func, select

from engine import taskforms
from engine.models.notification import Notification
from tests.api.test_scale import statements

from .conftest import application, panel
from .drivers import to_review

EXPERTS = ["e1", "e2", "e3", "e4", "e5"]


def _notification_statements(sent: list[str]) -> list[str]:
    return [s for s in sent if " notification" in s and "notification_preference" not in s]


def test_five_scoring_tasks_made_ready_are_notified_in_one_batch(start) -> None:  # type: ignore[no-untyped-def]
    """Forming a panel of five makes five scoring tasks ready, one per expert: each expert is told once, and
    the notifications cost one insert, not three statements each (the tasks are new: nobody was told of them
    before, so that is not looked up)."""
    flow = start("dazu")
    to_review(flow, [application("DAZU-S1", "DAZU-P1")])
    before = flow.s.scalar(select(func.max(Notification.id)))
    with statements() as sent:
        flow.do("form_panel", panel(EXPERTS))
    told = flow.s.scalars(
        select(Notification.recipient).where(Notification.kind == "task_ready", Notification.id > before)
    )
    assert sorted(told) == EXPERTS
    assert flow.ready() == ["score"] * 5
    mine = _notification_statements(sent)
    assert [s.split()[0] for s in mine] == ["INSERT"], mine


def test_a_versions_forms_are_read_from_the_database_once(start, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Each step shows a different form; the version's form files are read in one query for all of them."""
    monkeypatch.setattr(taskforms, "_FORMS", type(taskforms._FORMS)())
    monkeypatch.setattr(taskforms, "_FILES", type(taskforms._FILES)())
    flow = start("dazu")
    with statements() as sent:
        to_review(flow, [application("DAZU-S1", "DAZU-P1")])  # seven steps, seven forms
    reads = [s for s in sent if "deployment_file.content" in s and "FROM deployment_file" in s]
    assert len(reads) == 1, reads


def test_a_step_walks_the_task_tree_once_for_the_indexes(start, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """The indexes (timers, message waits, portal, human tasks) and the stage shown in the lists are read in
    one walk of the workflow's tasks, not one walk each."""
    import sys

    flow = start("dazu")
    walks: list[str] = []
    original = Workflow.get_tasks

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        caller = sys._getframe(1).f_code.co_filename
        if "/engine/" in caller:
            walks.append(caller.rsplit("/", 1)[-1])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Workflow, "get_tasks", counted)
    to_review(flow, [application("DAZU-S1", "DAZU-P1")])
    # seven steps, each one walk by the indexes (the message waits' portal rows and the stage included)
    assert walks.count("indexes.py") == 7, walks
