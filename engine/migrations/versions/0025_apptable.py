"""Applications (揭榜申请) in a table of their own: what each solver submitted, one current row per challenge
and solver (``engine.models.application.Application``); the workflow data keeps only the solver codes, the
eligibility facts and the refusals.

Revision ID: 0025_apptable
Revises: 0024_person_username_index
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0025_apptable"
down_revision = "0024_person_username_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge", sa.String(length=64), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("solver", sa.String(length=64), nullable=False),
        sa.Column("partners", sa.Text(), nullable=False),
        sa.Column("members", sa.Text(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("budget_fen", sa.BigInteger(), nullable=True),
        sa.Column("plan_file_json", sa.Text(), nullable=True),
        sa.Column("pledge", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("submitted_by", sa.String(length=64), nullable=True),
        sa.Column("received_at", engine.db.UTCDateTime(), nullable=False),
        sa.Column("receipt", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"], name=op.f("fk_application_instance_id_process_instance")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application")),
        sa.UniqueConstraint("challenge", "solver", name="uq_application_challenge_solver"),
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_challenge"), ["challenge"], unique=False)
        batch_op.create_index(batch_op.f("ix_application_instance_id"), ["instance_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_instance_id"))
        batch_op.drop_index(batch_op.f("ix_application_challenge"))
    op.drop_table("application")
