"""Shared fixtures. Set JIEBANG_TEST_DATABASE_URL to run the suite against PostgreSQL."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import click.testing
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

import engine.models  # noqa: F401  (registers every table)
from bench.database import fresh_schema
from engine.db import Base

PG_URL = os.environ.get("JIEBANG_TEST_DATABASE_URL", "")


def _worker(request: pytest.FixtureRequest) -> str:
    return str(getattr(request.config, "workerinput", {}).get("workerid", "main"))


def _pg_schema_url(schema: str) -> str:
    """The test database with its own schema (search_path), so that parallel workers never collide."""
    return fresh_schema(PG_URL, schema)


def _drop_schema(schema: str) -> None:
    from engine.db import dispose_engines

    dispose_engines()
    eng = create_engine(PG_URL)
    with eng.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    eng.dispose()


@pytest.fixture(scope="session")
def migrated_template(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """One database per test session, upgraded with the real Alembic migrations."""
    from engine.migrate import upgrade

    if PG_URL:
        # one schema per test process, so that concurrent runs on one database never see each other's data
        schema = f"jb_test_{_worker(request)}_{os.getpid()}"
        url = _pg_schema_url(schema)
        request.addfinalizer(lambda: _drop_schema(schema))
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'template.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture
def db_url(migrated_template: str, tmp_path: Path) -> str:
    """URL of an empty, fully migrated database for one test."""
    if PG_URL:
        eng = create_engine(migrated_template)
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with eng.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        eng.dispose()
        return migrated_template
    target = tmp_path / "test.sqlite3"
    shutil.copyfile(migrated_template.removeprefix("sqlite:///"), target)
    return f"sqlite:///{target}"


@pytest.fixture
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of a database with no tables at all (for `jiebang init-db`)."""
    if PG_URL:
        return _pg_schema_url(f"jb_empty_{_worker(request)}_{os.getpid()}")
    return f"sqlite:///{tmp_path / 'empty.sqlite3'}"


@pytest.fixture
def db_engine(db_url: str) -> Iterator[Engine]:
    from engine.db import dispose_engines, get_engine
    from engine.kept_workflows import kept_workflows

    kept_workflows.clear()  # another test's database may have had instances with the same ids
    yield get_engine(db_url)
    dispose_engines()


@pytest.fixture
def db_session(db_engine: Engine) -> Iterator[Session]:
    session = sessionmaker(bind=db_engine, expire_on_commit=False)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


FIXTURES = Path(__file__).parent / "fixtures"
MIWG = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "miwg"


@pytest.fixture
def sim(monkeypatch: pytest.MonkeyPatch, db_session: Session):  # type: ignore[no-untyped-def]
    """The simulated clock, set by tests with ``sim.set(...)`` / ``sim.advance(...)``."""
    from engine.clock import get_clock

    monkeypatch.setenv("JIEBANG_SIMULATED_CLOCK", "1")
    clock = get_clock(db_session)

    class Sim:
        def set(self, iso: str) -> None:
            from engine.clock import parse_aware

            clock.set(parse_aware(iso))
            db_session.commit()

        def advance(self, duration: str) -> None:
            clock.advance(duration)
            db_session.commit()

        def now(self):  # type: ignore[no-untyped-def]
            return clock.now()

    return Sim()


@pytest.fixture
def calendar_loaded(db_session: Session) -> None:
    from engine.calendar import seed_from_chinesecalendar

    seed_from_chinesecalendar(db_session)
    db_session.commit()


@pytest.fixture
def deploy(db_session: Session):  # type: ignore[no-untyped-def]
    """deploy("basic") deploys a folder under tests/fixtures and returns the DeployResult."""
    from engine.bundle import collect_paths
    from engine.deploy import deploy_bundle

    def _deploy(*names: str):  # type: ignore[no-untyped-def]
        return deploy_bundle(db_session, collect_paths([FIXTURES / n for n in names]), deployed_by="tester")

    return _deploy


@pytest.fixture
def people(db_session: Session) -> dict[str, str]:
    """Users for the common roles, all in the 'urumqi' jurisdiction, plus an admin for every jurisdiction."""
    from engine.users import add_user

    add_user(db_session, "issuer1", roles=["issuer"], jurisdiction="urumqi")
    add_user(db_session, "bureau1", roles=["bureau"], jurisdiction="urumqi")
    add_user(db_session, "bureau_dazu", roles=["bureau"], jurisdiction="dazu")
    add_user(db_session, "solver1", roles=["solver"], jurisdiction="urumqi")
    add_user(db_session, "admin", roles=["admin"])
    return {
        "issuer": "issuer1",
        "bureau": "bureau1",
        "other_bureau": "bureau_dazu",
        "solver": "solver1",
        "admin": "admin",
    }


@pytest.fixture
def jiebang(db_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run `jiebang …` in-process on the test database; returns (exit code, stdout, stderr)."""
    import web.cli  # noqa: F401  (registers demo and serve on the same command group)
    from engine.cli import main

    monkeypatch.setenv("JIEBANG_DATABASE_URL", db_url)

    def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        code = 0
        with click.testing.CliRunner().isolation(input=stdin) as (out, err, _):
            try:
                main(list(args))
            except SystemExit as exc:
                code = int(exc.code or 0)
            return code, out.getvalue().decode(), err.getvalue().decode()

    return run
