"""Expert pool and panel draws

Revision ID: 0013_expert_pool
Revises: 0012_task_assignment
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0013_expert_pool"
down_revision = "0012_task_assignment"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "expert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_code", sa.String(length=64), nullable=False),
        sa.Column("jurisdiction", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=64), nullable=False),
        sa.Column("fields_json", sa.Text(), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("unavailable_until", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", engine.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert")),
        sa.UniqueConstraint("person_code", name=op.f("uq_expert_person_code")),
    )
    with op.batch_alter_table("expert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expert_jurisdiction"), ["jurisdiction"], unique=False)
    op.create_table(
        "panel_draw",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("need", sa.String(length=64), nullable=False),
        sa.Column("jurisdiction", sa.String(length=32), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("field_filter", sa.String(length=64), nullable=False),
        sa.Column("eligible_json", sa.Text(), nullable=False),
        sa.Column("excluded_json", sa.Text(), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=False),
        sa.Column("members_json", sa.Text(), nullable=False),
        sa.Column("chair", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", engine.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"], name=op.f("fk_panel_draw_instance_id_process_instance")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_draw")),
    )
    with op.batch_alter_table("panel_draw", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panel_draw_instance_id"), ["instance_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_panel_draw_task_id"), ["task_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_panel_draw_need"), ["need"], unique=False)
    op.create_table(
        "panel_replacement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=False),
        sa.Column("removed", sa.String(length=64), nullable=False),
        sa.Column("added", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", engine.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draw_id"], ["panel_draw.id"], name=op.f("fk_panel_replacement_draw_id_panel_draw")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_replacement")),
    )
    with op.batch_alter_table("panel_replacement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panel_replacement_draw_id"), ["draw_id"], unique=False)


def downgrade() -> None:
    op.drop_table("panel_replacement")
    op.drop_table("panel_draw")
    op.drop_table("expert")
