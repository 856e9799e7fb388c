"""Applications get a receipt number the public portal looks them up by

Revision ID: 0018_application_receipts
Revises: 0017_ledger_books
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_application_receipts"
down_revision = "0017_ledger_books"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("project") as batch:
        batch.add_column(sa.Column("receipt", sa.String(length=32), nullable=True))
        batch.create_index("ix_project_receipt", ["receipt"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("project") as batch:
        batch.drop_index("ix_project_receipt")
        batch.drop_column("receipt")
