"""The bureau's decision on a portal objection, for the look-up by receipt number

Revision ID: 0008_objection_outcome
Revises: 0007_sessions_audit
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0008_objection_outcome"
down_revision = "0007_sessions_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("objection", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("decision_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("decided_at", engine.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("objection", schema=None) as batch_op:
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decision_reason")
        batch_op.drop_column("decision")
