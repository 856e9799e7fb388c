"""Publicity notices keep their content and their state (公示中 / 异议处理中 / 公示期满)

Revision ID: 0015_portal_notice_state
Revises: 0014_task_due
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_portal_notice_state"
down_revision = "0014_task_due"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("portal_entry") as batch:
        batch.add_column(sa.Column("state", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("details_json", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("portal_entry") as batch:
        batch.drop_column("details_json")
        batch.drop_column("state")
