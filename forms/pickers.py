"""The second half of a picker's validation: whether the chosen codes name records that exist.

``forms.schema`` checks a picker's shape (codes, counts, duplicates); which records exist is the directory's
answer, given as a ``Known`` callable (``engine.pickers.PickerScope.known``), so this module needs no database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from forms import messages as msg
from forms.definition import FieldDef, FormDefinition
from forms.errors import FormInvalid, Message

#: (picker kind, codes) → the codes among them that name a record the picker may choose.
Known = Callable[[str, list[str]], set[str]]
#: (picker kind, code) → why the picker does not offer a record that exists (None: it names no record).
Reason = Callable[[str, str], Message | None]
#: person codes → {code: (name, unit code, unit name)} of those registered.
UnitOf = Callable[[list[str]], Mapping[str, tuple[str, str, str]]]


def codes_of(value: Any) -> list[str]:
    """The codes a picker's value holds (one code, codes joined by ``,``, or a list of codes as sent)."""
    if isinstance(value, list | tuple):
        return [c for v in value for c in codes_of(v)]
    if not isinstance(value, str):
        return []
    return [c.strip() for c in value.split(",") if c.strip()]


def _picks(defn: FormDefinition, cleaned: Mapping[str, Any]) -> Iterator[tuple[str, FieldDef, list[str]]]:
    for spec in defn.fields:
        if spec.type == "picker":
            yield spec.name, spec, codes_of(cleaned.get(spec.name))
        elif spec.type == "group":
            rows = cleaned.get(spec.name) or []
            for i, row in enumerate(rows):
                for sub in spec.fields:
                    if sub.type == "picker" and isinstance(row, Mapping):
                        yield f"{spec.name}.{i}.{sub.name}", sub, codes_of(row.get(sub.name))


def check_picks(
    defn: FormDefinition,
    cleaned: Mapping[str, Any],
    known: Known,
    *,
    lang: str = "zh",
    reason: Reason | None = None,
) -> None:
    """Raise ``FormInvalid`` naming each picker whose codes are not all known (nothing is saved); ``reason``
    says why an existing record is not offered."""
    found = list(_picks(defn, cleaned))
    wanted: dict[str, set[str]] = {}
    for _, spec, codes in found:
        wanted.setdefault(spec.of or "", set()).update(codes)
    exists = {of: known(of, sorted(codes)) if codes else set() for of, codes in wanted.items()}
    errors: dict[str, list[Message]] = {}
    for path, spec, codes in found:
        for code in codes:
            if code not in exists[spec.of or ""]:
                why = reason(spec.of or "", code) if reason is not None else None
                errors.setdefault(path, []).append(why or msg.unknown_code(spec.of or "", code))
    if errors:
        raise FormInvalid(errors, lang=lang)


def _rows(
    defn: FormDefinition, cleaned: Mapping[str, Any]
) -> Iterator[tuple[str, FieldDef, Mapping[str, Any]]]:
    """(error path prefix, field, the mapping holding it and its siblings) of every field."""
    for spec in defn.fields:
        if spec.type == "group":
            for i, row in enumerate(cleaned.get(spec.name) or []):
                if isinstance(row, Mapping):
                    for sub in spec.fields:
                        yield f"{spec.name}.{i}.", sub, row
        else:
            yield "", spec, cleaned


def check_people(
    defn: FormDefinition,
    cleaned: Mapping[str, Any],
    unit_of: UnitOf,
    *,
    always: Iterable[str] = (),
    lang: str = "zh",
) -> None:
    """Raise ``FormInvalid`` beside each ``people_of`` picker that names a person of a unit chosen neither in
    its sibling pickers nor among ``always`` (nothing is saved)."""
    errors: dict[str, list[Message]] = {}
    for prefix, spec, holder in _rows(defn, cleaned):
        if spec.type != "picker" or not spec.people_of:
            continue
        codes = codes_of(holder.get(spec.name))
        if not codes:
            continue
        units = set(always) | {c for name in spec.people_of for c in codes_of(holder.get(name))}
        found = unit_of(codes)
        outside = [found[c] for c in codes if c in found and found[c][1] not in units]
        if outside:
            errors[prefix + spec.name] = [msg.outside_units(outside)]
    if errors:
        raise FormInvalid(errors, lang=lang)
