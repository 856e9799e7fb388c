"""Task assignment: how a task's assignee was set, and the organisation whose users may do it

Revision ID: 0012_task_assignment
Revises: 0011_notifications
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_task_assignment"
down_revision = "0011_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_by", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("candidate_org", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_human_task_candidate_org", ["candidate_org", "status"], unique=False)
    # a task claimed before this revision was claimed by its user
    op.execute("UPDATE human_task SET assigned_by = 'claim' WHERE assignee IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index("ix_human_task_candidate_org")
        batch_op.drop_column("candidate_org")
        batch_op.drop_column("assigned_by")
