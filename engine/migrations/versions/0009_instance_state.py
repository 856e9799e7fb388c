"""Instance state in its own table: lists and sorts over process_instance never walk a serialized workflow

Revision ID: 0009_instance_state
Revises: 0008_objection_outcome
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_instance_state"
down_revision = "0008_objection_outcome"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "instance_state",
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("state_json", sa.Text(), nullable=False),
        sa.Column("serializer_version", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"], name=op.f("fk_instance_state_instance_id_process_instance")
        ),
        sa.PrimaryKeyConstraint("instance_id", name=op.f("pk_instance_state")),
    )
    op.execute(
        "INSERT INTO instance_state (instance_id, state_json, serializer_version) "
        "SELECT id, state_json, serializer_version FROM process_instance"
    )
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.drop_column("state_json")
        batch_op.drop_column("serializer_version")


def downgrade() -> None:
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state_json", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("serializer_version", sa.String(length=8), nullable=False, server_default=""))
    op.execute(
        "UPDATE process_instance SET state_json = (SELECT s.state_json FROM instance_state s "
        "WHERE s.instance_id = process_instance.id), serializer_version = COALESCE((SELECT s.serializer_version "
        "FROM instance_state s WHERE s.instance_id = process_instance.id), '')"
    )
    op.drop_table("instance_state")
