"""The Flask application factory."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from engine.clock import SHANGHAI
from engine.db import default_database_url
from engine.migrate import MIGRATIONS
from web.extensions import db, migrate


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.path.abspath(os.environ.get("JIEBANG_INSTANCE_PATH", "instance")))
    app.config.update(
        SQLALCHEMY_DATABASE_URI=default_database_url(),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        JSON_AS_ASCII=False,
    )
    if config:
        app.config.update(config)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))

    from web.views.home import bp as home_bp

    app.register_blueprint(home_bp)

    @app.template_filter("local")
    def local_time(value: Any) -> str:
        return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else ""

    return app
