"""Schema migrations (Alembic). ``jiebang init-db`` upgrades to the newest revision and seeds reference data."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from engine.private import private_file, sqlite_path

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    cfg = Config(str(MIGRATIONS / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = url
    return cfg


def upgrade(url: str) -> None:
    if (path := sqlite_path(url)) is not None:
        private_file(path)  # created 0600 in a 0700 folder (engine.private)
    command.upgrade(alembic_config(url), "head")
