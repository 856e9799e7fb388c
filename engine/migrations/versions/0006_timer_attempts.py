"""Timer claims count the sweeps that started firing them, so a failed claim goes behind the others

Revision ID: 0006_timer_attempts
Revises: 0005_reminders
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_timer_attempts"
down_revision = "0005_reminders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("timer_due", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("timer_due", schema=None) as batch_op:
        batch_op.drop_column("attempts")
