"""The case as a person reads it at a task: inside a called process with declared inputs (bpmn/shared's
expert scoring, publicity, …), which carries only those, the data of the task that called it with the
called process's own laid over it — so a page, a check, the access policy or the portal inside a called
process still see the whole case, while the stored state carries one copy of it (issue 15 item 3)."""

from __future__ import annotations

from typing import Any


def declares_inputs(spec: Any) -> bool:
    """Whether a process spec declares its inputs (SpiffWorkflow then copies only those into it)."""
    io = getattr(spec, "io_specification", None)
    return io is not None and bool(io.data_inputs)


def case_data(task: Any, *, copy: bool = True) -> dict[str, Any]:
    """The data of ``task`` laid over its callers' (see the module): a new dict, the task's own values win.
    ``copy=False``: for a reader that changes nothing, the task's own data itself when no caller lies under it
    (the indexes read it for every new task and portal row: issue 15)."""
    layers = [task.data]
    wf = task.workflow
    while getattr(wf, "parent_task_id", None) is not None and declares_inputs(wf.spec):
        task = wf.top_workflow.get_task_from_id(wf.parent_task_id)
        layers.append(task.data)
        wf = task.workflow
    if len(layers) == 1:
        return dict(layers[0]) if copy else layers[0]
    merged: dict[str, Any] = {}
    for layer in reversed(layers):
        merged.update(layer)
    return merged
