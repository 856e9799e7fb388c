"""Database plumbing shared by every engine module: declarative base, UTC datetimes, sessions.

The engine uses plain SQLAlchemy so that it runs from the CLI, the scheduler and tests without Flask;
the web layer hands the same ``Base`` to Flask-SQLAlchemy (``SQLAlchemy(model_class=Base)``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, func
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

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


#: How long a SQLite writer waits for the write lock before giving up (longer than any bounded step runs).
SQLITE_BUSY_SECONDS = 30
#: How much of a SQLite file is read through memory mapping, and the page cache of each connection (KiB).
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
SQLITE_CACHE_KIB = 16 * 1024


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy own transactions (pysqlite's implicit BEGIN is off) so that _sqlite_begin can take the
    # write lock up front for writers: they queue instead of failing on a stale snapshot (SQLITE_BUSY_SNAPSHOT),
    # while readers keep WAL's non-blocking snapshots.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    sqlite_read_cache(dbapi_connection, _record)


def sqlite_read_cache(dbapi_connection: Any, _record: Any) -> None:
    """A ``connect`` listener of every SQLite engine (the engine's and the web's). SQLite's default page cache
    is 2 MB per connection: a work queue at 10,000 instances reads its ~1,100 candidate task rows from all over
    a table larger than that, and paid a read of the file for most of them (6 ms of SQL for a bureau's page
    instead of under 1 ms; issue 15). The file is mapped into memory (the operating system's cache, shared by
    every connection and process), and each connection caches more of what lies beyond the mapping."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


_WRITE_INTENT: ContextVar[bool] = ContextVar("jiebang_write_intent", default=False)


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _WRITE_INTENT.get() else "BEGIN")


def begin_write(session: Session) -> None:
    """Start the transaction of an operation that will write, reading only fresh data from here on.

    On SQLite this takes the database's write lock first (BEGIN IMMEDIATE), so concurrent writers queue and
    each sees what the previous one committed. A read-only transaction still open in ``session`` is ended
    first; an open write transaction is kept (nested engine calls share it)."""
    if session.in_transaction():
        if session.info.get("jiebang_write"):
            return
        session.commit()
    token = _WRITE_INTENT.set(True)
    try:
        session.connection()
    finally:
        _WRITE_INTENT.reset(token)
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


_engines: dict[str, Engine] = {}


def get_engine(url: str | None = None) -> Engine:
    """One pooled engine per URL and process."""
    url = url or default_database_url()
    if url not in _engines:
        if url.startswith("sqlite"):
            if (path := sqlite_path(url)) is not None:
                private_file(path)  # 0600 before SQLite creates it; its -wal and -shm files copy the mode
            eng = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})
            event.listen(eng, "connect", _sqlite_pragmas)
            event.listen(eng, "begin", _sqlite_begin)
        else:
            eng = create_engine(url)
            ping_when_idle(eng)
        _engines[url] = eng
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
