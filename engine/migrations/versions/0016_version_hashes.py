"""Process versions record the files they depend on (their closure), for diffs between versions

Revision ID: 0016_version_hashes
Revises: 0015_portal_notice_state
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_version_hashes"
down_revision = "0015_portal_notice_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("used_files", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("process_version", schema=None) as batch_op:
        batch_op.drop_column("used_files")
