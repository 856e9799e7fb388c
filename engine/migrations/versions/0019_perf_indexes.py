"""Lists stay index scans at bureau scale: the monitor's newest-first list of one jurisdiction, and a work
queue by lane or by assignee in creation order

Revision ID: 0019_perf_indexes
Revises: 0018_application_receipts
"""

from alembic import op

revision = "0019_perf_indexes"
down_revision = "0018_application_receipts"
branch_labels = None
depends_on = None

#: (name, old columns, new columns): the queue's filters, now followed by its order
WIDENED = (
    ("ix_human_task_status_lane", ["status", "lane", "jurisdiction"], ["status", "lane", "jurisdiction", "created_at", "id"]),
    ("ix_human_task_status_assignee", ["status", "assignee"], ["status", "assignee", "created_at", "id"]),
)


def upgrade() -> None:
    # /monitor/ and the instance API for a bureau: WHERE jurisdiction = ? ORDER BY id DESC LIMIT n reads the
    # page from this index instead of sorting every instance of the jurisdiction
    op.create_index("ix_process_instance_jurisdiction_id", "process_instance", ["jurisdiction", "id"])
    # /tasks: WHERE status = 'ready' AND lane IN (…) AND jurisdiction = ? (or assignee = ?) ORDER BY created_at,
    # id reads the user's tasks in order instead of walking every ready task
    for name, _old, new in WIDENED:
        op.drop_index(name, table_name="human_task")
        op.create_index(name, "human_task", new)


def downgrade() -> None:
    for name, old, _new in WIDENED:
        op.drop_index(name, table_name="human_task")
        op.create_index(name, "human_task", old)
    op.drop_index("ix_process_instance_jurisdiction_id", table_name="process_instance")
