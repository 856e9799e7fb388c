"""domain: organisations, affiliations, credit records, people, projects, money ledger

Revision ID: 0002_domain
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0002_domain"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("jurisdiction", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("local", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("code", name=op.f("uq_organisation_code")),
    )
    op.create_index(op.f("ix_organisation_jurisdiction"), "organisation", ["jurisdiction"])
    op.create_table(
        "affiliation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_a", sa.String(length=64), nullable=False),
        sa.Column("party_b", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affiliation")),
        sa.UniqueConstraint("party_a", "party_b", "kind", name=op.f("uq_affiliation_party_a")),
    )
    op.create_index(op.f("ix_affiliation_party_a"), "affiliation", ["party_a"])
    op.create_index(op.f("ix_affiliation_party_b"), "affiliation", ["party_b"])
    op.create_table(
        "credit_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("penalty_until", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=255), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_record")),
    )
    op.create_index(op.f("ix_credit_record_subject"), "credit_record", ["subject"])
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("organisation", sa.String(length=64), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("code", name=op.f("uq_person_code")),
    )
    op.create_index(op.f("ix_person_organisation"), "person", ["organisation"])
    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("jurisdiction", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("scheme", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("issuer", sa.String(length=64), nullable=True),
        sa.Column("solver", sa.String(length=64), nullable=True),
        sa.Column("members_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("created_at", engine.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"], name=op.f("fk_project_instance_id_process_instance")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
        sa.UniqueConstraint("code", name=op.f("uq_project_code")),
    )
    op.create_index(op.f("ix_project_jurisdiction"), "project", ["jurisdiction"])
    op.create_index(op.f("ix_project_issuer"), "project", ["issuer"])
    op.create_index(op.f("ix_project_solver"), "project", ["solver"])
    op.create_index(op.f("ix_project_instance_id"), "project", ["instance_id"])
    op.create_table(
        "ledger_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("jurisdiction", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("party", sa.String(length=64), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("tranche", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=255), nullable=True),
        sa.Column("at", engine.db.UTCDateTime(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entry")),
    )
    op.create_index(op.f("ix_ledger_entry_project"), "ledger_entry", ["project"])
    op.create_index(op.f("ix_ledger_entry_jurisdiction"), "ledger_entry", ["jurisdiction"])
    op.create_index(op.f("ix_ledger_entry_instance_id"), "ledger_entry", ["instance_id"])


def downgrade() -> None:
    for table in ("ledger_entry", "project", "person", "credit_record", "affiliation", "organisation"):
        op.drop_table(table)
