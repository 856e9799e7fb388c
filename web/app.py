"""The Flask application factory."""

from __future__ import annotations

import importlib
import os
import pkgutil
from typing import Any

from flask import Blueprint, Flask

from engine.clock import SHANGHAI
from engine.db import default_database_url
from engine.migrate import MIGRATIONS
from web.extensions import db, migrate


def register_blueprints(app: Flask) -> None:
    """Every module in web.views (and web.api, when present) that defines a Blueprint named ``bp`` is
    registered, so that features are added without editing this file."""
    for package_name in ("web.views", "web.api"):
        try:
            package = importlib.import_module(package_name)
        except ModuleNotFoundError:
            continue
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            module = importlib.import_module(f"{package_name}.{info.name}")
            blueprint = getattr(module, "bp", None)
            if isinstance(blueprint, Blueprint):
                app.register_blueprint(blueprint)


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

    register_blueprints(app)

    @app.template_filter("local")
    def local_time(value: Any) -> str:
        return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else ""

    return app
