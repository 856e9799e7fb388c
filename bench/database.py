"""The database a bench measures: a fresh schema on the given URL, the simulated clock set, diagrams deployed;
and a PostgreSQL schema of its own for a bench that needs several databases on one server."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session


def fresh_database(url: str, at: str, diagrams: list[Path]) -> tuple[Engine, Session]:
    """Drop and create the schema at ``url``, set the simulated clock to ``at`` (ISO, with offset), deploy the
    diagrams under ``diagrams``; the engine and an open session on it."""
    import engine.models  # noqa: F401
    from engine.bundle import collect_paths
    from engine.clock import get_clock, parse_aware
    from engine.db import Base, get_engine, session_factory
    from engine.deploy import deploy_bundle

    os.environ["JIEBANG_SIMULATED_CLOCK"] = "1"
    eng = get_engine(url)
    Base.metadata.drop_all(eng)
    Base.metadata.create_all(eng)
    session = session_factory(url)()
    get_clock(session).set(parse_aware(at))
    session.commit()
    deploy_bundle(session, collect_paths(diagrams))
    return eng, session


def schema_url(url: str, name: str) -> tuple[str, str | None]:
    """A PostgreSQL URL gets a schema of its own, ``<name>_<pid>`` (dropped by ``drop_schema``), as its search
    path; SQLite is used as it is."""
    if not url.startswith("postgresql"):
        return url, None
    schema = f"{name}_{os.getpid()}"
    return fresh_schema(url, schema), schema


def fresh_schema(url: str, schema: str) -> str:
    """An empty PostgreSQL schema ``schema`` on the server of ``url`` (dropped first if it exists), and the URL
    that uses it as its search path (the test suite's databases are made the same way)."""
    eng = create_engine(url)
    with eng.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng.dispose()
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def drop_schema(url: str, schema: str | None) -> None:
    """Drop a schema ``schema_url`` made (nothing for SQLite)."""
    if schema is None:
        return
    from engine.db import dispose_engines

    dispose_engines()
    eng = create_engine(url)
    with eng.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    eng.dispose()


class Statements:
    """Counts the SQL statements sent to any engine while it is on (``with counter:``), the write lock's
    ``BEGIN IMMEDIATE`` included; a commit is not a statement."""

    def __init__(self) -> None:
        self.sent = 0
        self.calls = 0

    def _watch(self, *_args: object) -> None:
        self.sent += 1

    def __enter__(self) -> Statements:
        event.listen(Engine, "before_cursor_execute", self._watch)
        self.calls += 1
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(Engine, "before_cursor_execute", self._watch)

    def per_call(self) -> float:
        return self.sent / max(self.calls, 1)
