"""Where the current request or command comes from, for the audit trail (engine.audit stamps it on every
event). Plain Python, so that the command line can set it before anything heavy is imported."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_CLIENT: ContextVar[str | None] = ContextVar("jiebang_audit_client", default=None)


def set_client(client: str | None) -> None:
    """Where the current request or command comes from (``web:<hash>``, ``cli:<os user>``)."""
    _CLIENT.set(client)


@contextmanager
def client(value: str | None) -> Iterator[None]:
    token = _CLIENT.set(value)
    try:
        yield
    finally:
        _CLIENT.reset(token)


def cli_client() -> str:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no login name in a bare container
        name = "unknown"
    return f"cli:{name}"[:100]


def current_client() -> str | None:
    return _CLIENT.get()
