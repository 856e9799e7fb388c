"""`jiebang scheduler` sweeps every second and fires what falls due while it runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from sqlalchemy.orm import Session

from engine import instances, tasks


@pytest.mark.slow
def test_scheduler_fires_a_due_timer(db_session: Session, db_url: str, deploy, sim) -> None:
    deploy("timer")
    sim.set("2026-05-01T09:00:00+08:00")
    iid = instances.start_instance(db_session, "timer_wait", data={"wait_for": "PT1H"}).id
    env = dict(os.environ, JIEBANG_DATABASE_URL=db_url, JIEBANG_SIMULATED_CLOCK="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine.cli", "scheduler"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        time.sleep(2)
        db_session.rollback()
        assert tasks.list_tasks(db_session, instance_id=iid) == []  # not due yet: nothing fired
        sim.advance("PT1H1M")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            db_session.rollback()
            if tasks.list_tasks(db_session, instance_id=iid):
                break
            time.sleep(0.5)
        assert [t.task_spec for t in tasks.list_tasks(db_session, instance_id=iid)] == ["confirm"]
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert "fired 1 timer" in output
    # INFO only for what an operator needs: no line per tick (APScheduler) or per engine step (SpiffWorkflow)
    chatty = [line for line in output.splitlines() if " INFO " in line and " jiebang." not in line]
    assert chatty == [], chatty
