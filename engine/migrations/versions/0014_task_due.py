"""Task due dates: when to remind, when to escalate, how far the notices went; the reasons of a refused
application; the notification kind project_decided is now termination_decided

Revision ID: 0014_task_due
Revises: 0013_expert_pool
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0014_task_due"
down_revision = "0013_expert_pool"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remind_at", engine.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("escalate_at", engine.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("due_notice", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_index("ix_human_task_remind", ["status", "remind_at"], unique=False)
        batch_op.create_index("ix_human_task_due", ["status", "due_at"], unique=False)
        batch_op.create_index("ix_human_task_escalate", ["status", "escalate_at"], unique=False)
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refusal_json", sa.Text(), nullable=True))
    for table in ("notification_preference", "notification"):
        op.execute(f"UPDATE {table} SET kind = 'termination_decided' WHERE kind = 'project_decided'")


def downgrade() -> None:
    for table in ("notification_preference", "notification"):
        op.execute(f"UPDATE {table} SET kind = 'project_decided' WHERE kind = 'termination_decided'")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("refusal_json")
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index("ix_human_task_escalate")
        batch_op.drop_index("ix_human_task_due")
        batch_op.drop_index("ix_human_task_remind")
        batch_op.drop_column("due_notice")
        batch_op.drop_column("escalate_at")
        batch_op.drop_column("remind_at")
