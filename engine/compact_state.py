"""Compact instance state: a finished subprocess or call activity leaves the stored state once its outputs are
merged, keeping only which of its elements ran (for the monitor's diagram).

SpiffWorkflow keeps every subprocess it ever ran in ``BpmnWorkflow.subprocesses`` — its whole task tree, and
a full copy of the caller's data in its root task (notes §4: only a root stores full data, every other task a
delta). Once the subprocess is completed and the task that called it is COMPLETED, its outputs are in the
caller's data (``SubWorkflowTask._on_subworkflow_completed`` → ``update_data`` before the caller runs), and
the engine never reads it again: the task iterator does not descend into a completed subprocess for
unfinished work, a completed caller is never updated again (a loop makes a new caller task), its timers and
message waits are gone, and diagram upgrades diff only live subprocesses. What a person still needs of it —
which of its elements ran, for the monitor — is folded into the caller's ``internal_data``. The rest (the
event log, the task rows, the domain tables) lives outside the state.

A standard loop (an embedded subprocess repeated while its condition holds: a round of the implementation)
keeps one completed child task per finished iteration under the loop task; once that iteration's subprocess
is pruned, the child is dropped too (its history folded into the loop task's ``internal_data``), so a loop
that runs N times holds the tasks of one iteration, not N.

The data of a finished task leaves too once nothing can read it again (``prune_finished_task_data``): every
task copies its parent's data when it runs, so a chain of finished tasks holds the process data once per task
(restored, compared and re-serialized at every step: the state's cost grows with the lifecycle, issue 15);
only the tasks still at the front of the tree keep it.

This is generic: any call activity, embedded subprocess, event subprocess or multi-instance call, nested to
any depth, in any diagram.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import StandardLoopTask
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

#: internal_data key of a caller task: {process id: "element=state element=state ..."} of the subprocesses it
#: ran — one string per process, which the serializer passes through at once (a dict per process cost a
#: converter call per element at every step: ~15 % of a finished Dazu lifecycle's unpack+pack, issue 15).
HISTORY_KEY = "finished_elements"
#: the same as stored before: {process id: {element id: state}} (read, and rewritten packed when it grows)
OLD_HISTORY_KEY = "finished_subprocess_elements"

#: What the monitor colours an element by; when several tasks share an element, the most telling wins.
STATE_OF = (
    (TaskState.ERROR, "failed"),
    (TaskState.READY | TaskState.STARTED, "active"),
    (TaskState.WAITING, "waiting"),
    (TaskState.COMPLETED, "completed"),
    (TaskState.CANCELLED, "cancelled"),
)
RANK = {"cancelled": 0, "completed": 1, "waiting": 2, "active": 3, "failed": 4}

Elements = dict[str, dict[str, str]]


def _note(result: Elements, process: str, element: str, state: str) -> None:
    states = result.setdefault(process, {})
    if RANK[state] > RANK.get(states.get(element, ""), -1):
        states[element] = state


def _merge(result: Elements, other: Elements) -> None:
    for process, states in other.items():
        for element, state in states.items():
            _note(result, process, element, state)


def _history(task: Task) -> Elements:
    """What the subprocesses ``task`` called (already pruned) ran, in either stored form."""
    result: Elements = {}
    old = task.internal_data.get(OLD_HISTORY_KEY)
    if old:
        _merge(result, old)
    for process, pairs in (task.internal_data.get(HISTORY_KEY) or {}).items():
        for pair in pairs.split():
            element, _, state = pair.rpartition("=")
            _note(result, process, element, state)
    return result


def _keep_history(task: Task, history: Elements) -> None:
    task.internal_data.pop(OLD_HISTORY_KEY, None)
    task.internal_data[HISTORY_KEY] = {
        process: " ".join(f"{element}={state}" for element, state in states.items())
        for process, states in history.items()
    }


def element_states_of(tasks: Iterable[Task]) -> Elements:
    """{process id: {element id: completed | active | waiting | failed | cancelled}} of ``tasks``, including
    what the subprocesses they called (already pruned) ran."""
    result: Elements = {}
    for task in tasks:
        if OLD_HISTORY_KEY in task.internal_data or HISTORY_KEY in task.internal_data:
            _merge(result, _history(task))
        element = task.task_spec.bpmn_id
        if not element:
            continue
        state = next((name for mask, name in STATE_OF if task.has_state(mask)), None)
        if state is not None:
            _note(result, task.workflow.spec.name, element, state)
    return result


def element_states(wf: BpmnWorkflow) -> Elements:
    """The states of every element the instance has run, pruned subprocesses included."""
    return element_states_of(wf.get_tasks())


def _caller(wf: BpmnWorkflow, task_id: Any) -> Task | None:
    try:
        return wf.get_task_from_id(task_id)
    except TaskNotFoundException:
        return None


def prune_finished_subprocesses(wf: BpmnWorkflow) -> int:
    """Drop every completed subprocess whose caller has completed (its outputs merged); returns how many
    subprocesses (nested ones included) left the state."""
    pruned = 0
    for task_id in list(wf.subprocesses):
        sp = wf.subprocesses.get(task_id)
        if sp is None or not sp.completed:  # gone with its parent already, or still running
            continue
        caller = _caller(wf, task_id)
        if caller is None or caller.state != TaskState.COMPLETED:
            continue
        before = len(wf.subprocesses)
        gone = wf.delete_subprocess(caller)
        pruned += before - len(wf.subprocesses)
        history = _history(caller)
        _merge(history, element_states_of(gone))
        _keep_history(caller, history)
    return pruned


def prune_finished_iterations(wf: BpmnWorkflow) -> int:
    """Drop the completed iteration tasks of every standard loop (in ``wf`` and its live subprocesses) whose
    subprocess has left the state, folding what they ran into the loop task; returns how many were dropped."""
    pruned = 0
    for workflow in [wf, *wf.subprocesses.values()]:
        for task in list(workflow.tasks.values()):
            if not isinstance(task.task_spec, StandardLoopTask):
                continue
            for child in list(task.children):
                if child.state != TaskState.COMPLETED or child.children or child.id in wf.subprocesses:
                    continue
                history = _history(task)
                _merge(history, element_states_of([child]))
                _keep_history(task, history)
                task._children.remove(child.id)
                del workflow.tasks[child.id]
                if workflow.last_task is child:  # the loop task stands for its finished iteration
                    workflow.last_task = task
                pruned += 1
    return pruned


def prune_orphaned_subprocesses(wf: BpmnWorkflow) -> int:
    """Drop every subprocess whose calling task has left the tree (SpiffWorkflow drops a cancelled standard
    loop's iteration task but keeps its subprocess: an implementation interrupted by a termination request on
    the stage's boundary); the engine can never reach it again. Returns how many were dropped."""
    dropped = 0
    while True:
        callers = set(wf.tasks)
        for sp in wf.subprocesses.values():
            callers.update(sp.tasks)
        orphans = [task_id for task_id in wf.subprocesses if task_id not in callers]
        if not orphans:
            return dropped
        for task_id in orphans:
            del wf.subprocesses[task_id]
            dropped += 1


def _data_read_again(task: Task) -> bool:
    """Whether the engine may read ``task``'s data again. A task's data is read by a child that has not yet
    copied it (one not COMPLETED inherits it when it runs), by a join (a parallel, inclusive or end join merges
    the data of the tasks before each thread's join task, even finished ones), by the workflow (its last task
    is its outcome: a completed workflow's data, a subprocess's outputs), and by a person (a leaf is the last
    of its branch: ``engine.instances.current_data`` shows it; a multi-instance or loop merges its leaves)."""
    if task.state != TaskState.COMPLETED or not task.children or task is task.workflow.last_task:
        return True
    if task.workflow.completed:  # nothing runs in it again: its outcome is its last task's
        return False
    return any(
        child.state != TaskState.COMPLETED or isinstance(child.task_spec, Join) for child in task.children
    )


def prune_finished_task_data(wf: BpmnWorkflow) -> int:
    """Empty the data of every finished task (in ``wf`` and its live subprocesses) that nothing reads again;
    the tasks after it keep their own. Returns how many tasks were emptied. Run after
    ``prune_finished_subprocesses`` (a finished subprocess's caller merged its outputs from its last task)."""
    emptied = 0
    for workflow in [wf, *wf.subprocesses.values()]:
        for task in workflow.tasks.values():
            if task.data and not _data_read_again(task):
                task.data = {}
                emptied += 1
    return emptied
