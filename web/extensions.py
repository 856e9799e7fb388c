"""Flask extensions, created unbound (the app factory binds them)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from engine.db import Base, ping_when_idle, sqlite_read_cache


class PingWhenIdle(SQLAlchemy):
    """Flask-SQLAlchemy whose server connections are tested the engine's way (``engine.db.ping_when_idle``):
    only after they sat idle, not on every request as ``pool_pre_ping`` would (a SQLite file is not pinged)."""

    def _make_engine(self, bind_key: str | None, options: dict[str, Any], app: Flask) -> sa.engine.Engine:
        eng = super()._make_engine(bind_key, options, app)
        if eng.dialect.name != "sqlite":
            ping_when_idle(eng)
        else:
            sa.event.listen(eng, "connect", sqlite_read_cache)
        return eng


db = PingWhenIdle(model_class=Base)
migrate = Migrate()
