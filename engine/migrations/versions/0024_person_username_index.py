"""An index on ``person.username``: the task page, the work queue and the held-task check look a user's person
and organisation up by it on every request.

Revision ID: 0024_person_username_index
Revises: 0023_calendar_revision
"""

from alembic import op

revision = "0024_person_username_index"
down_revision = "0023_calendar_revision"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_username"), ["username"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_username"))
