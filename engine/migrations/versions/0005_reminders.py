"""Reminders before milestone due dates and the end of a project's period

Revision ID: 0005_reminders
Revises: 0004_api
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0005_reminders"
down_revision = "0004_api"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("jurisdiction", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject_zh", sa.Text(), nullable=False),
        sa.Column("subject_en", sa.Text(), nullable=False),
        sa.Column("due_at", engine.db.UTCDateTime(), nullable=False),
        sa.Column("created_at", engine.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder")),
        sa.UniqueConstraint("project", "role", "kind", "due_at", name="uq_reminder_once"),
    )
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_project"), ["project"], unique=False)
        batch_op.create_index("ix_reminder_scope", ["jurisdiction", "role", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_index("ix_reminder_scope")
        batch_op.drop_index(batch_op.f("ix_reminder_project"))
    op.drop_table("reminder")
