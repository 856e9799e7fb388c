"""Task forms: JSON definitions (see FORMAT.md), server-side validation, HTML rendering.

This package imports nothing else of ours (architecture rule); the engine and the web layer import it.
"""

from __future__ import annotations

from forms.definition import FieldDef, FormDefinition, LocalText, Option, load_builtin
from forms.errors import FormDefinitionError, FormError, FormInvalid, Message
from forms.render import render_form
from forms.schema import build_schema, validate_submission
from forms.webinput import from_multidict

__all__ = [
    "FieldDef",
    "FormDefinition",
    "FormDefinitionError",
    "FormError",
    "FormInvalid",
    "LocalText",
    "Message",
    "Option",
    "build_schema",
    "from_multidict",
    "load_builtin",
    "render_form",
    "validate_submission",
]
