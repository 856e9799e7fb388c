"""The ledger as the bureau's books: who paid (payer), for which solver, against which condition, with what
evidence (the issuer's upload)

Revision ID: 0017_ledger_books
Revises: 0016_version_hashes
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_ledger_books"
down_revision = "0016_version_hashes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payer", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("solver", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("condition", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("evidence", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.drop_column("evidence")
        batch_op.drop_column("condition")
        batch_op.drop_column("solver")
        batch_op.drop_column("payer")
