"""Shared fixtures of the integration tests: the basic publicity diagram with one started case."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from engine import instances
from engine.models.instance import ProcessInstance

START = {"jurisdiction": "urumqi", "title": "高温合金需求", "publicity_days": 7, "publicity_unit": "days"}
NEED = {"title": "高温合金", "budget": "1,234.50", "pledge_unit": True}


@pytest.fixture
def started(db_session: Session, deploy, people, sim, calendar_loaded) -> ProcessInstance:  # type: ignore[no-untyped-def]
    """``tests/fixtures/basic`` deployed and one ``publicity_demo`` case started by the bureau, at its first task."""
    sim.set("2026-09-28T10:00:00+08:00")
    deploy("basic")
    return instances.start_instance(
        db_session, "publicity_demo", business_key="C-1", data=dict(START), actor=people["bureau"]
    )
