"""Organisations get their unified social credit code (统一社会信用代码) and the region of their registered
address (GB/T 2260 code), so that the locality rules can be checked (000 §9–10, 001 五(一)1, 002 二, 003 §8,
004 二). An organisation whose code is already a valid USCC takes it, and the region of its registration
authority (characters 3–8 of the code) as its region.

Revision ID: 0020_units_uscc
Revises: 0019_perf_indexes
"""

import sqlalchemy as sa
from alembic import op
from stdnum.cn import uscc

revision = "0020_units_uscc"
down_revision = "0019_perf_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(sa.Column("uscc", sa.String(length=18), nullable=True))
        batch.add_column(sa.Column("region", sa.String(length=6), nullable=True))
        batch.create_index("ix_organisation_uscc", ["uscc"], unique=True)
    bind = op.get_bind()
    table = sa.table("organisation", sa.column("id"), sa.column("code"), sa.column("uscc"), sa.column("region"))
    for row_id, code in bind.execute(sa.select(table.c.id, table.c.code)).all():
        if uscc.is_valid(code or ""):
            compact = uscc.compact(code)
            bind.execute(
                table.update().where(table.c.id == row_id).values(uscc=compact, region=compact[2:8])
            )


def downgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.drop_index("ix_organisation_uscc")
        batch.drop_column("region")
        batch.drop_column("uscc")
