"""A readonly field of a deployed form shows a value another form of the bundle chose from a list by that list's
labels: the bureau publishing a list reads 公开 (not ``public``), the acceptance panel reads the user's rating as
满意 (not ``satisfied``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from forms.definition import FieldDef, FormDefinition

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


def _fields(fields: Iterable[FieldDef]) -> Iterator[FieldDef]:
    for spec in fields:
        yield spec
        yield from _fields(spec.fields)


def _bundle() -> list[tuple[str, FieldDef]]:
    return [
        (path.name, spec)
        for path in sorted(BPMN.rglob("*.form.json"))
        for spec in _fields(FormDefinition.load(path.read_text(encoding="utf-8"), filename=path.name).fields)
    ]


def test_a_readonly_copy_of_a_chosen_value_carries_every_label_of_its_list() -> None:
    fields = _bundle()
    lists: dict[str, set[str]] = {}
    for _file, spec in fields:
        if spec.type == "select" and spec.options:
            lists.setdefault(spec.name, set()).update(o.value for o in spec.options)
    assert {"scope", "user_rating"} <= lists.keys()  # the lists the bureau and the panel read again later
    unlabelled = [
        f"{file}: {spec.name} shows {spec.source} without the labels {sorted(wanted - labelled)}"
        for file, spec in fields
        if spec.type == "readonly"
        and (wanted := lists.get(spec.source or ""))
        and wanted - (labelled := {o.value for o in spec.options})
    ]
    assert not unlabelled, "\n".join(unlabelled)
