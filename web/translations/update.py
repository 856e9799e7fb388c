"""Refresh the English catalogue: extract the Chinese source strings, merge them into ``en/messages.po``
(keeping existing translations, dropping obsolete ones), and compile ``en/messages.mo``.

    .venv/bin/python web/translations/update.py          # after changing texts in templates or views
    .venv/bin/python web/translations/update.py --check  # exit 1 if the catalogue is stale or incomplete
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PO = HERE / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
METHODS = [
    ("web/*.py", "python"),
    ("web/views/**.py", "python"),
    *((f"web/templates/{folder}", "jinja2") for folder in ("*.html", "auth/**.html", "queue/**.html")),
    *(
        (f"web/templates/{folder}/**.html", "jinja2")
        for folder in ("task", "instance", "portal", "tokens", "reports", "admin")
    ),
]
#: Other engineers' areas (monitor, modeler, api) keep their own texts.
SKIP = ("web/views/monitor.py", "web/views/modeler.py")


def extracted() -> list[str]:
    ids: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, options_map={"**.html": {"extensions": "jinja2.ext.i18n"}}
    ):
        if isinstance(message, tuple):
            message = message[0]
        if message and not any(_filename.endswith(s.removeprefix("web/")) for s in SKIP):
            ids.add(message)
    return sorted(ids)


def main(check: bool = False) -> int:
    old = read_po(PO.open("rb")) if PO.exists() else Catalog(locale="en")
    ids = extracted()
    # Fixed dates: the compiled header must not change with the clock, or --check would never pass.
    fixed = datetime(2026, 1, 1, tzinfo=UTC)
    catalog = Catalog(locale="en", project="jiebang", fuzzy=False, creation_date=fixed, revision_date=fixed)
    missing = []
    for msgid in ids:
        existing = old.get(msgid)
        text = existing.string if existing is not None else ""
        if not text:
            missing.append(msgid)
        catalog.add(msgid, text)
    po_bytes = BytesIO()
    write_po(po_bytes, catalog, omit_header=True, sort_output=True, no_location=True, width=0)
    mo_bytes = BytesIO()
    write_mo(mo_bytes, catalog)
    if check:
        stale = not PO.exists() or PO.read_bytes() != po_bytes.getvalue()
        stale = stale or not MO.exists() or MO.read_bytes() != mo_bytes.getvalue()
        for msgid in missing:
            print(f"untranslated: {msgid}", file=sys.stderr)
        if stale:
            print(
                "web/translations is stale: run .venv/bin/python web/translations/update.py", file=sys.stderr
            )
        return 1 if stale or missing else 0
    PO.parent.mkdir(parents=True, exist_ok=True)
    PO.write_bytes(po_bytes.getvalue())
    MO.write_bytes(mo_bytes.getvalue())
    for msgid in missing:
        print(f"untranslated: {msgid}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(check="--check" in sys.argv))
