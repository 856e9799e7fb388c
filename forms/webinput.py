"""Flat HTML form keys → the nested dict ``validate_submission`` takes.

The names are the ones ``render_form`` writes: a top-level field is ``budget``; a field of row ``i`` of a
group is ``members-<i>-name``. Ticked checkboxes send ``on``; an unticked box sends nothing and becomes
``False``. Multiple selects and pickers are read with ``getlist``. Uploaded files never come from the form text: the web
layer stores them and passes their metadata in ``files`` under the same flat names (one dict, or a list of
dicts for a ``multiple`` field).

Keys the form does not know are passed through unchanged so the validator refuses them; ``ignore`` names
keys the web layer owns (the CSRF token).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from forms.definition import FieldDef, FormDefinition

__all__ = ["flat_name", "from_multidict"]

_TRUE = {"on", "true", "1", "yes"}
_FALSE = {"off", "false", "0", "no", ""}
#: Types whose ``multiple`` field repeats its name (a multiple select; a multiple picker, in the order sent).
_MULTI = ("select", "picker")


def flat_name(group: str | None, index: int | str | None, name: str) -> str:
    """The HTML name of a field: ``name`` or ``group-index-name``."""
    return name if group is None else f"{group}-{index}-{name}"


def _getlist(form: Any, key: str) -> list[Any]:
    if hasattr(form, "getlist"):
        return list(form.getlist(key))
    value = form[key]
    return list(value) if isinstance(value, list | tuple) else [value]


def _keys(form: Any) -> list[str]:
    return list(dict.fromkeys(form.keys()))


def _scalar(spec: FieldDef, form: Any, files: Mapping[str, Any], key: str) -> tuple[bool, Any]:
    """(present, value) of one field from the flat input."""
    if spec.type == "file":
        if key not in files:
            return False, [] if spec.multiple else None
        value = files[key]
        if spec.multiple:
            if value is None:
                return False, []
            return True, list(value) if isinstance(value, list | tuple) else [value]
        if isinstance(value, list | tuple):
            return True, list(value) if len(value) != 1 else value[0]
        return value is not None, value
    if key not in form:
        if spec.type == "checkbox":
            return False, False
        if spec.type in _MULTI and spec.multiple:
            return False, []
        return False, None
    values = _getlist(form, key)
    if spec.type in _MULTI and spec.multiple:
        chosen = [v for v in values if not (isinstance(v, str) and v == "")]
        return bool(chosen), chosen
    if len(values) != 1:
        return True, values  # a single-valued field sent twice: let the validator refuse it
    value = values[0]
    if spec.type == "checkbox":
        if isinstance(value, str) and value.strip().lower() in _TRUE:
            return True, True
        if isinstance(value, str) and value.strip().lower() in _FALSE:
            return False, False
        return True, value
    present = not (value is None or (isinstance(value, str) and not value.strip()))
    return present, value


def from_multidict(
    defn: FormDefinition,
    form: Any,
    files: Mapping[str, Any] | None = None,
    *,
    ignore: Iterable[str] = ("csrf_token",),
) -> dict[str, Any]:
    """Turn submitted flat keys (a Werkzeug ``MultiDict`` or any mapping) into the nested dict.

    Group rows are renumbered 0, 1, 2… in the order of their submitted indices (rows removed in the browser
    leave gaps); rows whose inputs are all empty are dropped. Readonly fields are never read.
    """
    files = files or {}
    ignored = set(ignore)
    consumed: set[str] = set()
    out: dict[str, Any] = {}
    for spec in defn.fields:
        if spec.type == "readonly":
            consumed.add(spec.name)
            continue
        if spec.type == "group":
            out[spec.name] = _group_rows(spec, form, files, consumed)
            continue
        _, value = _scalar(spec, form, files, spec.name)
        consumed.add(spec.name)
        out[spec.name] = value
    for key in _keys(form):
        if key in consumed or key in ignored:
            continue
        values = _getlist(form, key)
        out[key] = values[0] if len(values) == 1 else values
    for key in files:
        if key not in consumed and key not in ignored and key not in out:
            out[key] = files[key]
    return out


def _group_rows(
    spec: FieldDef, form: Any, files: Mapping[str, Any], consumed: set[str]
) -> list[dict[str, Any]]:
    pattern = re.compile(rf"{re.escape(spec.name)}-([0-9]{{1,6}})-([A-Za-z][A-Za-z0-9_]*)")
    indices: dict[int, set[str]] = {}
    for key in [*_keys(form), *files.keys()]:
        m = pattern.fullmatch(key)
        if m:
            indices.setdefault(int(m.group(1)), set()).add(m.group(2))
            consumed.add(key)
    rows: list[dict[str, Any]] = []
    for index in sorted(indices):
        row: dict[str, Any] = {}
        any_present = False
        for sub in spec.fields:
            present, value = _scalar(sub, form, files, flat_name(spec.name, index, sub.name))
            any_present = any_present or present
            row[sub.name] = value
        for extra in sorted(indices[index] - {sub.name for sub in spec.fields}):
            key = flat_name(spec.name, index, extra)
            values = _getlist(form, key) if key in form else [files[key]]
            row[extra] = values[0] if len(values) == 1 else values
            any_present = True
        if any_present:
            rows.append(row)
    return rows
