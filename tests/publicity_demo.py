"""The publicity of ``tests/fixtures/basic`` (``publicity_demo``) driven to its window: the issuer posts the need
and the bureau approves it, which computes the window's end (and fails when its working days reach a year whose
holiday schedule is missing)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine import instances, tasks

NEED = {"title": "高温合金", "budget": "100", "pledge_unit": True}
APPROVE = {"decision": "approve", "reason": "符合条件"}


def approved_publicity(
    session: Session, *, issuer: str, bureau: str, key: str, days: int, unit: str
) -> tuple[int, str]:
    """Start a publicity of ``days`` ``unit`` (``days`` or ``working_days``) in Urumqi, post and approve it;
    the instance's id and its status after the approval (``running``, or ``error`` when the window failed)."""
    inst = instances.start_instance(
        session,
        "publicity_demo",
        business_key=key,
        data={"jurisdiction": "urumqi", "publicity_days": days, "publicity_unit": unit},
    )
    (need,) = tasks.list_tasks(session, instance_id=inst.id)
    tasks.complete(session, need.id, actor=issuer, data=NEED)
    (review,) = tasks.list_tasks(session, instance_id=inst.id)
    return inst.id, tasks.complete(session, review.id, actor=bureau, data=APPROVE).instance_status
