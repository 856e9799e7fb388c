"""What a solver entered on a challenge's apply page, kept when the server refuses the submission (an invalid
partner, a missing field…): the values and the metadata of the files already uploaded, stored server-side
(``ApplicationDraft``) like a task's draft, so the page shows them again and the next submission keeps the
files unless new ones are chosen (``web.uploads.collect_files`` reads earlier files only from here, never
from the browser). The draft is removed when the application is sent."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete

from engine.db import begin_write, utcnow
from engine.models.web import ApplicationDraft
from web.extensions import db


def load(business_key: str, username: str) -> dict[str, Any]:
    """The values kept for ``username``'s application to ``business_key`` ({} when none)."""
    draft = db.session.get(ApplicationDraft, (business_key, username))
    if draft is None:
        return {}
    values = json.loads(draft.data_json)
    return values if isinstance(values, dict) else {}


def save(business_key: str, username: str, values: dict[str, Any]) -> None:
    """Keep ``values`` (after the refused attempt was rolled back) in a transaction of its own."""
    db.session.rollback()
    begin_write(db.session())
    text = json.dumps(values, ensure_ascii=False, default=str)
    draft = db.session.get(ApplicationDraft, (business_key, username))
    if draft is None:
        db.session.add(ApplicationDraft(business_key=business_key, username=username, data_json=text))
    else:
        draft.data_json = text
        draft.updated_at = utcnow()
    db.session.commit()


def clear(business_key: str, username: str) -> None:
    """Remove the kept values (in the caller's transaction): the application was sent."""
    db.session.execute(
        delete(ApplicationDraft).where(
            ApplicationDraft.business_key == business_key, ApplicationDraft.username == username
        )
    )
