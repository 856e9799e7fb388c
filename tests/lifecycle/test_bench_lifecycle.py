"""The lifecycle benchmark (bench/lifecycle.py) drives the current Dazu diagram to its end: a change of the
diagram breaks this test rather than the benchmark. Nothing here is timed; only the steps are checked."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bench.lifecycle import run_lifecycle

from .test_compact_state import STATE_LIMIT


def test_the_benchmark_runs_the_whole_dazu_lifecycle_with_its_raw_replays(world: Session) -> None:
    steps = run_lifecycle(world, repeat=1)
    labels = [s.label for s in steps]
    # every step of the diagram, from the need to the settlement, with the timers that moved it on
    assert labels[:3] == ["post_need", "form_need_panel", "need_review"]
    assert labels[-3:] == ["review", "fund_audit", "issuer_final_payment"]
    assert labels.count("score") == 5 and labels.count("milestone_check") == 2
    assert sum(label.startswith("timer") for label in labels) == 4
    # each step was replayed on raw SpiffWorkflow from the state it started from
    assert all(s.raw_ms is not None for s in steps)
    assert 0 < steps[-1].state_bytes <= STATE_LIMIT
