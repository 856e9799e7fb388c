"""The names a diagram shows to people (processes, tasks, events, gateways, lanes) and where their English is.

Every such ``name`` in ``bpmn/`` is Chinese only; the English UI shows the English from the one i18n catalogue
(``web/translations/en/LC_MESSAGES/messages.po``), keyed by the Chinese name itself. ``update.py`` extracts
the names with :func:`extract_bpmn` like any ``_()`` text, so ``update.py --check`` fails on a name without
English. A lane's name is its Chinese name followed by its role code, ``科技局 (bureau)``: the code stays (the
task queue reads it, ``engine.lint.role_of_lane``) and only the Chinese part is a display name: pages show
``lane_display``, the diagram viewers ``shown_diagram``. See docs/changing-diagrams.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from babel.support import Translations
from lxml import etree

from engine.lint import ROLE_IN_LANE
from engine.xmlsafe import parse_xml

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
#: BPMN elements whose ``name`` is an identifier the diagrams' scripts and correlations use, not a display name.
IDENTIFIER_ELEMENTS = frozenset(
    {"message", "inputDataItem", "outputDataItem", "dataObject", "dataInput", "dataOutput", "correlationKey"}
    | {"correlationProperty", "signal", "error", "escalation", "itemDefinition", "property", "dataStore"}
)
LATIN = re.compile(r"[A-Za-z]")
TRANSLATIONS = Path(__file__).resolve().parents[1] / "web" / "translations"


@lru_cache(maxsize=1)
def _english() -> Translations:
    return Translations.load(str(TRANSLATIONS), ["en"])


def english_name(name: str) -> str:
    """A display name's English from the catalogue, outside a web request (notifications); the name itself
    when the catalogue has none."""
    return str(_english().gettext(name)) if name else name


def lane_display(lane: str) -> str:
    """``科技局 (bureau)`` → ``科技局``; a lane named by its role code alone stays as it is."""
    return ROLE_IN_LANE.sub("", lane).strip() or lane.strip()


def _shown(element: Any) -> str | None:
    """A diagram element's display name (a lane's without its role code); None when it has none (not a BPMN
    element, an identifier, no name)."""
    if not isinstance(element.tag, str):
        return None
    qname = etree.QName(element)
    name = element.get("name")
    if qname.namespace != BPMN_NS or qname.localname in IDENTIFIER_ELEMENTS or not name or not name.strip():
        return None
    return lane_display(name) if qname.localname == "lane" else name.strip()


def display_names(xml: bytes) -> Iterator[tuple[int, str, str, str]]:
    """(line, element kind, element id, display name) of every display name in one BPMN file."""
    for element in parse_xml(xml).iter():
        shown = _shown(element)
        if shown is not None:
            yield element.sourceline or 0, etree.QName(element).localname, element.get("id") or "", shown


@lru_cache(maxsize=64)
def shown_diagram(xml: bytes, lang: str) -> bytes:
    """A diagram as the viewers draw it for people reading ``lang`` (``zh`` or ``en``): every display name as
    :func:`display_names` gives it — a lane is ``发榜方``, never ``发榜方 (issuer)`` — and in English its English.
    Ids, references and the layout are untouched. Only for viewing: the modeler edits the file itself."""
    tree = parse_xml(xml)
    for element in tree.iter():
        shown = _shown(element)
        if shown is not None:
            element.set("name", english_name(shown) if lang == "en" else shown)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def extract_bpmn(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extraction method: each display name of a diagram is a message to translate."""
    for line, kind, element_id, name in display_names(fileobj.read()):
        yield line, "_", name, [f"{kind} {element_id}"]
