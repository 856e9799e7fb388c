"""PostgreSQL statistics of how a task's status, lane, jurisdiction and assignee go together, so that the
planner reads a clerk's few tasks in a lane busy in other jurisdictions from the lane's index range instead of
walking every ready task (``engine.models.task.QUEUE_STATISTICS``). Nothing on SQLite.

Revision ID: 0026_access
Revises: 0025_apptable
"""

from alembic import op

revision = "0026_access"
down_revision = "0025_apptable"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE STATISTICS IF NOT EXISTS st_human_task_queue (mcv) ON status, lane, jurisdiction, assignee "
        "FROM human_task"
    )
    op.execute("ANALYZE human_task")  # the statistics count from the next ANALYZE on


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP STATISTICS IF EXISTS st_human_task_queue")
