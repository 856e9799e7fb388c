"""A form definition made of the given fields, for the forms' unit tests (the id and title are placeholders)."""

from __future__ import annotations

from typing import Any

from forms.definition import FormDefinition

#: a label in both languages
L = {"zh": "标签", "en": "Label"}


def form_of(*fields: dict[str, Any]) -> FormDefinition:
    return FormDefinition.load({"id": "t", "title": L, "fields": list(fields)})
