"""What a change of an instance reads with the instance's listing row, in the same round trip (issue 15): which
index rows the instance has and the ids of its open task rows (``engine.indexes``), the simulated clock's
instant (``engine.clock``) and the holiday calendar's revision (``engine.calendar``) — each of them a statement
of its own in every step otherwise."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from engine import indexes
from engine.calendar import REVISION, remember_revision, revision_column
from engine.clock import INSTANT, instant_column, remember_instant


def columns(instance_id: Any) -> list[Any]:
    """The columns to read with the listing row of the instance whose id is ``instance_id`` (a column)."""
    return [*indexes.presence_columns(instance_id), instant_column(), revision_column()]


def take(session: Session, row: Mapping[str, Any]) -> indexes.Presence:
    """Keep the clock's instant and the calendar's revision for the rest of the transaction; return which
    index rows the instance has."""
    remember_instant(session, row[INSTANT])
    remember_revision(session, row[REVISION])
    return indexes.presence(row)
