"""The restricted script environment every workflow runs with.

Scripts and expressions in diagrams (script tasks, pre/post scripts, gateway conditions, timer expressions,
DMN input/output expressions, multi-instance collections, message correlation expressions) are code written
by process owners. They are compiled with RestrictedPython under a stricter policy than its default and run
against a small set of builtins and guard functions:

- no ``import``, no class definitions, no names or attributes starting with ``_`` (so no dunder access),
  no frame/code/traceback attributes, no ``str.format``/``format_map``;
- no ``open``, ``eval``, ``exec``, ``compile``, ``globals``, ``locals``, ``vars``, ``dir``, ``getattr``,
  ``setattr``, ``type``, ``object``, ``super``, ``breakpoint``, ``input`` ... (calls are refused when the
  code is compiled; the names are not builtins either);
- item assignment is allowed on dicts and lists only; attributes can never be assigned.

Semantics follow SpiffWorkflow's ``TaskDataEnvironment``: ``evaluate`` returns the value of an expression
with the task data (which wins over predefined names) as its namespace; ``execute`` runs a script whose
assignments land in the task data, after which the task data holds only data (no guards, builtins, helper
functions, script-defined functions or modules). Unlike Spiff, a failing script leaves the task data's keys
untouched (in-place mutation of a list or dict the script reached may still have happened), and a script
that assigns to a helper's name is refused instead of silently losing the variable. Keys of task data that
start with ``_`` (for instance ``__builtins__`` from a form) are invisible to scripts and kept as they are.

Compiled code is cached (LRU keyed by source text), because the same expressions run many times.

Work is bounded (``engine.limits``): compiled code ticks the running budget in every loop iteration, function
call and lambda call, so an endless loop or recursion fails after the configured time or number of steps;
``+ * ** << %``, f-string format specs, ``range``, ``pow``, padding/``replace``/``join`` methods and
``math.factorial`` & co. are refused when their result would be huge (``engine.size_guards``). A variable a
script leaves that task data cannot store (a set, bytes, an object, NaN) fails the script step.

This is a policy on code, not an operating-system sandbox.
"""

from __future__ import annotations

import ast
import builtins
import datetime as _datetime
import functools
import logging
import math as _math
import operator
import re
import types
from collections.abc import Callable, Mapping, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence, safer_getattr_raise
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, IOPERATOR_TO_STR, RestrictingNodeTransformer
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.case_view import case_data, declares_inputs
from engine.errors import JiebangError, ScriptRefused
from engine.limits import bounded, current_budget
from engine.size_guards import (
    bounded_method,
    guarded_binop,
    guarded_format,
    guarded_inplace,
    guarded_math,
    guarded_pow,
    guarded_range,
)
from engine.specs import as_stored, storage_problem

__all__ = [
    "SCRIPT_BUILTINS",
    "RestrictedEnvironment",
    "RestrictedScriptEngine",
    "ScriptProblem",
    "make_script_engine",
    "script_problems",
    "validate_expression",
]

logger = logging.getLogger("jiebang.scripts")

Mode = Literal["eval", "exec"]

#: Filename given to compiled diagram code; SpiffWorkflow finds the failing line by this name.
SCRIPT_FILENAME = "<string>"
CACHE_SIZE = 4096

# Builtins that are never callable from diagram code, refused when the code is compiled so the author
# gets a clear message (eval/exec are refused by RestrictedPython itself).
FORBIDDEN_CALLS = frozenset(
    {
        "breakpoint",
        "classmethod",
        "compile",
        "delattr",
        "dir",
        "exit",
        "getattr",
        "globals",
        "hasattr",
        "help",
        "input",
        "locals",
        "memoryview",
        "object",
        "open",
        "property",
        "quit",
        "setattr",
        "staticmethod",
        "super",
        "type",
        "vars",
    }
)
# ``str.format`` / ``format_map`` can reach attributes through the format string ("{0.__class__}").
FORBIDDEN_ATTRIBUTES = frozenset({"format", "format_map"})


# --------------------------------------------------------------------------------------------------------
# Problems found when compiling


@dataclass(frozen=True)
class ScriptProblem:
    """One reason a piece of diagram code is refused, in Chinese and English."""

    line: int | None
    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


def _problem(line: int | None, zh: str, en: str) -> ScriptProblem:
    if line is None:
        return ScriptProblem(None, zh, en)
    return ScriptProblem(line, f"第 {line} 行：{zh}", f"Line {line}: {en}")


# RestrictedPython reports in English; these patterns give the Chinese text for its messages.
_RP_TRANSLATIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), zh)
    for pattern, zh in (
        (
            r'^"(?P<n>[^"]*)" is an invalid variable name because it starts with "_"',
            "不允许使用以下划线开头的名称 “{n}”",
        ),
        (
            r'^"(?P<n>[^"]*)" is an invalid attribute name because it starts with "_"',
            "不允许访问以下划线开头的属性 “{n}”",
        ),
        (
            r'^"(?P<n>[^"]*)" is an invalid (variable|attribute) name because it ends with "__roles__"',
            "不允许使用名称 “{n}”",
        ),
        (r'^"(?P<n>[^"]*)" is a restricted name, that is forbidden', "不允许访问受限属性 “{n}”"),
        (r'^"(?P<n>[^"]*)" is a reserved name', "“{n}” 是保留名称，不能使用"),
        (r"^Exec calls are not allowed", "不允许调用 exec"),
        (r"^Eval calls are not allowed", "不允许调用 eval"),
        (r"^Augmented assignment of attributes is not allowed", "不允许对属性做增量赋值（如 a.b += 1）"),
        (r"^Unpacking in comprehensions is not allowed", "推导式中不允许解包"),
        (r'^The keyword argument "metaclass" is not allowed', "不允许使用 metaclass"),
        (r"^Assignment expressions are only allowed for simple targets", "赋值表达式只能赋给简单变量"),
        (r'^"\*" imports are not allowed', "不允许 import 语句"),
        (r"^(?P<n>\w+) statements are not allowed", "不允许使用 {n} 语句"),
    )
)


def _translate(info: str) -> str:
    for pattern, zh in _RP_TRANSLATIONS:
        found = pattern.match(info)
        if found:
            return zh.format(**found.groupdict())
    return f"脚本不符合安全限制（{info}）"


_RP_LINE = re.compile(r"^Line (?P<line>\d+|None): (?P<info>.*)$", re.DOTALL)


def _from_restricted_python(message: str) -> ScriptProblem:
    found = _RP_LINE.match(message)
    if not found:
        return _problem(None, _translate(message), message)
    line = None if found["line"] == "None" else int(found["line"])
    info = found["info"].strip().rstrip(".")
    return _problem(line, _translate(info), info)


# --------------------------------------------------------------------------------------------------------
# Compile policy


class JiebangPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, made stricter for diagram code (and one convenience added)."""

    _in_expression = False

    def _refuse(self, node: ast.AST, zh: str, en: str) -> None:
        # Recorded in RestrictedPython's own format ("Line N: ...") with the Chinese text attached.
        line = getattr(node, "lineno", None)
        self.errors.append(f"Line {line}: {en}\x00{zh}")

    def visit_Expression(self, node: ast.Expression) -> Any:
        self._in_expression = True
        return super().visit_Expression(node)

    def visit_Import(self, node: ast.Import) -> Any:
        self._refuse(node, "不允许 import 语句", "import statements are not allowed")
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> Any:
        self._refuse(node, "不允许 import 语句", "import statements are not allowed")
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> Any:
        self._refuse(node, "不允许定义类", "class definitions are not allowed")
        return node

    def visit_Call(self, node: ast.Call) -> Any:
        if isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS:
            name = node.func.id
            self._refuse(node, f"不允许调用 {name}()", f"calling {name}() is not allowed")
        return super().visit_Call(node)

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        if node.attr in FORBIDDEN_ATTRIBUTES:
            self._refuse(
                node,
                f"不允许使用 .{node.attr}()，请改用 f-string",
                f".{node.attr}() is not allowed; use an f-string instead",
            )
        return super().visit_Attribute(node)

    def visit_Name(self, node: ast.Name) -> Any:
        if self._in_expression and node.id in ("print", "printed"):
            self._refuse(node, "表达式中不能使用 print", "print is not available in an expression")
            return node
        return super().visit_Name(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> Any:
        # ``counts[k] += 1``: RestrictedPython refuses it because it cannot guard the read. It becomes
        # ``_tmpA = _write_(counts); _tmpB = k; _tmpA[_tmpB] = _inplacevar_("+=", _tmpA[_tmpB], 1)``: the
        # write guard still allows dicts and lists only, and the in-place guard bounds the result's size.
        if not isinstance(node.target, ast.Subscript):
            return super().visit_AugAssign(node)
        node = self.node_contents_visit(node)
        target = node.target
        obj, key = self.gen_tmp_name(), self.gen_tmp_name()
        index = target.slice
        if isinstance(index, ast.Slice):
            index = ast.Call(
                func=ast.Name("slice", ast.Load()),
                args=[part or ast.Constant(None) for part in (index.lower, index.upper, index.step)],
                keywords=[],
            )
        op = IOPERATOR_TO_STR[type(node.op)]
        statements: list[ast.stmt] = [
            ast.Assign(targets=[ast.Name(obj, ast.Store())], value=target.value),
            ast.Assign(targets=[ast.Name(key, ast.Store())], value=index),
            ast.Assign(
                targets=[ast.Subscript(ast.Name(obj, ast.Load()), ast.Name(key, ast.Load()), ast.Store())],
                value=_call(
                    "_inplacevar_",
                    ast.Constant(op),
                    ast.Subscript(ast.Name(obj, ast.Load()), ast.Name(key, ast.Load()), ast.Load()),
                    node.value,
                ),
            ),
        ]
        for statement in statements:
            ast.copy_location(statement, node)
            ast.fix_missing_locations(statement)
        return statements

    # Bounds: every loop iteration, function call and lambda call ticks the budget (engine.limits).

    def visit_While(self, node: ast.While) -> Any:
        node = self.node_contents_visit(node)
        node.body.insert(0, _located(ast.Expr(_call("_tick_")), node))
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        node = super().visit_FunctionDef(node)
        node.body.insert(0, _located(ast.Expr(_call("_tick_")), node))
        return node

    def visit_Lambda(self, node: ast.Lambda) -> Any:
        node = super().visit_Lambda(node)
        node.body = _located(ast.BoolOp(ast.Or(), [_call("_tick_"), node.body]), node.body)
        return node

    # Bounds: operators and format specs that can build huge values call the size guards.

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = self.node_contents_visit(node)
        op = _BINARY_SYMBOLS.get(type(node.op))
        if op is None:
            return node
        return _located(_call("_binop_", ast.Constant(op), node.left, node.right), node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        node = self.node_contents_visit(node)
        if node.format_spec is None:
            return node
        value = _call("_format_", node.value, ast.Constant(node.conversion), node.format_spec)
        return _located(ast.FormattedValue(value=value, conversion=-1, format_spec=None), node)


_BINARY_SYMBOLS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Mult: "*",
    ast.Pow: "**",
    ast.LShift: "<<",
    ast.Mod: "%",
}


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(name, ast.Load()), args=list(args), keywords=[])


_Node = TypeVar("_Node", bound=ast.AST)


def _located(new: _Node, old: ast.AST) -> _Node:
    ast.copy_location(new, old)
    ast.fix_missing_locations(new)
    return new


# --------------------------------------------------------------------------------------------------------
# Compiling, with a cache


@dataclass(frozen=True)
class _Compiled:
    code: types.CodeType | None
    problems: tuple[ScriptProblem, ...]
    # (msg, lineno, offset, text) of a plain syntax error, re-raised as a fresh SyntaxError each time
    syntax_error: tuple[str, int | None, int | None, str | None] | None = None


def _normalise(source: str, mode: Mode) -> str:
    # eval() strips leading spaces and tabs from a string; compile() does not.
    return source.lstrip(" \t") if mode == "eval" else source


@functools.lru_cache(maxsize=CACHE_SIZE)
def _compile(source: str, mode: Mode) -> _Compiled:
    text = _normalise(source, mode)
    try:
        tree = ast.parse(text, SCRIPT_FILENAME, mode)
    except SyntaxError as err:
        problem = _problem(err.lineno, f"语法错误：{err.msg}", f"SyntaxError: {err.msg}")
        return _Compiled(None, (problem,), (err.msg, err.lineno, err.offset, err.text))
    except (ValueError, RecursionError, MemoryError) as err:
        problem = _problem(None, f"无法解析：{err}", f"cannot be parsed: {err}")
        return _Compiled(None, (problem,), (str(err), None, None, None))
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    try:
        result = compiler(tree, filename=SCRIPT_FILENAME, policy=JiebangPolicy)
    except (RecursionError, MemoryError) as err:
        problem = _problem(None, f"无法编译：{err}", f"cannot be compiled: {err}")
        return _Compiled(None, (problem,))
    if result.errors:
        problems: list[ScriptProblem] = []
        for message in result.errors:
            en, _sep, zh = message.partition("\x00")
            if zh:
                found = _RP_LINE.match(en)
                line = int(found["line"]) if found and found["line"] != "None" else None
                problems.append(_problem(line, zh, found["info"] if found else en))
            else:
                problems.append(_from_restricted_python(message))
        return _Compiled(None, tuple(dict.fromkeys(problems)))
    return _Compiled(result.code, ())


def _code_or_raise(source: str, mode: Mode) -> types.CodeType:
    if not isinstance(source, str):
        raise TypeError(f"diagram code must be a string, not {type(source).__name__}")
    compiled = _compile(source, mode)
    if compiled.code is not None:
        return compiled.code
    if compiled.syntax_error is not None:
        msg, lineno, offset, text = compiled.syntax_error
        raise SyntaxError(msg, (SCRIPT_FILENAME, lineno, offset, text))
    raise _refusal(compiled.problems)


def _refusal(problems: tuple[ScriptProblem, ...]) -> ScriptRefused:
    lines = [p.line for p in problems if p.line is not None]
    return ScriptRefused(
        "脚本不允许执行：" + "；".join(p.zh for p in problems),
        "Script refused: " + "; ".join(p.en for p in problems),
        details={
            "line": lines[0] if lines else None,
            "problems": [{"line": p.line, "zh": p.zh, "en": p.en} for p in problems],
        },
    )


def script_problems(source: str, mode: Mode = "eval") -> list[ScriptProblem]:
    """Why ``source`` would be refused (syntax errors included), without running anything."""
    if mode not in ("eval", "exec"):
        raise ValueError(f"mode must be 'eval' or 'exec', not {mode!r}")
    if not isinstance(source, str):
        return [_problem(None, "代码必须是字符串", "code must be a string")]
    return list(_compile(source, mode).problems)


def validate_expression(source: str, mode: Mode = "eval") -> list[str]:
    """The compile problems of ``source`` ("zh / en" each); empty when it would be accepted.

    Used at deploy time for every timer expression, condition and script of a diagram.
    """
    return [str(p) for p in script_problems(source, mode)]


# --------------------------------------------------------------------------------------------------------
# Runtime guards and builtins


def _refuse_attribute(name: str) -> ScriptRefused:
    return ScriptRefused(
        f"不允许访问属性 “{name}”",
        f"access to attribute {name!r} is not allowed",
        details={"attribute": name},
    )


def _guarded_getattr(obj: Any, name: str, *default: Any) -> Any:
    """``obj.name`` in diagram code. Missing attributes raise AttributeError as in plain Python."""
    if type(name) is not str:
        raise TypeError("attribute name must be a string")
    if name.startswith("_") or name in INSPECT_ATTRIBUTES or isinstance(obj, types.ModuleType):
        raise _refuse_attribute(name)
    if name in FORBIDDEN_ATTRIBUTES and (
        isinstance(obj, str) or (isinstance(obj, type) and issubclass(obj, str))
    ):
        raise ScriptRefused(
            f"不允许使用 .{name}()，请改用 f-string",
            f".{name}() is not allowed; use an f-string instead",
            details={"attribute": name},
        )
    return bounded_method(obj, name, safer_getattr_raise(obj, name, *default))


def _getitem(obj: Any, key: Any) -> Any:
    return obj[key]


class _NoWrite:
    """What ``_write_`` hands back for anything but a dict or a list: every write fails clearly."""

    __slots__ = ("_target",)

    def __init__(self, target: Any) -> None:
        object.__setattr__(self, "_target", target)

    def _item_error(self) -> TypeError:
        kind = type(object.__getattribute__(self, "_target")).__name__
        return TypeError(f"'{kind}' object does not support item assignment in scripts")

    def __setattr__(self, name: str, value: Any) -> None:
        raise ScriptRefused(
            "脚本不能给属性赋值", "scripts cannot assign attributes", details={"attribute": name}
        )

    def __delattr__(self, name: str) -> None:
        raise ScriptRefused(
            "脚本不能删除属性", "scripts cannot delete attributes", details={"attribute": name}
        )

    def __getitem__(self, key: Any) -> Any:
        raise self._item_error()

    def __setitem__(self, key: Any, value: Any) -> None:
        raise self._item_error()

    def __delitem__(self, key: Any) -> None:
        raise self._item_error()


def _write_guard(obj: Any) -> Any:
    return obj if isinstance(obj, dict | list) else _NoWrite(obj)


_INPLACE_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "<<=": operator.ilshift,
    ">>=": operator.irshift,
    "|=": operator.ior,
    "^=": operator.ixor,
    "&=": operator.iand,
    "@=": operator.imatmul,
}


def _inplacevar(op: str, target: Any, value: Any) -> Any:
    guarded_inplace(op, target, value)
    return _INPLACE_OPERATORS[op](target, value)


def _tick() -> None:
    current_budget().tick()


def _getiter(iterable: Any) -> Any:
    return current_budget().iterate(iterable)


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


class _PrintCollector:
    """``print`` in a script writes to the debug log; ``printed`` gives what was printed so far."""

    def __init__(self, _getattr_: Any = None) -> None:
        self.parts: list[str] = []

    def __call__(self) -> str:
        return "".join(self.parts)

    def _call_print(
        self,
        *objects: Any,
        sep: str | None = " ",
        end: str | None = "\n",
        file: Any = None,
        flush: bool = False,
    ) -> None:
        if file is not None:
            raise ScriptRefused("print 不能写入文件", "print cannot write to a file")
        text = (" " if sep is None else str(sep)).join(str(o) for o in objects) + (
            "\n" if end is None else str(end)
        )
        self.parts.append(text)
        logger.debug("script print: %s", text.rstrip("\n"))


def _namespace_of(module: types.ModuleType) -> types.SimpleNamespace:
    return types.SimpleNamespace(**{k: v for k, v in vars(module).items() if not k.startswith("_")})


#: ``math`` for scripts: its public functions and constants, as a namespace rather than the module; the
#: functions whose result grows with their arguments' values are size-guarded.
_MATH = _namespace_of(_math)
vars(_MATH).update(guarded_math)

_SAFE_NAMES_REMOVED = {
    "__build_class__",  # class definitions are refused
    "_getattr_",  # a guard, provided as a global instead
    "id",
    "setattr",
    "delattr",
    # BaseException subclasses that are not Exceptions escape SpiffWorkflow's error handling
    "BaseException",
    "GeneratorExit",
    "KeyboardInterrupt",
    "SystemExit",
}
_EXTRA_BUILTINS = (
    "all",
    "any",
    "dict",
    "enumerate",
    "filter",
    "frozenset",
    "list",
    "map",
    "max",
    "min",
    "reversed",
    "set",
    "sorted",
    "sum",
    "tuple",
    "zip",
)

#: Everything diagram code can name besides task data and helpers. Task data may shadow these names.
SCRIPT_BUILTINS: Mapping[str, Any] = types.MappingProxyType(
    {
        **{k: v for k, v in safe_builtins.items() if k not in _SAFE_NAMES_REMOVED},
        **{name: getattr(builtins, name) for name in _EXTRA_BUILTINS},
        "date": _datetime.date,
        "datetime": _datetime.datetime,
        "timedelta": _datetime.timedelta,
        "timezone": _datetime.timezone,
        "math": _MATH,
        "range": guarded_range,
        "pow": guarded_pow,
    }
)

#: ``SCRIPT_BUILTINS`` as a plain dict: each environment takes a copy of it (a C copy; copying the read-only
#: proxy goes through the mapping protocol key by key and cost a step more than its engine work, issue 15)
_BUILTINS_DICT: dict[str, Any] = dict(SCRIPT_BUILTINS)

_GUARDS: dict[str, Any] = {
    "_getattr_": _guarded_getattr,
    "_getitem_": _getitem,
    "_getiter_": _getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": _write_guard,
    "_inplacevar_": _inplacevar,
    "_apply_": _apply,
    "_print_": _PrintCollector,
    "_tick_": _tick,
    "_binop_": guarded_binop,
    "_format_": guarded_format,
}


def _visible(key: Any) -> bool:
    """Whether a task-data key is a name diagram code may see (it can never name ``_``-prefixed ones)."""
    return isinstance(key, str) and not key.startswith("_")


def _is_data(value: Any) -> bool:
    """Whether a script's variable is kept in task data (Spiff drops callables; we also drop modules)."""
    return not (callable(value) or isinstance(value, types.ModuleType) or value is _MATH)


# --------------------------------------------------------------------------------------------------------
# Environment and engine


#: The variables of the script task now running (its task data with the script's own assignments so far).
_RUNNING_DATA: ContextVar[Mapping[str, Any] | None] = ContextVar("jiebang_running_script_data", default=None)


#: Inside a called process with declared inputs: the case its callers hold (engine.case_view), under the script.
_CASE_UNDER: ContextVar[Mapping[str, Any] | None] = ContextVar("jiebang_case_under_script", default=None)


def running_script_data() -> Mapping[str, Any]:
    """The case as the running script sees it, read-only: lets a domain helper called from a script task
    (``pay_first_tranche()``) read the policy values and decisions it applies instead of taking twenty
    arguments — inside a called process with declared inputs, the script's variables laid over the case its
    caller holds (engine.case_view), as the pages and checks read it. Empty outside a script."""
    data = _RUNNING_DATA.get()
    if data is None:
        return types.MappingProxyType({})
    under = _CASE_UNDER.get()
    return types.MappingProxyType({**under, **data} if under else dict(data))


class RestrictedEnvironment(TaskDataEnvironment):
    """``TaskDataEnvironment`` semantics, with diagram code compiled and run under the restricted policy.

    ``helpers`` are the project's own functions exposed to diagram code (``self.globals``, as in Spiff).
    """

    def __init__(self, helpers: Mapping[str, Callable[..., Any]] | None = None) -> None:
        helpers = dict(helpers or {})
        for name, func in helpers.items():
            if not (isinstance(name, str) and name.isidentifier()) or name.startswith("_"):
                raise ValueError(f"辅助函数名无效 / invalid helper name: {name!r}")
            if not callable(func):
                raise ValueError(f"辅助函数必须可调用 / helper {name!r} is not callable")
        super().__init__(helpers)
        self._base: dict[str, Any] = {"__builtins__": _BUILTINS_DICT.copy(), **_GUARDS, **helpers}

    def _namespace(
        self, context: Mapping[str, Any], external_context: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        namespace = dict(self._base)
        if external_context:
            namespace.update((k, v) for k, v in external_context.items() if _visible(k))
        namespace.update((k, v) for k, v in context.items() if _visible(k))
        return namespace

    def evaluate(
        self,
        expression: str,
        context: MutableMapping[str, Any],
        external_context: Mapping[str, Any] | None = None,
    ) -> Any:
        code = _code_or_raise(expression, "eval")
        self._prepare_context(context)
        with bounded() as budget:
            budget.tick()
            return eval(code, self._namespace(context, external_context))

    def execute(
        self,
        script: str,
        context: MutableMapping[str, Any],
        external_context: Mapping[str, Any] | None = None,
    ) -> bool:
        external_context = external_context or {}
        self.check_for_overwrite(context, external_context)
        code = _code_or_raise(script, "exec")
        self._prepare_context(context)
        namespace = self._namespace(context, external_context)
        running = _RUNNING_DATA.set(namespace)
        try:
            with bounded() as budget:
                budget.tick()
                exec(code, namespace)
        finally:
            _RUNNING_DATA.reset(running)

        changed = sorted(k for k, f in self.globals.items() if namespace.get(k, _MISSING) is not f)
        if changed:
            names = ", ".join(changed)
            raise ScriptRefused(
                f"脚本给预定义函数的名称赋值或删除了它：{names}；请改用其他变量名",
                f"the script assigns or deletes the name of a predefined function: {names}; "
                "use another variable name",
                details={"names": changed},
            )
        result = {
            k: v
            for k, v in namespace.items()
            if _visible(k) and k not in self._base and k not in external_context and _is_data(v)
        }
        _refuse_unsavable(result, context)
        for key in [k for k in context if _visible(k) and k not in result]:
            del context[key]
        context.update(result)
        return True

    def check_for_overwrite(self, context: Mapping[str, Any], external_context: Mapping[str, Any]) -> None:
        """As in Spiff: task data must not hide a predefined function from a script; refuse clearly."""
        clashes = sorted((set(self.globals) | set(external_context)) & set(context))
        if clashes:
            names = ", ".join(clashes)
            raise ScriptRefused(
                f"任务数据中的变量与预定义函数重名：{names}；请把变量或表单字段改名",
                f"task data has variable(s) named like predefined function(s): {names}; "
                "rename the variable or form field",
                details={"names": clashes},
            )


_MISSING = object()


def _refuse_unsavable(result: dict[str, Any], before: Mapping[str, Any]) -> None:
    """Variables a script set or replaced must be storable in task data (JSON through the serializer); they
    are kept as they will read back (``as_stored``: a tuple as a list)."""
    for key, value in result.items():
        if before.get(key, _MISSING) is value:
            continue
        problem = storage_problem(value)
        if problem is not None:
            raise ScriptRefused(
                f"脚本给变量 “{key}” 赋的值无法保存（{problem}）；任务数据只能保存文字、数字、真假、"
                "日期时间和由它们组成的列表或字典",
                f"the value the script gives variable {key!r} cannot be saved ({problem}); task data can "
                "hold text, numbers, booleans, dates and times, and lists or dicts of them",
                details={"variable": key, "problem": problem},
            )
        result[key] = as_stored(value)


def _describe(err: BaseException) -> str:
    if isinstance(err, JiebangError):
        return str(err)
    return f"{type(err).__name__}: {err}"


class RestrictedScriptEngine(PythonScriptEngine):
    """``PythonScriptEngine`` whose errors keep the readable reason (bilingual for refusals)."""

    environment: RestrictedEnvironment

    def execute(self, task: Any, script: str, external_context: Mapping[str, Any] | None = None) -> Any:
        """Run ``script``; a domain helper it calls inside a called process with declared inputs reads the case
        beneath it (``running_script_data``)."""
        if not declares_inputs(task.workflow.spec):
            return super().execute(task, script, external_context)
        under = _CASE_UNDER.set(case_data(task))
        try:
            return super().execute(task, script, external_context)
        finally:
            _CASE_UNDER.reset(under)

    def evaluate(self, task: Any, expression: str, external_context: Mapping[str, Any] | None = None) -> Any:
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as se:
            se.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as err:
            wte = WorkflowTaskException(
                f"Error evaluating expression '{expression}'", task=task, exception=err
            )
            wte.add_note(_describe(err))
            raise wte from err

    def create_task_exec_exception(self, task: Any, script: str, err: Exception) -> Exception:
        line_number, error_line = self.get_error_line_number_and_content(script, err)
        if isinstance(err, JiebangError) and err.details.get("line"):
            line_number = err.details["line"]
            lines = script.splitlines()
            error_line = lines[line_number - 1] if 0 < line_number <= len(lines) else ""
        if isinstance(err, SpiffWorkflowException):
            err.line_number = line_number
            err.error_line = error_line
            err.add_note(f"Python script error on line {line_number}: '{error_line}'")
            return err
        detail = type(err).__name__
        if isinstance(err, JiebangError):
            detail += ":" + str(err)
        elif err.args:
            detail += ":" + str(err.args[0])
        return WorkflowTaskException(
            detail, task=task, exception=err, line_number=line_number, error_line=error_line
        )


def make_script_engine(helpers: Mapping[str, Callable[..., Any]] | None = None) -> PythonScriptEngine:
    """The engine to attach to every workflow (again after every deserialize)."""
    return RestrictedScriptEngine(environment=RestrictedEnvironment(helpers))
