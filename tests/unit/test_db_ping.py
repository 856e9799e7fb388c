"""Pooled server connections are pinged only after they sat idle, so a transaction costs no extra round trip
(a timer sweep checks a connection out for every fired timer), and a dead connection is still replaced."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy.exc import DisconnectionError

from engine.db import PING_AFTER_IDLE_SECONDS, _checked_in, _ping_if_idle


class FakeConnection:
    def __init__(self, alive: bool = True) -> None:
        self.alive = alive
        self.sent: list[str] = []

    def cursor(self) -> Any:
        conn = self

        class Cursor:
            def execute(self, sql: str) -> None:
                if not conn.alive:
                    raise OSError("server closed the connection")
                conn.sent.append(sql)

            def close(self) -> None:
                pass

        return Cursor()

    def rollback(self) -> None:
        self.sent.append("ROLLBACK")


class Record:
    def __init__(self) -> None:
        self.info: dict[str, Any] = {}


def test_a_connection_back_from_a_recent_transaction_is_used_without_a_ping() -> None:
    conn, record = FakeConnection(), Record()
    _checked_in(conn, record)
    _ping_if_idle(conn, record, None)
    assert conn.sent == []


def test_a_new_or_long_idle_connection_is_pinged_and_a_dead_one_replaced() -> None:
    conn, record = FakeConnection(), Record()
    _ping_if_idle(conn, record, None)  # never checked in: a new connection
    assert conn.sent == ["SELECT 1", "ROLLBACK"]
    record.info["jiebang_idle_since"] = time.monotonic() - PING_AFTER_IDLE_SECONDS - 1
    dead = FakeConnection(alive=False)
    with pytest.raises(DisconnectionError):
        _ping_if_idle(dead, record, None)
