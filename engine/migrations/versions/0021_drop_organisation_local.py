"""Organisations lose the ``local`` flag: whether a unit is a local legal person is read from the region of
its registered address (``region``, added in 0020) against the policy's ``local_regions``; nothing reads the
flag any more.

Revision ID: 0021_drop_organisation_local
Revises: 0020_units_uscc
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_drop_organisation_local"
down_revision = "0020_units_uscc"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("local")


def downgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(sa.Column("local", sa.Boolean(), nullable=False, server_default=sa.true()))
