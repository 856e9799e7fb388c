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


#: Statements one small Dazu step may send through the door (issue 15; 20 before the indexes read only the rows
#: an instance has, the clock was read once per change, the deadline table and the holiday calendar were cached
#: and the notifications were written in one statement; 14 before the open task rows, the clock and the
#: calendar's revision came with the instance; 11 before the task's row came with it too): the write lock, the
#: task's row (read fresh in the write transaction) with the instance, its state, version, the presence of its
#: index rows, its open task rows, the clock and the calendar's revision, the user, the open task rows' update
#: and insert, the listing row, the lane's holders, the notification, the event and the state.
MAX_STEP_STATEMENTS = 10


def _reads_of_its_own(flat: list[str]) -> list[str]:
    """Statements of a step that read what comes with the instance (the clock, the calendar's revision or
    years, the open task ids)."""
    own = (
        "SELECT clock_setting",
        "SELECT calendar_revision",
        "SELECT calendar_year",
        "SELECT human_task.id FROM",
    )
    return [s for s in flat if s.startswith(own)]


def test_an_early_step_sends_a_bounded_number_of_statements(start, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Each of the seven steps to the applications is counted inside the door (the driver's own look-ups left
    out): the clock is read once, the listing row written once (its lock version moved once), the holders of a
    lane read with their grants in one query, and the task-deadline table and the holiday calendar's days are
    read by the first step only — later steps reuse them while the deployment and the calendar stay the same."""
    from engine import tasks

    flow = start("dazu")
    per_step: list[tuple[str, list[str]]] = []
    original = tasks.complete

    def counted(session, task_id, **kwargs):  # type: ignore[no-untyped-def]
        with statements() as sent:
            result = original(session, task_id, **kwargs)
        per_step.append((kwargs.get("actor") or "", list(sent)))
        return result

    monkeypatch.setattr(tasks, "complete", counted)
    to_review(flow, [application("DAZU-S1", "DAZU-P1")])
    assert len(per_step) == 7
    for i, (actor, sent) in enumerate(per_step):
        flat = [" ".join(s.split()) for s in sent]
        assert sum("FROM clock_setting" in s for s in flat) <= 1, (i, actor, flat)
        assert _reads_of_its_own(flat) == [], (i, actor, flat)
        assert sum(s.startswith("UPDATE process_instance") for s in flat) == 1, (i, actor, flat)
        assert not any(s.startswith("SELECT role_grant") for s in flat), (i, actor, flat)
        if i > 0:
            assert not any("FROM calendar_day" in s or "deployment_file.sha256" in s for s in flat), (i, flat)
        if 0 < i < 6:  # the first step also reads the version's forms; the last one the applicants' units
            assert len(flat) <= MAX_STEP_STATEMENTS, (i, actor, len(flat), flat)


#: Python calls one of steps three to five on the way to the applications may make inside the door (issue 15:
#: the state's unpacking and packing, the indexes, the listing row and the script engine; counted by the
#: profiler, never timed). Measured at 14,600–17,900 (SQLite and PostgreSQL, caches cold or warm); a second
#: load of the workflow adds about 4,500 (20,300–22,600 then).
MAX_STEP_CALLS = 19_500


def test_an_early_step_makes_a_bounded_number_of_python_calls(start, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """A step's CPU cost, counted in function calls (steady on a loaded machine, unlike a timer): steps three to
    five to the applications (the first reads the version's forms, the sixth the applicants' units) stay under
    the bound, so a step that loaded its workflow twice would be seen here before a bureau clerk waits for it."""
    import cProfile
    import pstats

    from engine import tasks

    flow = start("dazu")
    calls: list[int] = []
    original = tasks.complete

    def counted(session, task_id, **kwargs):  # type: ignore[no-untyped-def]
        profile = cProfile.Profile()
        profile.enable()
        try:
            return original(session, task_id, **kwargs)
        finally:
            profile.disable()
            calls.append(pstats.Stats(profile).total_calls)  # type: ignore[attr-defined]

    monkeypatch.setattr(tasks, "complete", counted)
    to_review(flow, [application("DAZU-S1", "DAZU-P1")])
    assert len(calls) == 7
    assert all(n <= MAX_STEP_CALLS for n in calls[2:5]), calls


def _statements_by_step(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[str]]]:
    """(task, the statements sent inside the door) of every completion from now on (the driver's own look-ups
    left out), whitespace-normalised."""
    from engine import tasks
    from engine.models.task import HumanTask

    per_step: list[tuple[str, list[str]]] = []
    original = tasks.complete

    def counted(session, task_id, **kwargs):  # type: ignore[no-untyped-def]
        row = session.get(HumanTask, task_id)
        spec = row.task_spec if row is not None else ""
        with statements() as sent:
            result = original(session, task_id, **kwargs)
        per_step.append((spec, [" ".join(s.split()) for s in sent]))
        return result

    monkeypatch.setattr(tasks, "complete", counted)
    return per_step


#: Statements a scoring step of the Dazu lifecycle (a typical mid-lifecycle step: a form, no new task for
#: anyone but the expert's next one) may send through the door (issue 15; 11 before the open task rows and the
#: clock came with the instance, 9 before the task's row came with it too): the write lock, the task's row (read
#: fresh in the write transaction) with the instance, its state, version, index presence, open task rows and
#: clock, the user, the open task rows' update, the listing row, the state, the event, and the form's
#: expert-pool look-up; and since the sheets have their table (engine.review_sheets, issue 15 item 3) four for
#: the expert's sheet: the look-up of an earlier sheet (a resubmission replaces it), the challenge's instance,
#: the sheet and its score lines.
MAX_SCORE_STATEMENTS = 12
#: Statements of the district government's approval (issue 15; 14 measured before the open task rows, the
#: clock and the calendar's revision came with the instance, 12 before the task's row came with it, 11 now; 70
#: once the rest of the instance's case data was rendered for the notice more than once): the above, with the timer of the publicity window and the
#: message wait it opens, the notice's issuer name and its portal row.
MAX_APPROVE_STATEMENTS = 11


def test_a_scoring_step_and_the_approval_send_a_bounded_number_of_statements(
    start, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Counted, never timed: an expert's score and the approval that publishes the notice stay under their
    bounds, and neither reads the process version again, the clock twice, or writes the listing row twice."""
    from .drivers import score_all, select_and_approve

    flow = start("dazu")
    to_review(flow, [application("DAZU-S1", "DAZU-P1")])
    flow.do("form_panel", panel(EXPERTS))
    per_step = _statements_by_step(monkeypatch)
    score_all(flow, {"DAZU-S1": 88})
    select_and_approve(flow)
    assert [spec for spec, _ in per_step] == ["score"] * 5 + ["select", "approve"]
    for spec, sent in per_step:
        assert not any("FROM process_version" in s for s in sent), (spec, sent)
        assert sum("FROM clock_setting" in s for s in sent) <= 1, (spec, sent)
        assert _reads_of_its_own(sent) == [], (spec, sent)
        assert sum(s.startswith("UPDATE process_instance") for s in sent) == 1, (spec, sent)
        assert sum(s.startswith("INSERT INTO instance_event") for s in sent) == 1, (spec, sent)
    scores = [sent for spec, sent in per_step if spec == "score"]
    assert all(len(sent) <= MAX_SCORE_STATEMENTS for sent in scores[:4]), [len(s) for s in scores]
    ((_, approve),) = [step for step in per_step if step[0] == "approve"]
    assert sum(s.startswith("INSERT INTO portal_entry") for s in approve) == 1, approve
    assert len(approve) <= MAX_APPROVE_STATEMENTS, (len(approve), approve)


def test_recording_applications_judges_only_the_units_named(
    start, world, sim, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The bureau's record of the applications checks the units it names against the case's eligibility
    table; it does not judge every unit of the jurisdiction (each judgement reads the unit's projects,
    affiliations and credit records): twelve more units in Dazu leave the step's statements as they were."""
    from engine.models.domain import Organisation

    per_step = _statements_by_step(monkeypatch)
    for round_ in range(2):
        sim.set("2026-05-06T09:00:00+08:00")  # the same day for both cases (the need is published that day)
        to_review(start("dazu"), [application("DAZU-S1", "DAZU-P1")])
        if round_ == 0:
            world.add_all(
                Organisation(code=f"DAZU-X{i}", name=f"大足新单位{i}", jurisdiction="dazu") for i in range(12)
            )
            world.commit()
    counts = [len(sent) for spec, sent in per_step if spec == "collect_applications"]
    assert len(counts) == 2 and counts[1] == counts[0], counts
