"""The Alembic migrations build the schema the models declare (tables, columns, indexes), so a database an
operator upgrades with ``jiebang init-db`` behaves as the one the tests and the models expect."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

import engine.models  # noqa: F401  (every table registered on Base.metadata)
from engine.db import Base


def test_the_upgraded_database_has_the_models_schema_including_the_person_username_index(
    migrated_template: str,
) -> None:
    eng = create_engine(migrated_template)
    try:
        with eng.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            indexes = {ix["name"] for ix in conn.dialect.get_indexes(conn, "person")}
    finally:
        eng.dispose()
    assert differences == []
    assert "ix_person_username" in indexes  # the task page and the queue look a person up by user name
