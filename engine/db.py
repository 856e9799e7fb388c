"""Database plumbing shared by every engine module: declarative base, UTC datetimes, sessions.

The engine uses plain SQLAlchemy so that it runs from the CLI, the scheduler and tests without Flask;
the web layer hands the same ``Base`` to Flask-SQLAlchemy (``SQLAlchemy(model_class=Base)``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import URL, DateTime, Engine, MetaData, create_engine, event, func, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from engine import sqlite
from engine.private import instance_folder, private_dir, private_file, sqlite_path

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetime stored as naive UTC (SQLite has no time zones); always returns aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a time zone first")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def default_database_url() -> str:
    """``JIEBANG_DATABASE_URL``, or a SQLite file in the instance folder (``JIEBANG_INSTANCE_PATH`` or ./instance)."""
    url = os.environ.get("JIEBANG_DATABASE_URL")
    if url:
        return url
    folder = private_dir(instance_folder())
    return f"sqlite:///{folder / 'jiebang.sqlite3'}"


def begin_write(session: Session) -> None:
    """Start the transaction of an operation that will write, reading only fresh data from here on.

    On SQLite this takes the database's write lock first (BEGIN IMMEDIATE), so concurrent writers queue and
    each sees what the previous one committed. A read-only transaction still open in ``session`` is ended
    first; an open write transaction is kept (nested engine calls share it)."""
    if session.in_transaction():
        if session.info.get("jiebang_write"):
            return
        session.commit()
    with sqlite.write_intent():
        session.connection()
    session.info["jiebang_write"] = True


@event.listens_for(Session, "after_transaction_end")
def _write_ended(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop("jiebang_write", None)


#: A pooled server connection unused for longer than this is tested before use (the server may have closed it).
PING_AFTER_IDLE_SECONDS = 10.0


def _checked_in(_dbapi_connection: Any, record: Any) -> None:
    record.info["jiebang_idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Pessimistic disconnect handling without a round trip per transaction: a connection back in the pool
    for less than ``PING_AFTER_IDLE_SECONDS`` is used as it is (a timer sweep checks one out per fired
    timer); an older one is pinged, and a dead one is replaced by the pool (``DisconnectionError``)."""
    since = record.info.get("jiebang_idle_since")
    if since is not None and time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()
    except Exception as exc:  # any failure of the ping means the connection is unusable
        raise DisconnectionError() from exc


def ping_when_idle(eng: Engine) -> None:
    """The one way a pooled server connection is tested before use, for the engine's sessions and the web's
    alike (``pool_pre_ping`` would ping on every checkout: one round trip more per request or transaction)."""
    event.listen(eng, "checkout", _ping_if_idle)
    event.listen(eng, "checkin", _checked_in)


def make_engine(url: str | URL, **options: Any) -> Engine:
    """The one way an engine is made, for the engine's sessions and the web's alike (``web.extensions``): a SQLite
    file private to the service user, with ``engine.sqlite``'s configuration; a server's connections pinged
    only after they sat idle."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if (path := sqlite_path(parsed.render_as_string(hide_password=False))) is not None:
            private_file(path)  # 0600 before SQLite creates it; its -wal and -shm files copy the mode
        options["connect_args"] = sqlite.connect_args(options.get("connect_args"))
        eng = create_engine(parsed, **options)
        sqlite.configure(eng)
    else:
        eng = create_engine(parsed, **options)
        ping_when_idle(eng)
    return eng


_engines: dict[str, Engine] = {}


def get_engine(url: str | None = None) -> Engine:
    """One pooled engine per URL and process."""
    url = url or default_database_url()
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def dispose_engines() -> None:
    for eng in _engines.values():
        eng.dispose()
    _engines.clear()


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any exception."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def utcnow() -> datetime:
    """Wall-clock UTC now. Domain code must use ``engine.clock`` instead; this is for audit columns only."""
    return datetime.now(UTC)


def contains_text(column: Any, text: str) -> Any:
    """A case-insensitive "contains" condition on ``column`` (LIKE with ``%``, ``_`` and ``\\`` escaped)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")
