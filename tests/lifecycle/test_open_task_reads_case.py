"""The holder of an open task reads its case as the party it is (engine.access.rows.held_task_clause): the
commissioned third party of every jurisdiction, once the termination's audit (000 §14, 001 八(八), 003 §17,
004) is waiting for it, reads the case on every face the policy answers for — the case page's check and the
lists' SQL — and loses it again as soon as another third party claims the audit; a third party of another
jurisdiction never reads it. Karamay's third party reads the selection it recommends (003 §12(5))."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import tasks
from engine.access import can_read_instance, readable_clause
from engine.models.instance import ProcessInstance
from engine.users import add_user, get_user

from .drivers import JURISDICTIONS, implementing

REQUEST = {"cause": "objective", "reason": "市场变化，技术路线不可行"}


def _reads(session: Session, username: str, instance_id: int) -> tuple[bool, bool]:
    """(the single-row check, the list's SQL) for ``username`` and the instance."""
    user = get_user(session, username)
    instance = session.get(ProcessInstance, instance_id)
    assert instance is not None
    listed = session.scalar(
        select(ProcessInstance.id).where(ProcessInstance.id == instance_id, readable_clause(user))
    )
    return can_read_instance(session, user, instance), listed is not None


@pytest.mark.parametrize("j", JURISDICTIONS)
def test_a_third_party_reads_the_case_while_its_audit_waits_for_it(start, world, j: str) -> None:  # type: ignore[no-untyped-def]
    flow = implementing(start, j)
    # a third party that has had no hand in the case (Karamay's own recommended the solvers, 003 §12(5))
    auditor = f"auditor_{j}"
    add_user(world, auditor, roles=["third_party"], jurisdiction=j)
    other_place = next(p for p in JURISDICTIONS if p != j)
    world.commit()
    assert _reads(world, auditor, flow.id) == (False, False)

    flow.at("2027-03-01T09:00:00+08:00")
    flow.message("termination_request", dict(REQUEST, submitted_by=f"solver_{j}"))
    assert flow.ready() == ["audit"]
    assert _reads(world, auditor, flow.id) == (True, True)
    assert _reads(world, f"third_party_{other_place}", flow.id) == (False, False)

    # another third party of the jurisdiction takes the audit: the case is no longer this one's to read
    (audit,) = [t for t in tasks.list_tasks(world, instance_id=flow.id) if t.task_spec == "audit"]
    tasks.claim(world, audit.id, actor=f"third_party_{j}")
    world.commit()
    assert _reads(world, auditor, flow.id) == (False, False)
    assert _reads(world, f"third_party_{j}", flow.id) == (True, True)
