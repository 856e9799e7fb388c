"""The English catalogue covers every Chinese source string and its compiled .mo carries the .po's messages.

Catalogues are compared by their messages, not by the bytes one Babel version writes."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

UPDATE = Path(__file__).resolve().parents[2] / "web" / "translations" / "update.py"


def _update() -> ModuleType:
    spec = importlib.util.spec_from_file_location("jb_translations_update", UPDATE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _committed(module: ModuleType) -> Catalog:
    with module.PO.open("rb") as handle:
        return read_po(handle)


def _copy(catalog: Catalog, **header: str) -> Catalog:
    """The same messages in a catalogue whose header (and so whose bytes) differ, as another Babel writes."""
    when = datetime(2030, 5, 6, 7, 8, tzinfo=UTC)
    other = Catalog(
        locale="en", project=header.get("project", "other"), creation_date=when, revision_date=when
    )
    for message in catalog:
        if message.id:
            other.add(message.id, message.string, flags=message.flags)
    return other


def _write(tmp_path: Path, po_catalog: Catalog, mo_catalog: Catalog) -> tuple[Path, Path]:
    po, mo = tmp_path / "messages.po", tmp_path / "messages.mo"
    with po.open("wb") as handle:
        write_po(handle, po_catalog, width=76, sort_output=False)
    with mo.open("wb") as handle:
        write_mo(handle, mo_catalog)
    return po, mo


def test_catalogue_is_complete_and_compiled() -> None:
    assert _update().main(check=True) == 0, "run: .venv/bin/python web/translations/update.py"


def test_other_bytes_with_the_same_messages_are_current(tmp_path: Path) -> None:
    module = _update()
    committed = _committed(module)
    po, mo = _write(tmp_path, _copy(committed, project="babel-next"), _copy(committed))
    assert po.read_bytes() != module.PO.read_bytes() and mo.read_bytes() != module.MO.read_bytes()
    assert module.problems(committed, po, mo) == []


def test_a_changed_missing_or_obsolete_message_is_reported(tmp_path: Path) -> None:
    module = _update()
    committed = _committed(module)
    first, second, *_ = (m.id for m in committed if m.id and isinstance(m.id, str))
    changed = _copy(committed)
    changed[first].string = "something else"
    po, mo = _write(tmp_path, committed, changed)
    assert module.problems(committed, po, mo) == [f"messages.mo translates differently: {first}"]

    fewer = _copy(committed)
    del fewer[second]
    fewer.add("已删除的文字", "Removed text")
    po, mo = _write(tmp_path, fewer, committed)
    assert module.problems(committed, po, mo) == [
        f"messages.po lacks: {second}",
        "messages.po has an obsolete message: 已删除的文字",
    ]
