"""The holiday calendar's revision: one row whose token every load or import of a year replaces, so that a
process keeps the calendar it read until another process's import commits (``engine.calendar``).

Revision ID: 0023_calendar_revision
Revises: 0022_application_draft
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0023_calendar_revision"
down_revision = "0022_application_draft"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "calendar_revision",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_revision")),
    )
    # the years already stored are one revision, new to every process
    op.bulk_insert(table, [{"id": 1, "token": uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table("calendar_revision")
