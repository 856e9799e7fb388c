"""An instance's stored failure, as a person reads it: the message is stored as the engine raised it (a
``JiebangError`` reads ``zh / en``, SpiffWorkflow puts the exception's class before it), the place as
``name (element id)``. Pages show the half of the reader's language without the class, and the element's name."""

from __future__ import annotations

import re

_BILINGUAL = re.compile(
    r"^(?:[A-Z][A-Za-z0-9_]*:\s*)?(?P<zh>.*?[\u4e00-\u9fff].*?) / (?P<en>[A-Z].*?)\.*\s*$", re.S
)
_PLACE = re.compile(r"^(?P<name>.*?)\s*\((?P<id>[^()]+)\)$")


def failure_message(message: str | None, lang: str) -> str:
    """The message in ``lang`` when it was stored in both languages; else as stored (a diagram's own error)."""
    if not message:
        return ""
    found = _BILINGUAL.match(message)
    if found is None:
        return message
    return found["zh"] if lang.startswith("zh") else found["en"] + "."


def failure_place(where: str | None) -> str:
    """The failing element's name (its id only when it has no name)."""
    if not where:
        return ""
    found = _PLACE.match(where)
    if found is None:
        return where
    return found["name"] or found["id"]
