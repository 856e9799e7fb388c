"""The shipped forms as their readers meet them: a readonly field shows a value another form of the bundle chose
from a list by that list's labels (the bureau publishing a list reads 公开, not ``public``; the acceptance panel
reads the user's rating as 满意, not ``satisfied``), and a field whose label names one jurisdiction's rule is shown
in that jurisdiction only (a Karamay clerk reviewing an extension is not asked for Urumqi's audit report)."""

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


PLACES = {"乌鲁木齐": "urumqi", "大足": "dazu", "克拉玛依": "karamay", "张掖": "zhangye"}


def test_a_field_labelled_with_one_jurisdictions_rule_is_shown_there_only() -> None:
    fields = _bundle()
    assert any(spec.name == "audit_report" and spec.jurisdictions == ("urumqi",) for _f, spec in fields)
    elsewhere = [
        f"{file}: {spec.name} ({spec.label.get('zh')}) is shown in every jurisdiction"
        for file, spec in fields
        if (named := {code for place, code in PLACES.items() if place in spec.label.get("zh")})
        and not (spec.jurisdictions and set(spec.jurisdictions) <= named)
    ]
    assert not elsewhere, "\n".join(elsewhere)
