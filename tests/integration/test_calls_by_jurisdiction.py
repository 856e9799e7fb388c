"""The annual call of Urumqi (002 五(一)), Karamay (003 §12(1)) and Zhangye (004 三(二)): the bureau opens it
from its start form, issuers post needs into it, each need becomes its jurisdiction's challenge."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import start_forms, tasks
from engine.bundle import collect_paths
from engine.deploy import deploy_bundle
from engine.errors import NotFound, ValidationFailed
from engine.models.instance import ProcessInstance
from engine.models.user import User
from engine.users import add_user

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
OTHERS = ("urumqi", "karamay", "zhangye")


@pytest.fixture
def world(db_session: Session, sim, calendar_loaded):  # type: ignore[no-untyped-def]
    from web.demo import load_organisations

    for j in OTHERS:
        for role in ("bureau", "issuer", "solver"):
            add_user(db_session, f"{role}_{j}", roles=[role], jurisdiction=j)
    load_organisations(db_session)
    deploy_bundle(db_session, collect_paths([BPMN]))
    sim.set("2026-04-20T09:00:00+08:00")
    return db_session


def user(session: Session, name: str) -> User:
    found = session.scalar(select(User).where(User.username == name))
    assert found is not None
    return found


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ProcessInstance)) or 0


def call_form(session: Session, j: str) -> dict[str, object]:
    bureau = user(session, f"bureau_{j}")
    item = start_forms.find_startable(session, bureau, f"{j}_call")
    defn = start_forms.form_for_user(session, bureau, item, j)
    return start_forms.defaults(session, bureau, item, defn, j)


def test_each_bureau_may_open_its_own_call_and_its_issuers_post_needs(world: Session) -> None:
    for j in OTHERS:
        bureau = {i.pv.process_key for i in start_forms.startable(world, user(world, f"bureau_{j}"))}
        assert {f"{j}_call", f"{j}_challenge"} <= bureau
        assert not any(k.startswith(tuple(o for o in OTHERS if o != j)) for k in bureau)
        issuer = {i.pv.process_key for i in start_forms.startable(world, user(world, f"issuer_{j}"))}
        assert issuer == {f"{j}_challenge"}  # the call is the bureau's
        assert start_forms.startable(world, user(world, f"solver_{j}")) == []
    with pytest.raises(NotFound):  # another jurisdiction's call
        start_forms.start_from_form(world, user(world, "bureau_karamay"), "urumqi_call", "urumqi", {})


def test_002_five_1_urumqi_window_is_the_guides(world: Session, sim) -> None:  # type: ignore[no-untyped-def]
    shown = call_form(world, "urumqi")
    assert shown["notice_call_opens"] == "2026-04-25T10:00"  # 002 五(一)1
    assert shown["notice_call_closes"] == "2026-06-10T19:30"
    assert shown["title"] == "乌鲁木齐2026年度揭榜挂帅技术需求征集"
    bureau = user(world, "bureau_urumqi")
    with pytest.raises(ValidationFailed) as refused:
        start_forms.start_from_form(
            world, bureau, "urumqi_call", "urumqi", {**shown, "notice_call_closes": "2026-06-30T19:30"}
        )
    assert "002 五(一)1" in refused.value.details["fields"]["notice_call_closes"][0]
    assert "2026-06-10 19:30" in refused.value.details["fields"]["notice_call_closes"][0]
    world.rollback()
    assert count(world) == 0
    call = start_forms.start_from_form(world, bureau, "urumqi_call", "urumqi", dict(shown))
    assert call.business_key == "URUMQI-2026-CALL-001"
    # before the opening no need can be posted; from 10:00 on 25 April it can
    assert start_forms.open_calls(world, "urumqi") == []
    sim.set("2026-04-25T10:00:00+08:00")
    (offered,) = start_forms.open_calls(world, "urumqi")
    issuer = user(world, "issuer_urumqi")
    item = start_forms.find_startable(world, issuer, "urumqi_challenge")
    defn = start_forms.form_for_user(world, issuer, item, "urumqi")
    values = start_forms.defaults(world, issuer, item, defn, "urumqi")
    assert values["call"] == str(offered.instance_id)
    need = start_forms.start_from_form(
        world, issuer, "urumqi_challenge", "urumqi", {**values, "title": "风电运维"}
    )
    assert need.process_key == "urumqi_challenge" and need.started_by == "issuer_urumqi"
    (post,) = tasks.list_tasks(world, instance_id=need.id)
    assert post.task_spec == "post_need"
    # 002 五(一)2: after the close the call waits for the recommendations until 12 June 19:30
    sim.set("2026-06-11T09:00:00+08:00")
    assert start_forms.open_calls(world, "urumqi") == []


def test_002_five_1_urumqi_call_cannot_open_after_the_guides_close(world: Session, sim) -> None:  # type: ignore[no-untyped-def]
    sim.set("2026-11-20T09:00:00+08:00")
    shown = call_form(world, "urumqi")
    with pytest.raises(ValidationFailed) as refused:
        start_forms.start_from_form(world, user(world, "bureau_urumqi"), "urumqi_call", "urumqi", dict(shown))
    assert "已经过去" in refused.value.details["fields"]["notice_call_closes"][0]
    world.rollback()
    assert count(world) == 0


@pytest.mark.parametrize("j", ["karamay", "zhangye"])
def test_003_12_1_and_004_3_2_window_is_the_bureaus(world: Session, j: str) -> None:
    shown = call_form(world, j)
    assert "notice_call_opens" not in shown  # 003 §12(1), 004 三(二): the call sets it
    bureau = user(world, f"bureau_{j}")
    window = {"notice_call_opens": "2026-04-20T09:00", "notice_call_closes": "2026-05-20T17:30"}
    with pytest.raises(ValidationFailed) as refused:
        start_forms.start_from_form(
            world, bureau, f"{j}_call", j, {**shown, **window, "notice_call_closes": "2026-04-01T09:00"}
        )
    assert "notice_call_closes" in refused.value.details["fields"]
    world.rollback()
    call = start_forms.start_from_form(world, bureau, f"{j}_call", j, {**shown, **window})
    issuer = user(world, f"issuer_{j}")
    item = start_forms.find_startable(world, issuer, f"{j}_challenge")
    defn = start_forms.form_for_user(world, issuer, item, j)
    values = start_forms.defaults(world, issuer, item, defn, j)
    assert values["call"] == str(call.id)
    need = start_forms.start_from_form(world, issuer, f"{j}_challenge", j, {**values, "title": "需求一"})
    assert need.process_key == f"{j}_challenge"
    (post,) = tasks.list_tasks(world, instance_id=need.id)
    assert post.task_spec == "post_need"
