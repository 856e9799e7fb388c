"""A misbehaving diagram after a timer fails on its own: the sweep stops it when its script budget is spent,
flags it with that reason, and fires every other due timer; sign-in and the portal keep answering meanwhile (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine import instances, tasks
from engine.db import session_factory, utcnow
from engine.limits import Budget, ScriptLimitExceeded
from engine.models.timer import TimerDue
from engine.runtime import StepFailed
from engine.timers import CLAIM_LEASE, MAX_ATTEMPTS, Firing, claim_due, sweep
from tests.web.conftest import app, client, login, web_users  # noqa: F401  (fixtures of the web tests)

WAIT = {"wait_for": "PT1H", "jurisdiction": "urumqi"}
#: the step budget of the looping tests: a few tenths of a second of an idle machine's CPU
STEPS = 200_000
#: more steps than any change of these diagrams takes but the endless loop's
LOOPING = 10_000


@pytest.fixture
def deployed(db_session: Session, deploy, sim) -> None:  # type: ignore[no-untyped-def]
    deploy("timer", "bounds")
    sim.set("2026-05-01T09:00:00+08:00")


def _start(session: Session, key: str, **data: Any) -> int:
    return instances.start_instance(session, key, data={**WAIT, **data}).id


def _confirm_ready(session: Session, instance_id: int) -> bool:
    return [t.task_spec for t in tasks.list_tasks(session, instance_id=instance_id)] == ["confirm"]


def test_looping_and_unsavable_steps_fail_alone_and_every_other_timer_fires(
    db_session: Session, deployed, sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The loops are stopped by a step budget (the CPU-time budget is out of reach), so what stops them, and
    # the reason each failure reports, is the same on a loaded machine as on an idle one.
    monkeypatch.setenv("JIEBANG_SCRIPT_STEPS", str(STEPS))
    monkeypatch.setenv("JIEBANG_SCRIPT_SECONDS", "600")
    # The bad instances are started first: their timers are due at the same instant and claimed first.
    spin = _start(db_session, "spin_after_timer")
    bad_data = _start(db_session, "store_set_after_timer")
    dmn_spin = _start(db_session, "dmn_spin_after_timer")
    dmn_set = _start(db_session, "dmn_set_after_timer")
    innocent = [_start(db_session, "timer_wait") for _ in range(5)]
    sim.advance("PT1H1M")
    assert claim_due(db_session, "probe", batch=4) == [spin, bad_data, dmn_spin, dmn_set]  # the first batch
    db_session.execute(update(TimerDue).values(claimed_by=None, claimed_at=None, attempts=0))
    db_session.commit()

    # several claims: the bad ones fill the first batch and hold back neither the later batches nor each other
    result = sweep(db_session, batch=4)

    assert result.fired == len(innocent)  # the failed ones are reported as failed, not as fired
    assert sorted(f.instance_id for f in result.failed) == [spin, bad_data, dmn_spin, dmn_set]
    db_session.rollback()
    for instance_id in innocent:
        assert _confirm_ready(db_session, instance_id), instance_id
    looping = instances.describe(db_session, spin)
    assert looping["status"] == "error"
    assert looping["error"]["task"].endswith("(spin)")
    assert (
        f"exceeded {STEPS} steps (loop iterations plus calls), probably an endless loop"
        in (looping["error"]["message"])
    )
    assert "死循环" in looping["error"]["message"]
    unsavable = instances.describe(db_session, bad_data)
    assert unsavable["status"] == "error"
    assert unsavable["error"]["task"].endswith("(collect)")
    assert "'tags' cannot be saved (set)" in unsavable["error"]["message"]
    assert "无法保存" in unsavable["error"]["message"]
    decision = instances.describe(db_session, dmn_spin)
    assert decision["status"] == "error" and decision["error"]["task"].endswith("(grade)")
    assert f"exceeded {STEPS} steps" in decision["error"]["message"]
    decided_set = instances.describe(db_session, dmn_set)
    assert decided_set["status"] == "error" and decided_set["error"]["task"].endswith("(classify_later)")
    assert "cannot be saved (['classes']: set)" in decided_set["error"]["message"]
    # Failed instances keep no claimable timer: the next sweeps never pick them up again.
    assert db_session.scalars(select(TimerDue)).all() == []
    assert sweep(db_session).fired == 0


def test_a_supervisor_can_retry_after_the_failure(db_session: Session, deployed, sim, people) -> None:
    bad_data = _start(db_session, "store_set_after_timer")
    sim.advance("PT1H1M")
    sweep(db_session)
    assert instances.describe(db_session, bad_data)["status"] == "error"
    # Retrying runs the same script again: still an error of that step, never an internal error.
    with pytest.raises(StepFailed) as caught:
        instances.retry(db_session, bad_data, actor=people["admin"])
    assert "cannot be saved" in caught.value.en
    assert instances.describe(db_session, bad_data)["status"] == "error"


def test_a_claim_whose_firing_never_finished_goes_behind_the_others_and_then_fails(
    db_session: Session, deployed, sim
) -> None:
    """A sweeper that dies while firing leaves its claims; after the lease the fresh timers come first, and
    an instance that never finishes firing is flagged instead of being claimed first again and again."""
    crashed = _start(db_session, "timer_wait")
    innocent = [_start(db_session, "timer_wait") for _ in range(3)]
    sim.advance("PT1H1M")
    # As a dead sweeper leaves it: claimed longer ago than the lease, one firing started and never finished.
    db_session.execute(
        update(TimerDue)
        .where(TimerDue.instance_id == crashed)
        .values(claimed_by="dead", claimed_at=utcnow() - CLAIM_LEASE - timedelta(seconds=1), attempts=1)
    )
    db_session.commit()
    assert claim_due(db_session, "probe", batch=10) == [*innocent, crashed]
    # The probe hands its claims back; the crashed instance has now failed to finish MAX_ATTEMPTS times.
    db_session.execute(update(TimerDue).values(claimed_by=None, claimed_at=None))
    db_session.execute(update(TimerDue).where(TimerDue.instance_id == crashed).values(attempts=MAX_ATTEMPTS))
    db_session.commit()

    result = sweep(db_session)
    assert result.fired == len(innocent) and [f.instance_id for f in result.failed] == [crashed]
    for instance_id in innocent:
        assert _confirm_ready(db_session, instance_id)
    info = instances.describe(db_session, crashed)
    assert info["status"] == "error" and f"started {MAX_ATTEMPTS} times" in info["error"]["message"]
    assert db_session.scalars(select(TimerDue)).all() == []  # nothing left to claim again


def test_all_code_of_one_change_shares_one_budget(
    db_session: Session, deployed, sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The budget bounds how long one change holds its transaction, not just each script on its own."""
    counts = _start(db_session, "two_counts_after_timer")
    monkeypatch.setenv("JIEBANG_SCRIPT_STEPS", "1000")  # each script alone spends about 600
    sim.advance("PT1H1M")
    sweep(db_session)
    info = instances.describe(db_session, counts)
    assert info["status"] == "error" and info["error"]["task"].endswith("(count_second)")
    assert "exceeded 1000 steps" in info["error"]["message"]
    assert info["data"]["first"] == 600


def test_an_unexpected_failure_of_one_instance_does_not_stop_the_sweep(
    db_session: Session, deployed, sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    import engine.timers

    broken = _start(db_session, "timer_wait")
    innocent = [_start(db_session, "timer_wait") for _ in range(3)]
    sim.advance("PT1H1M")
    fire = engine.timers.fire_instance

    def fire_or_break(session: Session, instance_id: int, now: datetime | None = None, **kw: Any) -> Firing:
        if instance_id == broken:
            raise RuntimeError("index out of step")
        return fire(session, instance_id, now, **kw)

    monkeypatch.setattr(engine.timers, "fire_instance", fire_or_break)
    result = sweep(db_session)
    assert result.fired == 3 and [f.instance_id for f in result.failed] == [broken]
    for instance_id in innocent:
        assert _confirm_ready(db_session, instance_id)
    info = instances.describe(db_session, broken)
    assert info["status"] == "error"
    assert (
        "internal error while firing the timer (RuntimeError: index out of step)" in info["error"]["message"]
    )
    assert db_session.scalars(select(TimerDue)).all() == []


def test_self_calling_call_activity_stops_at_the_depth_bound(
    db_session: Session, deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIEBANG_CALL_DEPTH", "5")
    with pytest.raises(StepFailed) as caught:
        instances.start_instance(db_session, "self_call", data={"depth": 0})
    assert "(again)" in caught.value.en and "nested more than 5 deep" in caught.value.en
    assert "嵌套超过 5 层" in caught.value.zh


def test_sign_in_and_portal_answer_while_a_looping_script_runs(
    db_session: Session,
    db_url: str,
    deployed,
    sim,
    client: FlaskClient,  # noqa: F811
    web_users: dict[str, str],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The looping script holds its transaction until the test lets it go (or, on SQLite, until its CPU
    budget is spent), so each request is known to run while it loops — by the order of events, not by a
    clock. The portal only reads: it answers while the script loops on both databases. Sign-in writes: on
    PostgreSQL it answers while the script loops; on SQLite it waits for the write lock, i.e. for the bounded
    step to fail, and then answers (SQLite has one writer at a time)."""
    on_sqlite = db_url.startswith("sqlite")
    # SQLite: the CPU budget ends the loop while sign-in waits; PostgreSQL: the test ends it after sign-in.
    monkeypatch.setenv("JIEBANG_SCRIPT_SECONDS", "2" if on_sqlite else "600")
    monkeypatch.setenv("JIEBANG_SCRIPT_STEPS", str(10**12))
    spin = _start(db_session, "spin_after_timer")
    innocent = [_start(db_session, "timer_wait") for _ in range(3)]
    sim.advance("PT1H1M")

    looping, release, loop_ended = threading.Event(), threading.Event(), threading.Event()
    tick = Budget.tick

    def watched_tick(budget: Budget) -> None:
        # Only the endless loop takes this many steps; the other instances' changes tick on undisturbed.
        if threading.current_thread() is sweeper and budget.steps > LOOPING:
            looping.set()
            if release.is_set() and budget.steps < budget.limits.steps:
                budget.steps = budget.limits.steps  # spent: the next tick fails as an exceeded step budget
        try:
            tick(budget)
        except ScriptLimitExceeded:
            loop_ended.set()
            raise

    monkeypatch.setattr(Budget, "tick", watched_tick)

    def run_sweep() -> None:
        with session_factory(db_url)() as session:
            sweep(session)

    sweeper = threading.Thread(target=run_sweep)
    guard = threading.Timer(120, release.set)  # a hang guard only: the assertions below fail if it was needed
    guard.start()
    try:
        sweeper.start()
        assert looping.wait(60), "the looping script never started"
        portal = client.get("/portal/")
        portal_while_looping = not loop_ended.is_set()
        response = login(client, web_users["bureau"])
        signed_in_while_looping = not loop_ended.is_set()
        release.set()
        sweeper.join(timeout=60)
    finally:
        release.set()
        guard.cancel()

    assert not sweeper.is_alive()
    assert portal.status_code == 200 and portal_while_looping
    assert response.status_code == 302 and response.location.endswith("/tasks")
    assert signed_in_while_looping is not on_sqlite  # SQLite: after the bounded step; PostgreSQL: during it
    assert client.get("/tasks").status_code == 200
    db_session.rollback()
    failed = instances.describe(db_session, spin)
    assert failed["status"] == "error"
    budget_spent = "longer than the limit of 2 s of CPU time" if on_sqlite else "exceeded 1000000000000 steps"
    assert budget_spent in failed["error"]["message"]
    for instance_id in innocent:
        assert _confirm_ready(db_session, instance_id)


def test_a_claim_counts_an_attempt_and_takes_at_most_one_retried_instance(
    db_session: Session, deployed, sim
) -> None:
    """Claiming counts the attempt (no extra commit per firing); an instance whose firing failed before is
    the last of its batch, so if it kills the sweeper again no other instance is charged with it."""
    retried = [_start(db_session, "timer_wait") for _ in range(2)]
    fresh = [_start(db_session, "timer_wait") for _ in range(2)]
    sim.advance("PT1H1M")
    db_session.execute(
        update(TimerDue)
        .where(TimerDue.instance_id.in_(retried))
        .values(claimed_by="dead", claimed_at=utcnow() - CLAIM_LEASE - timedelta(seconds=1), attempts=1)
    )
    db_session.commit()
    assert claim_due(db_session, "probe", batch=10) == [*fresh, retried[0]]
    attempts = dict(db_session.execute(select(TimerDue.instance_id, TimerDue.attempts)).all())
    assert attempts == {fresh[0]: 1, fresh[1]: 1, retried[0]: 2, retried[1]: 1}
    assert claim_due(db_session, "probe", batch=10) == [retried[1]]
