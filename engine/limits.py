"""Bounds on the work diagram code may do: configuration, the per-run budget and the call-depth bound.

Every change of an instance (``engine.runtime.change_instance``) runs its scripts, conditions, timer
expressions and DMN cells under one ``Budget``: CPU seconds of the thread running the change (less the time the
garbage collector paused it) and a number of steps (loop iterations, function calls, engine steps). Code
compiled by ``engine.scripting`` ticks the budget in every loop and call; once the budget is spent every
further tick fails again, so a script that catches the error cannot keep running. Size guards (``engine.size_guards``) refuse single operations that would build huge
values, which no deadline could interrupt. Call activities and subprocesses may nest ``call_depth`` deep.

The numbers are operating configuration, read from the environment (see README):

=============================  ==============================================================  =========
``JIEBANG_SCRIPT_SECONDS``     CPU seconds for all diagram code of one change                  2
``JIEBANG_SCRIPT_STEPS``       loop iterations + function calls + engine steps of one change   1000000
``JIEBANG_SCRIPT_SIZE``        items or characters of one value built by one operation         1000000
``JIEBANG_SCRIPT_BUILT``       items or characters all size-checked operations of one change   50000000
                               may build together
``JIEBANG_SCRIPT_INT_BITS``    bits of one integer built by one operation                      65536
``JIEBANG_CALL_DEPTH``         nesting of call activities and subprocesses                     20
=============================  ==============================================================  =========
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields
from typing import Any

from engine.errors import JiebangError

__all__ = [
    "Budget",
    "ScriptLimitExceeded",
    "ScriptLimits",
    "bounded",
    "current_budget",
    "install_call_depth_bound",
    "working_time",
]


class ScriptLimitExceeded(JiebangError):
    """Diagram code ran too long, too many steps, built too large a value or nested calls too deep."""

    code = "script_limit"
    http_status = 422


@dataclass(frozen=True)
class ScriptLimits:
    seconds: float = 2.0
    steps: int = 1_000_000
    size: int = 1_000_000
    built: int = 50_000_000
    int_bits: int = 65_536
    call_depth: int = 20

    @classmethod
    def from_env(cls) -> ScriptLimits:
        """The defaults, overridden by ``JIEBANG_SCRIPT_*`` / ``JIEBANG_CALL_DEPTH`` (positive numbers)."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            name = "JIEBANG_CALL_DEPTH" if f.name == "call_depth" else f"JIEBANG_SCRIPT_{f.name.upper()}"
            raw = os.environ.get(name)
            if raw is None or not raw.strip():
                continue
            kind = float if f.name == "seconds" else int
            try:
                value = kind(raw)
            except ValueError:
                raise ValueError(f"{name} must be a positive number, not {raw!r}") from None
            if value <= 0:
                raise ValueError(f"{name} must be a positive number, not {raw!r}")
            values[f.name] = value
        return cls(**values)


class _CollectorTime(threading.local):
    """The CPU time the garbage collector has taken from this thread so far. A full collection runs in whichever
    thread allocated last and takes as long as the whole process's heap needs (seconds in a large process); it
    is no work of the diagram code that happened to trigger it."""

    spent = 0.0
    started: float | None = None


_COLLECTOR = _CollectorTime()


def _on_collection(phase: str, _info: dict[str, Any]) -> None:
    if phase == "start":
        _COLLECTOR.started = time.thread_time()
    elif _COLLECTOR.started is not None:
        _COLLECTOR.spent += time.thread_time() - _COLLECTOR.started
        _COLLECTOR.started = None


gc.callbacks.append(_on_collection)


def working_time() -> float:
    """CPU seconds of this thread, less the garbage collector's pauses in it: what a budget bounds."""
    return time.thread_time() - _COLLECTOR.spent


class Budget:
    """What one run of diagram code may still spend. Not thread-safe; one per context (see ``bounded``)."""

    def __init__(self, limits: ScriptLimits) -> None:
        self.limits = limits
        self.steps = 0
        self.built = 0
        self.deadline = working_time() + limits.seconds
        self._spent: tuple[str, str] | None = None

    def _fail(self, zh: str, en: str) -> ScriptLimitExceeded:
        return ScriptLimitExceeded(zh, en, details={"limits": self.limits.__dict__.copy()})

    def _spend(self, zh: str, en: str) -> ScriptLimitExceeded:
        self._spent = (zh, en)
        return self._fail(zh, en)

    def tick(self) -> None:
        """One loop iteration, call or engine step. Fails (again and again) once the budget is spent."""
        if self._spent is not None:
            raise self._fail(*self._spent)
        self.steps += 1
        if self.steps > self.limits.steps:
            n = self.limits.steps
            raise self._spend(
                f"脚本执行步数超过上限 {n}（循环次数加函数调用次数），可能是死循环；请检查脚本或条件表达式",
                f"the script exceeded {n} steps (loop iterations plus calls), probably an endless loop; "
                "check the script or expression",
            )
        # CPU time of this thread: a loaded machine, a wait for the database or a pause of the garbage collector
        # does not fail a step, an endless computation does. Read every 8th step (the clock costs about a
        # microsecond).
        if self.steps & 7 == 0 and working_time() > self.deadline:
            s = self.limits.seconds
            raise self._spend(
                f"脚本运行超过 {s:g} 秒（CPU 时间）上限，可能是死循环；请检查脚本或条件表达式",
                f"the script ran longer than the limit of {s:g} s of CPU time, probably an endless loop; "
                "check the script or expression",
            )

    def iterate(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """``for`` loops and comprehensions: one tick per item."""
        for item in iter(iterable):
            self.tick()
            yield item

    def check_size(self, size: int, *, builds: bool = True) -> None:
        """An operation about to build a value of ``size`` items or characters (``builds=False``: a lazy
        value such as a range, which takes no memory but bounds what iterates over it)."""
        if size > self.limits.size:
            n = self.limits.size
            raise self._fail(
                f"脚本要生成的值过大（约 {size} 个元素或字符，上限 {n}）；请检查重复、拼接或填充操作",
                f"the script would build a value that is too large (about {size} items or characters, "
                f"limit {n}); check repetition, concatenation or padding",
            )
        if builds:
            self.built += size
            if self.built > self.limits.built:
                n = self.limits.built
                raise self._spend(
                    f"脚本累计生成的数据过多（超过 {n} 个元素或字符）；请检查循环中的重复或拼接",
                    f"the script built too much data in total (more than {n} items or characters); check "
                    "repetition or concatenation inside loops",
                )

    def check_int_bits(self, bits: int) -> None:
        if bits > self.limits.int_bits:
            n = self.limits.int_bits
            raise self._fail(
                f"脚本要计算的整数过大（约 {bits} 位二进制，上限 {n}）；请检查乘方、移位或阶乘",
                f"the script would compute an integer that is too large (about {bits} bits, limit {n}); "
                "check powers, shifts or factorials",
            )


_ACTIVE: ContextVar[Budget | None] = ContextVar("jiebang_script_budget", default=None)


def current_budget() -> Budget:
    """The budget of the running change; outside ``bounded`` a fresh one (diagram code always runs inside)."""
    budget = _ACTIVE.get()
    return budget if budget is not None else Budget(ScriptLimits.from_env())


@contextmanager
def bounded(limits: ScriptLimits | None = None) -> Iterator[Budget]:
    """Run diagram code under one budget. Nested uses share the outer budget."""
    outer = _ACTIVE.get()
    if outer is not None:
        yield outer
        return
    budget = Budget(limits or ScriptLimits.from_env())
    token = _ACTIVE.set(budget)
    try:
        yield budget
    finally:
        _ACTIVE.reset(token)


_CALL_DEPTH_INSTALLED = False


def install_call_depth_bound() -> None:
    """Call activities (and embedded subprocesses) nest at most ``call_depth`` deep, so a process that calls
    itself fails at that element instead of growing without end. Idempotent."""
    global _CALL_DEPTH_INSTALLED
    if _CALL_DEPTH_INSTALLED:
        return
    from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
    from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask

    original = SubWorkflowTask.start_workflow

    def start_workflow(self: Any, my_task: Any) -> None:
        limit = current_budget().limits.call_depth
        if my_task.workflow.depth + 1 > limit:
            my_task.error()
            err = ScriptLimitExceeded(
                f"调用活动或子流程嵌套超过 {limit} 层，可能是流程调用了自身；请检查调用关系",
                f"call activities or subprocesses are nested more than {limit} deep, probably a process "
                "calling itself; check what it calls",
            )
            raise WorkflowTaskException(str(err), task=my_task, exception=err)
        original(self, my_task)

    SubWorkflowTask.start_workflow = start_workflow  # type: ignore[method-assign]
    _CALL_DEPTH_INSTALLED = True
