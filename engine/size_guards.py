"""Guards that refuse, before it runs, a single operation of diagram code that would build a huge value.

A deadline cannot stop ``'x' * 10**9`` or ``10**10**10``: they run inside one C call. ``engine.scripting``
compiles ``+ * ** << %`` (and their augmented forms), f-string format specs and a few builtins and methods
into calls of these guards, which estimate the size of the result and fail with ``ScriptLimitExceeded``
when it is over the budget's ``size`` (items or characters) or ``int_bits`` limit.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable
from typing import Any

from engine.limits import current_budget

__all__ = [
    "BINARY_OPERATORS",
    "bounded_method",
    "guarded_binop",
    "guarded_format",
    "guarded_math",
    "guarded_pow",
    "guarded_range",
]

_Sequence = (str, bytes, bytearray, list, tuple)

BINARY_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "*": operator.mul,
    "**": operator.pow,
    "<<": operator.lshift,
    "%": operator.mod,
}


def _is_int(value: Any) -> bool:
    return isinstance(value, int)


def _bits(value: int) -> int:
    return abs(value).bit_length()


def _check(op: str, a: Any, b: Any) -> None:
    budget = current_budget()
    if op == "*":
        if isinstance(a, _Sequence) and _is_int(b):
            budget.check_size(len(a) * max(b, 0))
        elif isinstance(b, _Sequence) and _is_int(a):
            budget.check_size(len(b) * max(a, 0))
        elif _is_int(a) and _is_int(b):
            budget.check_int_bits(_bits(a) + _bits(b))
    elif op == "+":
        if isinstance(a, _Sequence) and isinstance(b, _Sequence):
            budget.check_size(len(a) + len(b))
    elif op == "**":
        if _is_int(a) and _is_int(b) and b > 0 and abs(a) > 1:
            budget.check_int_bits(math.ceil(b * math.log2(abs(a))))
    elif op == "<<":
        if _is_int(a) and _is_int(b) and a != 0 and b > 0:
            budget.check_int_bits(_bits(a) + b)
    elif op == "%" and isinstance(a, str | bytes | bytearray):
        _check_printf(a, b)


def guarded_binop(op: str, a: Any, b: Any) -> Any:
    """``a <op> b`` for the operators in ``BINARY_OPERATORS``, refused when the result would be huge."""
    _check(op, a, b)
    return BINARY_OPERATORS[op](a, b)


def guarded_inplace(op: str, a: Any, b: Any) -> None:
    """The check for ``a op= b`` (``op`` like ``"+="``); the caller applies the operator."""
    _check(op[:-1], a, b)


_PRINTF = re.compile(rb"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_printf(fmt: str | bytes | bytearray, args: Any) -> None:
    budget = current_budget()
    raw = fmt.encode("utf-8", "surrogatepass") if isinstance(fmt, str) else bytes(fmt)
    specs = _PRINTF.findall(raw)
    widths = [int(n) for spec in specs for n in spec if n and n != b"*"]
    if any(n == b"*" for spec in specs for n in spec):
        star = [v for v in (args if isinstance(args, tuple) else (args,)) if _is_int(v)]
        widths.extend(abs(v) for v in star)
    if isinstance(args, dict):
        values: Iterable[Any] = args.values()
    elif isinstance(args, tuple):
        values = args
    else:
        values = (args,)
    longest = max((len(v) for v in values if isinstance(v, _Sequence)), default=0)
    budget.check_size(len(fmt) + len(specs) * (max(widths, default=0) + longest))


_FORMAT_SPEC = re.compile(r"^(?:.?[<>=^])?[-+ ]?z?#?0?(\d*)[,_]?(?:\.(\d+))?")


def guarded_format(value: Any, conversion: int, spec: str) -> str:
    """``f"{value!c:spec}"``: the width and precision in ``spec`` are bounded."""
    if conversion == ord("r"):
        value = repr(value)
    elif conversion == ord("s"):
        value = str(value)
    elif conversion == ord("a"):
        value = ascii(value)
    found = _FORMAT_SPEC.match(spec)
    if found:
        current_budget().check_size(max(int(found[1] or 0), int(found[2] or 0)))
    return format(value, spec)


def guarded_range(*args: Any) -> range:
    result = range(*args)
    current_budget().check_size(len(result), builds=False)
    return result


def guarded_pow(base: Any, exp: Any, mod: Any = None) -> Any:
    if mod is None:
        return guarded_binop("**", base, exp)
    return pow(base, exp, mod)


# --------------------------------------------------------------------------------------------------------
# Methods and math functions whose result can be much larger than their inputs


def _pad(method: Callable[..., Any]) -> Callable[..., Any]:
    def padded(width: Any, *args: Any) -> Any:
        if _is_int(width):
            current_budget().check_size(width)
        return method(width, *args)

    return padded


def _expandtabs(obj: Any, method: Callable[..., Any]) -> Callable[..., Any]:
    def expandtabs(tabsize: Any = 8) -> Any:
        if _is_int(tabsize):
            current_budget().check_size(len(obj) * max(tabsize, 1))
        return method(tabsize)

    return expandtabs


def _replace(obj: Any, method: Callable[..., Any]) -> Callable[..., Any]:
    def replace(old: Any, new: Any, count: Any = -1) -> Any:
        if isinstance(old, _Sequence) and isinstance(new, _Sequence) and len(new) > len(old):
            n = obj.count(old) if old else len(obj) + 1
            if _is_int(count) and count >= 0:
                n = min(n, count)
            current_budget().check_size(len(obj) + n * (len(new) - len(old)))
        return method(old, new, count)

    return replace


def _join(obj: Any, method: Callable[..., Any]) -> Callable[..., Any]:
    def join(iterable: Iterable[Any]) -> Any:
        items = list(iterable)
        sizes = sum(len(i) for i in items if isinstance(i, _Sequence))
        current_budget().check_size(sizes + len(obj) * max(len(items) - 1, 0))
        return method(items)

    return join


def _extend(obj: Any, method: Callable[..., Any]) -> Callable[..., Any]:
    def extend(iterable: Iterable[Any]) -> Any:
        if isinstance(iterable, (*_Sequence, dict, set, frozenset)):
            current_budget().check_size(len(obj) + len(iterable))
        return method(iterable)

    return extend


_METHODS: dict[str, Callable[[Any, Callable[..., Any]], Callable[..., Any]]] = {
    "ljust": lambda _obj, m: _pad(m),
    "rjust": lambda _obj, m: _pad(m),
    "center": lambda _obj, m: _pad(m),
    "zfill": lambda _obj, m: _pad(m),
    "expandtabs": _expandtabs,
    "replace": _replace,
    "join": _join,
}


def bounded_method(obj: Any, name: str, method: Any) -> Any:
    """The bound method ``obj.name`` as diagram code gets it: size-checked where it can amplify."""
    if isinstance(obj, str | bytes | bytearray) and name in _METHODS:
        return _METHODS[name](obj, method)
    if isinstance(obj, list) and name == "extend":
        return _extend(obj, method)
    return method


def _factorial(n: Any) -> Any:
    if _is_int(n) and n > 2:
        current_budget().check_int_bits(math.ceil(n * math.log2(n)))
    return math.factorial(n)


def _comb(n: Any, k: Any) -> Any:
    if _is_int(n) and n > 0:
        current_budget().check_int_bits(n)
    return math.comb(n, k)


def _perm(n: Any, k: Any = None) -> Any:
    if _is_int(n) and n > 2:
        count = n if k is None or not _is_int(k) else min(max(k, 0), n)
        current_budget().check_int_bits(math.ceil(count * math.log2(n)))
    return math.perm(n, k)


def _prod(iterable: Iterable[Any], *, start: Any = 1) -> Any:
    items = list(iterable)
    current_budget().check_int_bits(sum(_bits(i) for i in [start, *items] if _is_int(i)))
    return math.prod(items, start=start)


def _lcm(*integers: Any) -> Any:
    current_budget().check_int_bits(sum(_bits(i) for i in integers if _is_int(i)))
    return math.lcm(*integers)


#: Replacements of ``math`` functions whose result size depends on their arguments' values.
guarded_math: dict[str, Callable[..., Any]] = {
    "factorial": _factorial,
    "comb": _comb,
    "perm": _perm,
    "prod": _prod,
    "lcm": _lcm,
}
