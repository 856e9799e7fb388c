"""Application drafts: what a solver entered on a challenge's apply page when the submission was refused,
with the files it uploaded, so that nothing is lost (``engine.models.web.ApplicationDraft``).

Revision ID: 0022_application_draft
Revises: 0021_drop_organisation_local
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0022_application_draft"
down_revision = "0021_drop_organisation_local"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "application_draft",
        sa.Column("business_key", sa.String(length=128), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("data_json", sa.Text(), nullable=False),
        sa.Column("updated_at", engine.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("business_key", "username", name=op.f("pk_application_draft")),
    )


def downgrade() -> None:
    op.drop_table("application_draft")
