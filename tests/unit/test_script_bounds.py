"""Diagram code that loops or allocates without end is stopped; values task data cannot hold are refused."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from typing import Any

import pytest

from engine.errors import ScriptRefused
from engine.limits import ScriptLimitExceeded, ScriptLimits, bounded
from engine.scripting import RestrictedEnvironment
from tests.unit.test_scripting import _chain, failing, gateway_process, run_script, script_task, timer_event

ENV = RestrictedEnvironment()


def execute(source: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    context = dict(data or {})
    ENV.execute(source, context)
    return context


def evaluate(source: str, data: dict[str, Any] | None = None) -> Any:
    return ENV.evaluate(source, dict(data or {}))


@pytest.fixture
def fast_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIEBANG_SCRIPT_SECONDS", "0.5")
    monkeypatch.setenv("JIEBANG_SCRIPT_STEPS", "100000")


ENDLESS = [
    ("exec", "while True:\n    pass"),
    ("exec", "n = 0\nwhile True:\n    try:\n        n += 1\n    except Exception:\n        pass"),
    ("exec", "while True:\n    try:\n        while True:\n            pass\n    except:\n        pass"),
    ("exec", "def f():\n    try:\n        f()\n    except:\n        f()\nf()"),
    ("exec", "def g():\n    while True:\n        yield 1\nfor x in g():\n    pass"),
    ("exec", "f = lambda n: 1 if n == 0 else f(n - 1) + f(n - 1)\nx = f(40)"),
    ("exec", "x = 0\nfor a in range(10**6):\n    for b in range(10**6):\n        x = x + 1"),
    ("eval", "len([1 for a in range(10**6) for b in range(10**6)])"),
    ("eval", "sum(1 for a in range(10**6) for b in range(10**6))"),
    ("eval", "any(a == -1 for a in range(10**6) for b in range(10**6))"),
    ("exec", "try:\n    x = 1\nfinally:\n    while True:\n        pass"),
]


@pytest.mark.parametrize(("mode", "source"), ENDLESS)
def test_endless_code_is_stopped_within_the_budget(fast_limits: None, mode: str, source: str) -> None:
    started = time.thread_time()  # CPU time: what the budget bounds, however busy the machine is
    with pytest.raises(ScriptLimitExceeded) as caught:
        execute(source) if mode == "exec" else evaluate(source)
    assert time.thread_time() - started < 2
    assert "endless loop" in caught.value.en and "死循环" in caught.value.zh


def test_the_time_limit_stops_a_loop_that_has_steps_to_spare(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIEBANG_SCRIPT_SECONDS", "0.3")
    monkeypatch.setenv("JIEBANG_SCRIPT_STEPS", str(10**12))
    started = time.thread_time()
    with pytest.raises(ScriptLimitExceeded, match=r"longer than the limit of 0\.3 s of CPU time"):
        execute("while True:\n    pass")
    assert time.thread_time() - started < 1


@pytest.fixture
def slow_collector() -> Iterator[None]:
    """Every garbage collection takes 0.4 s of CPU, as a full one does in a large process."""

    def pause(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            until = time.thread_time() + 0.4
            while time.thread_time() < until:
                pass

    gc.callbacks.append(pause)
    try:
        yield
    finally:
        gc.callbacks.remove(pause)


def test_a_pause_of_the_garbage_collector_is_not_counted_as_the_script_s_time(
    monkeypatch: pytest.MonkeyPatch, slow_collector: None
) -> None:
    monkeypatch.setenv("JIEBANG_SCRIPT_SECONDS", "0.3")
    monkeypatch.setenv("JIEBANG_SCRIPT_STEPS", str(10**12))
    started = time.thread_time()
    with bounded():  # one change: scripts, and between them two collections longer than its whole budget
        execute("n = 0\nfor i in range(50):\n    n = n + i")
        gc.collect()
        gc.collect()
        assert execute("total = 0\nfor i in range(50):\n    total = total + i")["total"] == 1225
    assert time.thread_time() - started >= 0.8  # the collector really took more than the budget
    with bounded(), pytest.raises(ScriptLimitExceeded, match=r"longer than the limit of 0\.3 s"):
        gc.collect()
        execute("while True:\n    pass")  # the script's own time still counts


def test_all_code_of_one_run_shares_one_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIEBANG_SCRIPT_STEPS", "1000")
    loop = "for i in range(600):\n    pass"
    execute(loop)
    execute(loop)  # each alone is within the budget
    with bounded():
        execute(loop)
        with pytest.raises(ScriptLimitExceeded, match="exceeded 1000 steps"):
            execute(loop)


HUGE = [
    ("eval", "'x' * 10**9", "too large"),
    ("eval", "10**9 * [0]", "too large"),
    ("eval", "10**10**10", "integer that is too large"),
    ("eval", "pow(10, 10**10)", "integer that is too large"),
    ("eval", "1 << 10**10", "integer that is too large"),
    ("eval", "(10**12000) * (10**12000)", "integer that is too large"),
    ("eval", "sum(range(10**12))", "too large"),
    ("eval", "'x'.ljust(10**10)", "too large"),
    ("eval", "'7'.zfill(10**10)", "too large"),
    ("eval", "('\\t' * 1000).expandtabs(10**8)", "too large"),
    ("eval", "('x' * 10**6).replace('x', 'y' * 10**3)", "too large"),
    ("eval", "('x' * 10**6).join(['a'] * 10**3)", "too large"),
    ("eval", "f'{1:>1000000000}'", "too large"),
    ("eval", "f'{1.5:.1000000000f}'", "too large"),
    ("eval", "'%01000000000d' % 1", "too large"),
    ("eval", "math.factorial(10**7)", "integer that is too large"),
    ("exec", "s = 'ab'\nfor i in range(60):\n    s = s + s", "too large"),
    ("exec", "s = 'ab'\nfor i in range(60):\n    s += s", "too large"),
    ("exec", "d = {'s': [1]}\nfor i in range(60):\n    d['s'] += d['s']", "too large"),
    ("exec", "d = {'s': [1]}\nfor i in range(60):\n    d['s'] *= 2", "too large"),
    ("exec", "l = [1]\nfor i in range(60):\n    l.extend(l)", "too large"),
]


@pytest.mark.parametrize(("mode", "source", "reason"), HUGE)
def test_operations_building_huge_values_are_refused_before_they_run(
    mode: str, source: str, reason: str
) -> None:
    started = time.thread_time()
    with pytest.raises(ScriptLimitExceeded, match=reason):
        execute(source) if mode == "exec" else evaluate(source)
    assert time.thread_time() - started < 1


def test_building_too_much_in_total_is_stopped_even_when_each_value_is_allowed() -> None:
    with pytest.raises(ScriptLimitExceeded, match="built too much data in total"):
        execute("pages = []\nfor i in range(100):\n    pages.append('x' * 10**6)")


def test_ordinary_code_keeps_working() -> None:
    data = execute(
        "counts = {'a': 1}\n"
        "counts['a'] += 2\n"
        "items = [1, 2, 3]\n"
        "items[0:2] += [9]\n"
        "items[-1] *= 4\n"
        "label = f'{3.14159:.2f}|{counts!r:>12}|{\"x\":*^5}'\n"
        "text = '%5.1f%%' % 12.345 + ', ' + 'ab' * 3\n"
        "big = 2 ** 64 + (1 << 10)\n"
        "fact = math.factorial(20)\n"
        "total = sum(x * x for x in range(100))\n"
        "pad = 'x'.ljust(4, '.') + '7'.zfill(3)\n"
        "square = (lambda v: v * v)(12)\n"
        "def fib(n):\n"
        "    return n if n < 2 else fib(n - 1) + fib(n - 2)\n"
        "f15 = fib(15)\n"
        "n = 0\n"
        "while n < 1000:\n"
        "    n += 1\n"
    )
    assert data["counts"] == {"a": 3}
    assert data["items"] == [1, 2, 9, 12]
    assert data["label"] == "3.14|    {'a': 3}|**x**"
    assert data["text"] == " 12.3%, ababab"
    assert data["big"] == 2**64 + 1024 and data["fact"] == 2432902008176640000
    assert data["total"] == 328350 and data["pad"] == "x...007" and data["square"] == 144
    assert data["f15"] == 610 and data["n"] == 1000


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("tags = {'a', 'b'}", "(set)"),
        ("raw = b'abc'", "(bytes)"),
        ("ratio = math.nan", "(float nan)"),
        ("ratio = float('inf')", "(float inf)"),
        ("steps = range(3)", "(range)"),
        ("rows = [1, {'kinds': {1, 2}}]", "([1]['kinds']: set)"),
        ("table = {(1, 2): 'x'}", "(value: key of type tuple)"),
        ("huge = 10**5000", "(int of 16610 bits)"),
    ],
)
def test_a_value_task_data_cannot_hold_fails_the_script_step(source: str, problem: str) -> None:
    before = {"kept": 1}
    context = dict(before)
    with pytest.raises(ScriptRefused) as caught:
        ENV.execute(source, context)
    assert problem in caught.value.en and "cannot be saved" in caught.value.en
    assert "无法保存" in caught.value.zh
    assert context == before  # nothing of the failed step lands in task data


def test_unchanged_data_is_not_checked_again_but_new_values_are() -> None:
    assert execute("y = x + 1", {"x": 1}) == {"x": 1, "y": 2}
    assert execute("when = date(2026, 5, 1)")["when"].isoformat() == "2026-05-01"


def test_a_looping_gateway_condition_fails_at_the_gateway(fast_limits: None) -> None:
    condition = "len([1 for a in range(10**6) for b in range(10**6)]) > 0"
    err = failing(gateway_process(condition, "True"), {"amount": 1})
    assert err.task.task_spec.bpmn_id == "gw"
    assert "endless loop" in str(err)


def test_a_looping_timer_expression_fails_at_the_timer(fast_limits: None) -> None:
    err = failing(_chain(timer_event("[x for x in range(10**6) for y in range(10**6)][0]")))
    assert err.task.task_spec.bpmn_id == "wait"
    assert "endless loop" in str(err)


def test_a_script_task_storing_a_set_fails_at_that_task() -> None:
    err = failing(_chain(script_task("tags = {1, 2}", "collect")))
    assert err.task.task_spec.bpmn_id == "collect"
    assert "'tags' cannot be saved (set)" in str(err)
    assert run_script("tags = sorted({2, 1})") == {"tags": [1, 2]}


@pytest.mark.parametrize("name", ["JIEBANG_SCRIPT_SECONDS", "JIEBANG_SCRIPT_STEPS", "JIEBANG_CALL_DEPTH"])
@pytest.mark.parametrize("raw", ["0", "-3", "many"])
def test_limits_must_be_positive_numbers(monkeypatch: pytest.MonkeyPatch, name: str, raw: str) -> None:
    monkeypatch.setenv(name, raw)
    with pytest.raises(ValueError, match=name):
        ScriptLimits.from_env()


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ScriptLimits.from_env() == ScriptLimits()
    monkeypatch.setenv("JIEBANG_SCRIPT_SECONDS", "1.5")
    monkeypatch.setenv("JIEBANG_SCRIPT_SIZE", "1000")
    monkeypatch.setenv("JIEBANG_CALL_DEPTH", "4")
    assert ScriptLimits.from_env() == ScriptLimits(seconds=1.5, size=1000, call_depth=4)
    with pytest.raises(ScriptLimitExceeded, match="limit 1000"):
        evaluate("'x' * 1001")
