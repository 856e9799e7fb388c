"""Expert score sheets in tables of their own: one sheet per challenge and expert (``review_sheet``: the
opinion) and its lines (``review_score``: each candidate's score and comment); the workflow data keeps only
which experts handed in a sheet and the panel's ranking (``engine.models.review_sheet``).

Revision ID: 0027_scores
Revises: 0026_access
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0027_scores"
down_revision = "0026_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_sheet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge", sa.String(length=64), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("expert", sa.String(length=64), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("submitted_at", engine.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"], name=op.f("fk_review_sheet_instance_id_process_instance")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_sheet")),
        sa.UniqueConstraint("challenge", "expert", name="uq_review_sheet_challenge_expert"),
    )
    with op.batch_alter_table("review_sheet", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_sheet_challenge"), ["challenge"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_sheet_instance_id"), ["instance_id"], unique=False)
    op.create_table(
        "review_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("solver", sa.String(length=64), nullable=False),
        sa.Column("score_tenths", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sheet_id"],
            ["review_sheet.id"],
            name=op.f("fk_review_score_sheet_id_review_sheet"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_score")),
        sa.UniqueConstraint("sheet_id", "solver", name="uq_review_score_sheet_solver"),
    )
    with op.batch_alter_table("review_score", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_score_sheet_id"), ["sheet_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_score_sheet_id"))
    op.drop_table("review_score")
    with op.batch_alter_table("review_sheet", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_sheet_instance_id"))
        batch_op.drop_index(batch_op.f("ix_review_sheet_challenge"))
    op.drop_table("review_sheet")
