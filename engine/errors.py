"""Errors a user can act on. Each carries a Chinese and an English message and a stable code.

Anything that is not a ``JiebangError`` is a bug: the CLI and the web layer show a generic message for it
and log the traceback.
"""

from __future__ import annotations

from typing import Any


class JiebangError(Exception):
    """A refusal the user can understand and fix. ``code`` is stable (used by the API and tests)."""

    code = "error"
    http_status = 400

    def __init__(self, zh: str, en: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en
        self.details = details or {}

    def message(self, lang: str = "zh") -> str:
        return self.zh if lang.startswith("zh") else self.en

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


class NotFound(JiebangError):
    code = "not_found"
    http_status = 404


class ValidationFailed(JiebangError):
    """Input (form data, JSON, a diagram) is invalid; ``details['fields']`` maps field → messages."""

    code = "validation_failed"
    http_status = 422


class DeploymentRefused(JiebangError):
    """A bundle failed validation; ``details['problems']`` lists {file, line, element, message}."""

    code = "deployment_refused"
    http_status = 422


class Conflict(JiebangError):
    """Someone else changed the instance first, or the task is no longer open."""

    code = "conflict"
    http_status = 409


class Forbidden(JiebangError):
    code = "forbidden"
    http_status = 403


class InvalidState(JiebangError):
    """The operation does not fit the instance's or task's current state (e.g. resume a running one)."""

    code = "invalid_state"
    http_status = 409


class CalendarMissing(JiebangError):
    """A working-day computation needs a year whose holiday schedule is not loaded."""

    code = "calendar_missing"
    http_status = 422


class ScriptRefused(JiebangError):
    """A diagram script or expression tried something the restricted environment forbids."""

    code = "script_refused"
    http_status = 422
