"""Flask extensions, created unbound (the app factory binds them)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from engine.db import Base, get_engine


class EngineSQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy on the engine's own pooled engine for the app's URL (``engine.db.get_engine``): one pool
    per process and one way to connect, for the web's sessions and the engine's alike — SQLite's pragmas and its
    write lock taken up front (``begin_write``), a server connection pinged only after it sat idle (not on every
    request, as ``pool_pre_ping`` would)."""

    def _make_engine(self, bind_key: str | None, options: dict[str, Any], app: Flask) -> sa.engine.Engine:
        url = sa.engine.make_url(options["url"])
        return get_engine(url.render_as_string(hide_password=False))


db = EngineSQLAlchemy(model_class=Base)
migrate = Migrate()
