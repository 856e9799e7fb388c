"""The portal's read model: notices and challenges as rows written when an instance is saved

Revision ID: 0010_portal_entry
Revises: 0009_instance_state

Rows of instances already waiting in a window are written by ``jiebang init-db`` (engine.portal.fill_missing),
which can restore workflows; a migration cannot.
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0010_portal_entry"
down_revision = "0009_instance_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portal_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("business_key", sa.String(length=128), nullable=False),
        sa.Column("jurisdiction", sa.String(length=32), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=255), nullable=True),
        sa.Column("window_start", engine.db.UTCDateTime(), nullable=True),
        sa.Column("window_end", engine.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"], name=op.f("fk_portal_entry_instance_id_process_instance")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_entry")),
        sa.UniqueConstraint("instance_id", "kind", name=op.f("uq_portal_entry_instance_id")),
    )
    op.create_index("ix_portal_entry_kind_end", "portal_entry", ["kind", "window_end", "instance_id"])
    op.create_index("ix_portal_entry_kind_jurisdiction", "portal_entry", ["kind", "jurisdiction", "window_end"])
    op.create_index("ix_portal_entry_business_key", "portal_entry", ["business_key"])


def downgrade() -> None:
    op.drop_table("portal_entry")
