"""Raw SpiffWorkflow, as the benchmarks measure it beside ours (issue 15): a stored state restored with the
version's cached specs, one task run, the engine steps, the state serialized again — in memory, no database,
no checks. ``bench.lifecycle`` and ``bench.run`` both measure raw this way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy.orm import Session


def stored_state(session: Session, iid: int) -> tuple[str, str]:
    """The instance's stored state and its serializer version, read afresh."""
    from engine.models.instance import InstanceState

    session.expire_all()
    row = session.get(InstanceState, iid)
    assert row is not None
    return row.state_json, row.serializer_version


def raw_step(
    session: Session, iid: int, state: tuple[str, str], task_id: str | None, data: Any
) -> Callable[[], str]:
    """Plain SpiffWorkflow on a stored state: restore with the cached specs, run, engine steps, serialize."""
    from datetime import datetime

    from engine.clock import frozen_now, get_clock
    from engine.db import begin_write
    from engine.helpers import script_engine_for
    from engine.models.instance import ProcessInstance
    from engine.runtime import version_specs
    from engine.specs import join_state, split_state

    begin_write(session)  # the diagram's scripts write domain tables; the caller rolls the runs back
    instance = session.get(ProcessInstance, iid)
    assert instance is not None
    specs = version_specs(instance.process_version)
    engine = script_engine_for(session)
    now: datetime = get_clock(session).now()

    def run() -> str:
        with frozen_now(now):
            wf = join_state(specs, *state)
            wf.script_engine = engine
            if task_id is None:
                with frozen_now(now + timedelta(microseconds=1)):
                    wf.refresh_timers()
            else:
                task = wf.get_task_from_id(UUID(task_id))
                task.data.update(data)
                task.run()
            wf.do_engine_steps()
            return split_state(wf)

    return run
