"""Refresh the English catalogue: extract the Chinese source strings, merge them into ``en/messages.po``
(keeping existing translations, dropping obsolete ones), and compile ``en/messages.mo``.

    .venv/bin/python web/translations/update.py          # after changing texts in templates or views
    .venv/bin/python web/translations/update.py --check  # exit 1 if the catalogue is stale or incomplete

``--check`` compares catalogues by their messages (source string → translation), never by the bytes a
Babel version happens to write, so a newer Babel does not make a current catalogue look stale.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine.diagram_names import extract_bpmn  # noqa: E402  (needs ROOT on the path when run as a script)

PO = HERE / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
METHODS = [
    ("web/*.py", "python"),
    ("web/views/**.py", "python"),
    *((f"web/templates/{folder}", "jinja2") for folder in ("*.html", "auth/**.html", "queue/**.html")),
    *(
        (f"web/templates/{folder}/**.html", "jinja2")
        for folder in (
            "task",
            "instance",
            "portal",
            "tokens",
            "reports",
            "admin",
            "solver",
            "inbox",
            "monitor",
            "dashboard",
            "start",
        )
    ),
    ("web/templates/modeler/**.html", "jinja2"),  # modeler: the form editor and the file list
    # The display names of the diagrams (tasks, processes, lanes…), keyed by their Chinese name.
    ("bpmn/**.bpmn", extract_bpmn),
    ("web/templates/versions/**.html", "jinja2"),
    ("web/templates/monitor/migrate.html", "jinja2"),
    ("web/templates/monitor/_plan.html", "jinja2"),
]
#: Other engineers' areas (monitor, modeler, api) keep their own texts.
SKIP = ("web/views/modeler.py",)
#: ``lazy_gettext`` too: a view's table of labels (``web/views/monitor.py`` STATUS_LABELS) is translated on use
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None}


def extracted() -> list[str]:
    ids: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS, options_map={"**.html": {"extensions": "jinja2.ext.i18n"}}
    ):
        if isinstance(message, tuple):
            message = message[0]
        if message and not any(_filename.endswith(s.removeprefix("web/")) for s in SKIP):
            ids.add(message)
    return sorted(ids)


def messages(catalog: Catalog) -> dict[str, str]:
    """Source string → translation of every message (plural forms joined), without the header entry."""
    found: dict[str, str] = {}
    for message in catalog:
        if not message.id:
            continue
        key = "\x00".join(message.id) if isinstance(message.id, tuple | list) else message.id
        text = message.string
        found[key] = "\x00".join(text) if isinstance(text, tuple | list) else (text or "")
    return found


def problems(wanted: Catalog, po: Path = PO, mo: Path = MO) -> list[str]:
    """Why the committed ``po`` and ``mo`` do not carry exactly the messages of ``wanted`` (empty: current)."""
    expected = messages(wanted)
    found: list[str] = []
    for path, read in ((po, read_po), (mo, read_mo)):
        if not path.exists():
            found.append(f"{path.name} is missing")
            continue
        with path.open("rb") as handle:
            actual = messages(read(handle))
        for msgid in sorted(expected.keys() - actual.keys()):
            found.append(f"{path.name} lacks: {msgid}")
        for msgid in sorted(actual.keys() - expected.keys()):
            found.append(f"{path.name} has an obsolete message: {msgid}")
        for msgid in sorted(k for k in expected.keys() & actual.keys() if expected[k] != actual[k]):
            found.append(f"{path.name} translates differently: {msgid}")
    return found


def main(check: bool = False) -> int:
    old = read_po(PO.open("rb")) if PO.exists() else Catalog(locale="en")
    ids = extracted()
    # Fixed dates: the compiled header does not change with the clock.
    fixed = datetime(2026, 1, 1, tzinfo=UTC)
    catalog = Catalog(locale="en", project="jiebang", fuzzy=False, creation_date=fixed, revision_date=fixed)
    missing = []
    for msgid in ids:
        existing = old.get(msgid)
        text = existing.string if existing is not None else ""
        if not text:
            missing.append(msgid)
        catalog.add(msgid, text)
    if check:
        stale = problems(catalog)
        for line in stale:
            print(line, file=sys.stderr)
        for msgid in missing:
            print(f"untranslated: {msgid}", file=sys.stderr)
        if stale:
            print(
                "web/translations is stale: run .venv/bin/python web/translations/update.py", file=sys.stderr
            )
        return 1 if stale or missing else 0
    po_bytes = BytesIO()
    write_po(po_bytes, catalog, omit_header=True, sort_output=True, no_location=True, width=0)
    mo_bytes = BytesIO()
    write_mo(mo_bytes, catalog)
    PO.parent.mkdir(parents=True, exist_ok=True)
    PO.write_bytes(po_bytes.getvalue())
    MO.write_bytes(mo_bytes.getvalue())
    for msgid in missing:
        print(f"untranslated: {msgid}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(check="--check" in sys.argv))
