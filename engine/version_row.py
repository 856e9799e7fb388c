"""A process version as a change reads it with its instance (``engine.runtime``'s one statement): its columns as
plain values, not an ORM object. Making, identity-mapping and attaching an object cost a step more than the
statement that reads the row (issue 15); a version never changes, and what a change needs of it — its id and
content hash (the keys of the restored specs and parsed forms), its deployment, key and number — are plain
columns. Its stored spec, which only a process that has not restored the version's specs yet needs, is read
when asked for."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeAlias

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models.deployment import ProcessVersion

_TABLE = ProcessVersion.__table__
#: the columns read with an instance: all but the stored spec
COLUMNS = tuple(c for c in _TABLE.columns if c.key != "spec_json")
#: their labels in the statement (an instance's own columns have the same names)
PREFIX = "version_"


class VersionRow:
    """A process version's columns as read with an instance (the same names as ``ProcessVersion``'s)."""

    __slots__ = (*(c.key for c in COLUMNS), "_session")

    id: int
    process_key: str
    version: int
    name: str | None
    deployment_id: int
    bpmn_file: str
    content_hash: str
    used_files: str | None
    serializer_version: str
    created_at: datetime

    def __init__(self, session: Session, row: Mapping[str, Any]) -> None:
        for column in COLUMNS:
            setattr(self, column.key, row[PREFIX + column.key])
        self._session = session

    @property
    def spec_json(self) -> str:
        """The stored spec, read now (``engine.runtime.version_specs`` asks once per version and process)."""
        text = self._session.scalar(select(_TABLE.c.spec_json).where(_TABLE.c.id == self.id))
        assert text is not None, f"process_version {self.id} has no spec"
        return text

    def __repr__(self) -> str:
        return f"<VersionRow {self.process_key} v{self.version} (id {self.id})>"


#: a process version as its readers use it: the ORM object, or its columns read with an instance
Version: TypeAlias = ProcessVersion | VersionRow


def labelled_columns() -> list[Any]:
    """The columns to read a ``VersionRow`` with, labelled as it reads them."""
    return [c.label(PREFIX + c.key) for c in COLUMNS]
