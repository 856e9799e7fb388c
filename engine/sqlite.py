"""How every SQLite connection of Jiebang is set up: the engine's sessions, the CLI's, the scheduler's and the
web's (Flask-SQLAlchemy) alike (``engine.db.make_engine`` applies it to each SQLite engine it makes).

- WAL journal: readers never block the writer, nor the writer them.
- ``foreign_keys=ON``: a write that would leave an orphan row is refused, as PostgreSQL refuses it.
- ``busy_timeout``: a writer waits up to ``SQLITE_BUSY_SECONDS`` for the write lock (longer than any bounded
  step runs) instead of failing at once.
- ``synchronous=FULL`` (SQLite's default, kept): a committed transaction survives a power cut.
- ``mmap_size`` and ``cache_size``: a page of the work queue reads its rows from memory (``SQLITE_MMAP_BYTES``).
- SQLAlchemy owns transactions (pysqlite's implicit BEGIN is off). A transaction opened by ``begin_write``
  takes the write lock up front (``BEGIN IMMEDIATE``), so concurrent writers queue and each sees what the
  previous one committed; any other transaction is a reader (``BEGIN``) on a non-blocking snapshot.

A reader's transaction must not write: SQLite cannot turn it into a writer while another connection holds the
write lock (it answers SQLITE_BUSY at once, ignoring busy_timeout, or SQLITE_BUSY_SNAPSHOT when its snapshot
is stale), so under load such a write fails with "database is locked". ``_check_write`` catches a write in a
transaction that has already read: it raises ``ReadThenWrite`` when ``JIEBANG_SQLITE_WRITE_CHECK=raise`` (the
test suite) and logs a warning otherwise, so that every writing path opens its transaction with
``begin_write``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

#: How long a SQLite writer waits for the write lock before giving up (longer than any bounded step runs).
SQLITE_BUSY_SECONDS = 30

#: How much of the file is read through memory mapping, and each connection's page cache (KiB). SQLite's
#: default cache is 2 MB per connection: a work queue at 10,000 instances reads its ~1,100 candidate task rows
#: from all over a table larger than that, and paid a read of the file for most of them (6 ms of SQL for a
#: bureau's page instead of under 1 ms; issue 15). The mapping is the operating system's cache, shared by every
#: connection and process.
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
SQLITE_CACHE_KIB = 16 * 1024

#: The pragmas every connection runs when it opens, in this order.
PRAGMAS = (
    ("journal_mode", "WAL"),
    ("busy_timeout", str(SQLITE_BUSY_SECONDS * 1000)),
    ("foreign_keys", "ON"),
    ("synchronous", "FULL"),
    ("mmap_size", str(SQLITE_MMAP_BYTES)),
    ("cache_size", str(-SQLITE_CACHE_KIB)),
)

#: ``raise``: a write in a transaction that has read raises ``ReadThenWrite``; anything else: a warning.
WRITE_CHECK_ENV = "JIEBANG_SQLITE_WRITE_CHECK"

_WRITE_INTENT: ContextVar[bool] = ContextVar("jiebang_write_intent", default=False)

_WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE"})
_READS = frozenset({"SELECT", "WITH"})
#: ``connection.info`` key: ``fresh`` (a reader's transaction before its first statement), ``read`` (it has
#: read), ``write`` (it holds the write lock); absent outside a transaction.
_STATE = "jiebang_sqlite_tx"


class ReadThenWrite(RuntimeError):
    """A statement would write in a transaction that has read without the write lock (see the module)."""


def connect_args(options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pysqlite's arguments: its own busy timeout the same as the pragma's (it applies while connecting)."""
    return {**(options or {}), "timeout": SQLITE_BUSY_SECONDS}


def configure(eng: Engine) -> None:
    """Give a SQLite engine the one configuration (the module's docstring)."""
    event.listen(eng, "connect", _pragmas)
    event.listen(eng, "begin", _begin)
    event.listen(eng, "before_cursor_execute", _check_write)
    event.listen(eng, "commit", _ended)
    event.listen(eng, "rollback", _ended)


@contextmanager
def write_intent() -> Iterator[None]:
    """Transactions begun inside this block take the write lock up front (``engine.db.begin_write``)."""
    token = _WRITE_INTENT.set(True)
    try:
        yield
    finally:
        _WRITE_INTENT.reset(token)


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's begin event issues BEGIN (_begin)
    cursor = dbapi_connection.cursor()
    try:
        for name, value in PRAGMAS:
            cursor.execute(f"PRAGMA {name}={value}")
    finally:
        cursor.close()


def _begin(conn: Any) -> None:
    writer = _WRITE_INTENT.get()
    conn.info[_STATE] = "write" if writer else "fresh"
    conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


def _ended(conn: Any) -> None:
    conn.info.pop(_STATE, None)


def _verb(statement: str) -> str:
    words = statement.lstrip(" \t\r\n(").split(None, 1)
    return words[0].upper() if words else ""


def _check_write(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    state = conn.info.get(_STATE)
    if state is None or state == "write":
        return
    verb = _verb(statement)
    if verb in _WRITES:
        conn.info[_STATE] = "write"  # a first statement that writes waits for the lock (busy_timeout)
        if state == "read":
            _read_then_write(statement)
    elif verb in _READS:
        conn.info[_STATE] = "read"


def _read_then_write(statement: str) -> None:
    text = " ".join(statement.split())[:200]
    if os.environ.get(WRITE_CHECK_ENV, "").strip().lower() == "raise":
        raise ReadThenWrite(f"a write in a transaction that has read, without begin_write first: {text}")
    log.warning("SQLite write in a transaction that has read, without begin_write first: %s", text)
