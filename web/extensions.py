"""Flask extensions, created unbound (the app factory binds them)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from engine.db import Base, make_engine


class EngineConfigured(SQLAlchemy):
    """Flask-SQLAlchemy whose engine is made the engine's way (``engine.db.make_engine``): SQLite connections
    with the engine's pragmas (WAL, foreign keys, busy timeout) and its write lock taken up front by
    ``begin_write``; server connections tested only after they sat idle, not on every request as
    ``pool_pre_ping`` would."""

    def _make_engine(self, bind_key: str | None, options: dict[str, Any], app: Flask) -> sa.engine.Engine:
        options = dict(options)
        return make_engine(options.pop("url"), **options)


db = EngineConfigured(model_class=Base)
migrate = Migrate()
