"""Corrections to SpiffWorkflow 3.2 behaviour that breaks BPMN semantics our diagrams rely on.

An event-based gateway with two timers (a reminder before a deadline, and the deadline):

* every timer of the gateway keeps its due time and "fired" flag in the *same* ``internal_data`` keys
  (``event_value``, ``event_fired``), so the second timer silently takes the first one's due time;
* ``MultipleEventDefinition.has_fired`` removes items from the list it iterates and records *every* expired
  timer, so when a sweep comes after two timers are due the gateway continues on both branches.

BPMN 2.0 §10.5.6: an event-based gateway takes exactly one branch, the first event to occur. The fix keeps each
timer's state under its own keys (``event_value#<i>``), publishes the earliest pending due time as
``event_value`` (what the timer index reads), and takes only the first event seen: a message caught earlier,
or else the first expired timer in the gateway's order.

A standard loop (``StandardLoopTask``) deep-merges each finished iteration's data into the data the next
iteration starts from, so a list an iteration shortened or reordered keeps the old items and a name an
iteration deleted comes back. BPMN 2.0 §10.2.8: the iterations of a standard loop run one after another on
the same data, so the next iteration (and the task after the loop) starts from the data the last one ended
with. The fix takes the finished iteration's data as it is.

A process's end (``_EndJoin``) merges the data of every branch that ended before the last one (a
non-interrupting reminder's branch) and then the last branch's, but it merges the last branch's lists by
shallow copy: the stale branch's dicts are then merged *into the last branch's own dicts*, so a milestone the
last branch marked done is marked not done again, in the branch's task too. That corrupted an implementation
round's data (the reminder's branch ends before the milestone check's). The fix merges deep copies, the
earlier branches first and the last one last, so the last branch's values win as SpiffWorkflow intends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

_INSTALLED = False
_STATE_KEYS = ("event_value", "event_fired")


def _due(value: Any) -> datetime | None:
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

    if isinstance(value, dict):
        value = value.get("next")
    if not isinstance(value, str):
        return None
    try:
        parsed = TimerEventDefinition.parse_time_or_duration(value)
    except Exception:
        return None
    return parsed if isinstance(parsed, datetime) else None


def _timer_fired(definition: Any, my_task: Any, index: int) -> bool:
    """Run one timer's own ``has_fired`` with its own state swapped into the shared keys."""
    data = my_task.internal_data
    for key in _STATE_KEYS:
        data.pop(key, None)
        if f"{key}#{index}" in data:
            data[key] = data[f"{key}#{index}"]
    try:
        return bool(definition.has_fired(my_task))
    finally:
        for key in _STATE_KEYS:
            if key in data:
                data[f"{key}#{index}"] = data.pop(key)


def install_spiff_fixes() -> None:
    """Idempotent."""
    global _INSTALLED
    if _INSTALLED:
        return
    from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
    from SpiffWorkflow.bpmn.util.event import BpmnEvent

    def has_fired(self: Any, my_task: Any) -> bool:
        data = my_task.internal_data
        remaining = list(self.event_definitions)
        seen = list(data.get("seen_events", []))
        for event in seen:
            if event.event_definition in remaining:
                remaining.remove(event.event_definition)
        if not self.parallel and seen:
            data["seen_events"] = seen[:1]
            return True
        pending: list[tuple[datetime, Any]] = []
        for index, definition in enumerate(self.event_definitions):
            if definition not in remaining or not isinstance(definition, TimerEventDefinition):
                continue
            if _timer_fired(definition, my_task, index):
                remaining.remove(definition)
                seen.append(BpmnEvent(definition))
                if not self.parallel:
                    break
            else:
                value = data.get(f"event_value#{index}")
                due = _due(value)
                if due is not None:
                    pending.append((due, value))
        data["seen_events"] = seen
        if pending:
            data["event_value"] = min(pending, key=lambda p: p[0])[1]
        else:
            data.pop("event_value", None)
        return len(remaining) == 0 if self.parallel else len(seen) > 0

    MultipleEventDefinition.has_fired = has_fired  # type: ignore[method-assign]

    from copy import deepcopy

    from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import StandardLoopTask
    from SpiffWorkflow.util.task import TaskState

    def merge_child(self: Any, workflow: Any, child: Any) -> None:
        my_task = child.parent
        my_task.data = deepcopy(child.data)
        my_task.internal_data["merged"].append(str(child.id))
        if self.loop_complete(my_task):
            my_task._set_state(TaskState.READY)
        else:
            self.create_child(my_task)

    StandardLoopTask.merge_child = merge_child  # type: ignore[method-assign]

    from SpiffWorkflow.bpmn.specs.control import _EndJoin
    from SpiffWorkflow.util.deep_merge import DeepMerge

    def end_join_run(self: Any, my_task: Any) -> bool:
        others = [
            t
            for t in my_task.workflow.tasks.values()
            if t.task_spec == self
            and t.has_state(TaskState.FINISHED_MASK)
            and not my_task.is_descendant_of(t)
        ]
        data: dict[str, Any] = {}
        for task in sorted(others, key=lambda t: t.last_state_change):
            DeepMerge.merge(data, deepcopy(task.parent.data))
            if task.has_state(TaskState.COMPLETED):
                task._drop_children(force=True)
        my_task.data = DeepMerge.merge(data, deepcopy(my_task.parent.data))
        my_task.workflow.data.update(my_task.data)
        return True

    _EndJoin._run_hook = end_join_run  # type: ignore[method-assign]
    _INSTALLED = True
