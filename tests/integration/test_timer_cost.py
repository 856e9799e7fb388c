"""What one fired timer costs (issue 15): one transaction with one commit (the claims after the first ride in
firings; a sweep starts and ends with a claim of its own) and a bounded number of statements, whatever the number of due timers; the clock, the process
version and the lane's role holders are read once per sweep, not once per timer. Counted with SQLAlchemy
events on SQLite and PostgreSQL, never timed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from engine import instances, tasks
from engine.timers import sweep

#: statements per fired timer of the timer_wait fixture (load, index diffs, task, listing row, event, state)
MAX_STATEMENTS_PER_TIMER = 12
DUE = 12


@pytest.fixture
def counted(db_engine: Engine) -> Iterator[dict[str, list[str]]]:
    seen: dict[str, list[str]] = {"statements": [], "commits": []}

    def statement(conn, cursor, text, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen["statements"].append(" ".join(text.split()))

    def commit(conn) -> None:  # type: ignore[no-untyped-def]
        seen["commits"].append("commit")

    event.listen(db_engine, "before_cursor_execute", statement)
    event.listen(db_engine, "commit", commit)
    yield seen
    event.remove(db_engine, "before_cursor_execute", statement)
    event.remove(db_engine, "commit", commit)


def test_a_fired_timer_is_one_commit_and_a_bounded_number_of_statements(
    db_session: Session, deploy, sim, counted
) -> None:
    deploy("timer")
    sim.set("2026-05-01T09:00:00+08:00")
    ids = [
        instances.start_instance(db_session, "timer_wait", data={"wait_for": "PT1H"}).id for _ in range(DUE)
    ]
    sim.advance("PT2H")
    counted["statements"].clear()
    counted["commits"].clear()

    assert sweep(db_session, batch=10).fired == DUE

    # the first claim (10 rows) is a transaction of its own; the next claims (2 rows, then none) are made in
    # the firing of the last instance of the batch before and committed with it; one claim of its own ends
    # the sweep (nothing left due)
    assert len(counted["commits"]) == DUE + 2
    sent = [s for s in counted["statements"] if s not in ("BEGIN", "BEGIN IMMEDIATE")]
    assert sum("ORDER BY timer_due.attempts" in s for s in sent) == 4  # four claims
    assert len(sent) <= MAX_STATEMENTS_PER_TIMER * DUE, "\n".join(sent)
    assert sum("FROM process_version" in s for s in sent) <= 1  # the version once per sweep
    # the clock once per sweep on its own (a firing reads it in the statement that reads its instance)
    assert sum(s.startswith("SELECT clock_setting") for s in sent) == 1
    for instance_id in ids:
        assert [t.task_spec for t in tasks.list_tasks(db_session, instance_id=instance_id)] == ["confirm"]
