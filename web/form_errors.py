"""Field errors of an engine refusal in the page's language, to show beside each field, and the page a
refused form change shows again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.errors import JiebangError
from web.extensions import db
from web.i18n import current_lang


def field_errors(exc: JiebangError, field: str) -> dict[str, list[str]]:
    """``details['fields']`` (Chinese) or ``fields_en``; a refusal without them goes beside ``field``."""
    lang = current_lang()
    fields = exc.details.get("fields" if lang == "zh" else "fields_en")
    return dict(fields) if fields else {field: [exc.message(lang)]}


def form_refused(
    exc: JiebangError,
    page: Callable[..., tuple[str, int]],
    field: str,
    *,
    passes: tuple[int, ...] = (403, 404),
    **page_args: Any,
) -> tuple[str, int]:
    """A change made from a form was refused: roll it back. A refusal of access or of a record that is not
    there (``passes``) goes on to the error page; any other shows ``page`` again with status 422, the input
    kept (``page_args``) and each problem beside its field (beside ``field`` when it names none)."""
    db.session.rollback()
    if exc.http_status in passes:
        raise exc
    return page(422, errors=field_errors(exc, field), **page_args)
