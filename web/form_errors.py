"""Field errors of an engine refusal in the page's language, to show beside each field."""

from __future__ import annotations

from engine.errors import JiebangError
from web.i18n import current_lang


def field_errors(exc: JiebangError, field: str) -> dict[str, list[str]]:
    """``details['fields']`` (Chinese) or ``fields_en``; a refusal without them goes beside ``field``."""
    lang = current_lang()
    fields = exc.details.get("fields" if lang == "zh" else "fields_en")
    return dict(fields) if fields else {field: [exc.message(lang)]}
