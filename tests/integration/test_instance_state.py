"""The serialized state lives in its own table: the migration moves existing states there and back, and the
one door (engine.runtime) is the only reader and writer."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from engine import instances, tasks
from engine.bundle import collect_paths
from engine.deploy import deploy_bundle
from engine.errors import NotFound
from engine.migrate import alembic_config, upgrade
from engine.models.instance import InstanceState
from engine.users import add_user
from tests.conftest import FIXTURES

START = {"jurisdiction": "urumqi", "title": "高温合金需求", "publicity_days": 7, "publicity_unit": "days"}


def test_the_migration_moves_existing_states_out_of_the_listing_row_and_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    upgrade(url)
    eng = create_engine(url)
    session = sessionmaker(bind=eng, expire_on_commit=False)()
    deploy_bundle(session, collect_paths([FIXTURES / "basic"]), deployed_by="tester")
    add_user(session, "issuer1", roles=["issuer"], jurisdiction="urumqi")
    inst = instances.start_instance(session, "publicity_demo", business_key="C-1", data=dict(START))
    stored = session.get(InstanceState, inst.id)
    assert stored is not None and '"tasks"' in stored.state_json
    state = stored.state_json
    session.close()

    command.downgrade(alembic_config(url), "0006_timer_attempts")  # before the state had its own table
    with eng.connect() as conn:
        row = conn.execute(text("SELECT state_json, serializer_version FROM process_instance")).one()
        assert row.state_json == state and row.serializer_version
    assert "instance_state" not in inspect(eng).get_table_names()

    upgrade(url)  # the states move (back) into instance_state; the listing row no longer holds them
    columns = {c["name"] for c in inspect(eng).get_columns("process_instance")}
    assert "state_json" not in columns and "serializer_version" not in columns
    session = sessionmaker(bind=eng, expire_on_commit=False)()
    (task,) = tasks.list_tasks(session, instance_id=inst.id)
    tasks.complete(  # the moved state loads and changes as before
        session,
        task.id,
        actor="issuer1",
        data={"title": "高温合金", "budget": "1,234.50", "pledge_unit": True},
    )
    assert instances.describe(session, inst.id)["data"]["title"] == "高温合金"
    session.close()
    eng.dispose()


@pytest.mark.usefixtures("calendar_loaded")
def test_an_instance_without_its_state_says_so(db_session: Session, deploy, people, sim) -> None:
    sim.set("2026-09-28T10:00:00+08:00")
    deploy("basic")
    inst = instances.start_instance(db_session, "publicity_demo", business_key="C-1", data=dict(START))
    db_session.delete(db_session.get(InstanceState, inst.id))
    db_session.commit()
    with pytest.raises(NotFound) as caught:
        instances.describe(db_session, inst.id)
    assert "state" in caught.value.message("en") and "运行状态" in caught.value.message("zh")
