"""The start page: staff go to their work queue, everyone else to the public portal."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, send_from_directory, url_for
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


@bp.get("/favicon.ico")
@rule("public")
def favicon() -> Response:
    """The site's icon (a white flag on the header's blue) where browsers look for it without a link."""
    return send_from_directory(
        current_app.static_folder or "static",
        "favicon.ico",
        mimetype="image/vnd.microsoft.icon",
        max_age=86400,
    )


@bp.get("/healthz")
@rule("public")
def healthz() -> dict[str, str]:
    db.session.execute(select(1))
    return {"status": "ok"}
