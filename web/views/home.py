"""The start page: staff go to their work queue, everyone else to the public portal."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from web.access import rule
from web.extensions import db

bp = Blueprint("home", __name__)


@bp.get("/")
@rule("public")
def index() -> Response:
    if current_user.is_authenticated:
        return redirect(url_for("queue.index"))
    return redirect(url_for("portal.index"))


@bp.get("/healthz")
@rule("public")
def healthz() -> dict[str, str]:
    db.session.execute(select(1))
    return {"status": "ok"}
