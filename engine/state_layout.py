"""How an instance's task tree is laid out in its stored state: each datum once.

SpiffWorkflow 3.2 stores a task's data as a delta against its parent task (``updates`` and ``deletions``)
and a root task's data in full. Left as it is, two layouts repeat the whole process data:

- a task that has not run yet (FUTURE, LIKELY, MAYBE, and WAITING/READY before it inherits) has no data, so
  its delta lists every key of its parent as deleted — on a Dazu instance ~200 names, 3.6 KB per predicted
  task, and restoring it copies the parent's data only to delete it again;
- the start task of every subprocess (stage call activities, each expert's scoring, publicity) is a root and
  holds a full copy of the data its caller passed in (10–14 KB on a Dazu instance, once per subprocess);
- a completed workflow copies its end task's data into its own (15 KB at the end of a Dazu lifecycle).

Here a task whose data is empty, or smaller than its delta, is stored in full (``data``, no ``delta``) —
which SpiffWorkflow's own task converter reads as it is; a subprocess's start task is stored as a delta
against its caller's data (``CALLER_DELTA``), derived when the state is joined as SpiffWorkflow derives any
task's data from its parent's, caller before subprocess, at any depth — or, for a called process with
declared inputs, which starts with a few of its caller's variables, as the names it keeps of them
(``CALLER_SELECTION``); a workflow's data is stored against its last task's (``LAST_TASK_DELTA``) when that
is smaller. A subprocess's first task after finished ones whose data left the state
(``engine.compact_state.prune_finished_task_data``) is stored against its caller's data too, rather than in full.
Nothing about the workflow changes: a state joins back to the same task data, and a state stored
before this layout joins as it did.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge

#: key of a subprocess start task's dict: its data as {updates, deletions} against its caller task's data
CALLER_DELTA = "caller_delta"
#: the same as {keep, updates}: the caller's values of the names in ``keep``, then ``updates`` (the start of a
#: called process with declared inputs, which gets a few of its caller's variables)
CALLER_SELECTION = "caller_selection"
#: key of a workflow's dict: its data (a completed workflow's copy of its end's) against its last task's data
LAST_TASK_DELTA = "data_against_last_task"


def _delta(registry: Any, base: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return {
        "updates": registry.convert(DeepMerge.get_updated_keys(base, data)),
        "deletions": DeepMerge.get_deleted_keys(base, data),
    }


def _applied(registry: Any, data: dict[str, Any], delta: dict[str, Any]) -> dict[str, Any]:
    """``data`` (restored objects, changed in place) with ``delta`` applied."""
    data.update(registry.restore(delta["updates"]))
    for key in delta["deletions"]:
        data.pop(key, None)
    return data


def compact_workflow_data(registry: Any, dct: dict[str, Any], wf: Any) -> None:
    """A completed workflow copies its end task's data into its own: store it against its last task."""
    last = wf.last_task
    if wf.data and last is not None:
        delta = _delta(registry, last.data, wf.data)
        if len(delta["updates"]) + len(delta["deletions"]) < len(wf.data):
            dct["data"] = {}
            dct[LAST_TASK_DELTA] = delta
            return
    dct["data"] = registry.convert(registry.clean(wf.data))


def restore_workflow_data(registry: Any, delta: dict[str, Any] | None, wf: Any) -> None:
    """Put back what ``compact_workflow_data`` left out (``delta``: the popped LAST_TASK_DELTA)."""
    if delta is not None:
        # a fresh copy, as a completed workflow's data is its own (registry.restore copies dicts and lists
        # and passes restored objects through)
        wf.data = registry.restore(_applied(registry, dict(wf.last_task.data), delta))


def compact_tasks(registry: Any, dicts: dict[str, dict[str, Any]], tasks: dict[UUID, Task]) -> None:
    """Store a task in full where that is smaller than its delta against its parent (an empty task always)."""
    for task_id, task in tasks.items():
        if task.parent is None:
            continue
        dct = dicts[str(task_id)]
        delta = dct.get("delta") or {}
        if len(task.data) <= len(delta.get("deletions", ())):
            dct["data"] = registry.convert(task.data)
            dct["delta"] = {}


def _against_caller(registry: Any, caller: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """A subprocess start task's ``data`` against its caller's: what differs and what is gone, or — for a called
    process with declared inputs, which gets a few of its caller's variables — what is kept, if fewer."""
    delta = _delta(registry, caller, data)
    keep = [key for key in data if key not in delta["updates"]]
    if len(keep) < len(delta["deletions"]):
        return {CALLER_SELECTION: {"keep": keep, "updates": delta["updates"]}}
    return {CALLER_DELTA: delta}


def _entries(against: dict[str, Any]) -> int:
    """How many values ``_against_caller``'s answer stores."""
    if CALLER_DELTA in against:
        return len(against[CALLER_DELTA]["updates"]) + len(against[CALLER_DELTA]["deletions"])
    return len(against[CALLER_SELECTION]["keep"]) + len(against[CALLER_SELECTION]["updates"])


def subprocess_dicts(registry: Any, wf: BpmnWorkflow) -> dict[str, dict[str, Any]]:
    """Every subprocess of ``wf`` (nested ones too), its start task's data stored against its caller's."""
    result: dict[str, dict[str, Any]] = {}
    callers = {**wf.tasks}
    for sp in wf.subprocesses.values():
        callers.update(sp.tasks)
    for caller_id, sp in wf.subprocesses.items():
        dct = registry.convert(sp)
        compact_tasks(registry, dct["tasks"], sp.tasks)
        caller = callers[caller_id]
        root = sp.task_tree
        root_dct = dct["tasks"][str(root.id)]
        root_dct["data"] = {}
        root_dct.update(_against_caller(registry, caller.data, root.data))
        for task in sp.tasks.values():  # the first task after finished ones whose data left (compact_state)
            if task is not root and task.data and task.parent is not None and not task.parent.data:
                against = _against_caller(registry, caller.data, task.data)
                if _entries(against) < len(task.data):
                    task_dct = dct["tasks"][str(task.id)]
                    task_dct["data"], task_dct["delta"] = {}, {}
                    task_dct.update(against)
        compact_workflow_data(registry, dct, sp)
        result[str(caller_id)] = dct
    # in a fixed order: a join restores callers before what they call in its own order (three levels deep, an
    # implementation round's milestone check, that is not the order the engine created them in)
    return dict(sorted(result.items()))


def _restore_subprocess(registry: Any, dct: dict[str, Any], caller: Task, top: BpmnWorkflow) -> Any:
    """SpiffWorkflow's ``BpmnSubWorkflowConverter.from_dict``, with the start task's data derived from its
    caller's as SpiffWorkflow derives any task's data from its parent's (``DeepMerge`` of the parent's data,
    then the delta) before the tasks that inherit it are restored."""
    data_delta = dct.pop(LAST_TASK_DELTA, None)
    root_id = dct["root"]
    converter = registry.convert_from_dict[dct["typename"]].args[0].__self__
    spec = top.subprocess_specs.get(caller.task_spec.spec)
    sp = converter.target_class(spec, caller.id, top, deserializing=True)
    tasks: dict[UUID, Task] = {}
    for task_dct in dct["tasks"].values():
        # the start task, or the first after finished tasks whose data left (a state stored before this
        # layout has neither)
        against = task_dct.pop(CALLER_DELTA, None)
        selection = task_dct.pop(CALLER_SELECTION, None)
        task = registry.restore(task_dct, workflow=sp)
        if against is not None:
            task.data = _applied(registry, DeepMerge.merge({}, caller.data), against)
        elif selection is not None:
            kept = {key: caller.data[key] for key in selection["keep"]}
            task.data = _applied(registry, DeepMerge.merge({}, kept), {**selection, "deletions": ()})
        tasks[task.id] = task
    sp.tasks = tasks
    sp.task_tree = tasks.get(UUID(root_id))
    converter.set_default_attributes(sp, dct)
    restore_workflow_data(registry, data_delta, sp)
    return sp


def subprocesses_from_dicts(
    registry: Any, dicts: dict[str, dict[str, Any]], workflow: Any, top: BpmnWorkflow | None = None
) -> None:
    """SpiffWorkflow's ``subprocesses_from_dict``: callers restored before what they call, at any depth."""
    top = top or workflow
    for task in list(workflow.tasks.values()):
        if isinstance(task.task_spec, SubWorkflowTask) and str(task.id) in dicts:
            sp = _restore_subprocess(registry, dicts.pop(str(task.id)), task, top)
            top.subprocesses[task.id] = sp
            sp.completed_event.connect(task.task_spec._on_subworkflow_completed, task)
            subprocesses_from_dicts(registry, dicts, sp, top)
