"""Starting from a form: the annual call, a need posted into it, refusals that start nothing."""

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


@pytest.fixture
def world(db_session: Session, sim, calendar_loaded):  # type: ignore[no-untyped-def]
    from web.demo import load_organisations

    for j in ("dazu", "urumqi"):
        for role in ("bureau", "issuer", "solver", "expert"):
            add_user(db_session, f"{role}_{j}", roles=[role], jurisdiction=j)
    load_organisations(db_session)
    deploy_bundle(db_session, collect_paths([BPMN]))
    sim.set("2026-05-06T09:00:00+08:00")
    return db_session


def user(session: Session, name: str) -> User:
    found = session.scalar(select(User).where(User.username == name))
    assert found is not None
    return found


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ProcessInstance)) or 0


CALL = {"year": "2026", "title": "大足区2026年度揭榜挂帅技术需求征集", "notice_call_opens": "2026-05-06T09:00",
        "notice_call_closes": "2026-06-30T17:30"}  # fmt: skip


def open_call(session: Session) -> ProcessInstance:
    return start_forms.start_from_form(session, user(session, "bureau_dazu"), "dazu_call", "dazu", dict(CALL))


def test_who_may_start_what(world: Session) -> None:
    keys = {
        i.pv.process_key: i.jurisdictions for i in start_forms.startable(world, user(world, "bureau_dazu"))
    }
    assert keys == {"dazu_call": ("dazu",), "dazu_challenge": ("dazu",)}
    issuer = {i.pv.process_key for i in start_forms.startable(world, user(world, "issuer_dazu"))}
    assert issuer == {"dazu_challenge"}  # the call is the bureau's (its lane)
    assert start_forms.startable(world, user(world, "solver_dazu")) == []
    # the Dazu diagrams are Dazu's; Urumqi's bureau starts its own annual summary (000 §12(8)), call and needs
    assert [i.pv.process_key for i in start_forms.startable(world, user(world, "bureau_urumqi"))] == [
        "urumqi_annual_summary",
        "urumqi_call",
        "urumqi_challenge",
    ]


def test_call_refused_for_a_role_or_jurisdiction_that_may_not_start_it(world: Session) -> None:
    for name in ("issuer_dazu", "bureau_urumqi", "solver_dazu"):
        with pytest.raises(NotFound):
            start_forms.start_from_form(world, user(world, name), "dazu_call", "dazu", dict(CALL))
    assert count(world) == 0


@pytest.mark.parametrize(
    ("opens", "closes", "field"),
    [
        ("2026-05-01T09:00", "2026-06-30T17:30", "notice_call_opens"),  # opening in the past
        ("2026-06-30T17:30", "2026-06-01T09:00", "notice_call_closes"),  # out of order
        ("2026-05-06T09:00", "2026-05-06T09:00", "notice_call_closes"),  # empty window
    ],
)
def test_invalid_window_refused_and_nothing_started(
    world: Session, opens: str, closes: str, field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        start_forms.start_from_form(
            world,
            user(world, "bureau_dazu"),
            "dazu_call",
            "dazu",
            {**CALL, "notice_call_opens": opens, "notice_call_closes": closes},
        )
    assert field in refused.value.details["fields"]
    world.rollback()
    assert count(world) == 0


def test_window_defaults_come_from_the_policy_table(world: Session) -> None:
    item = start_forms.find_startable(world, user(world, "bureau_dazu"), "dazu_call")
    values = start_forms.policy_values(world, item.pv, "dazu")
    assert values["call_opens"] is None and values["call_closes"] is None  # 001 八(一): set by the notice
    assert (values["publicity_length"], values["publicity_unit"]) == (5, "working_days")  # 001 八(五)
    defn = start_forms.form_for_user(world, user(world, "bureau_dazu"), item, "dazu")
    shown = start_forms.defaults(world, user(world, "bureau_dazu"), item, defn, "dazu")
    assert shown == {"year": 2026, "title": "大足2026年度揭榜挂帅技术需求征集"}


def test_issuer_posts_a_need_into_the_open_call(world: Session, sim) -> None:  # type: ignore[no-untyped-def]
    issuer = user(world, "issuer_dazu")
    item = start_forms.find_startable(world, issuer, "dazu_challenge")
    assert start_forms.form_for_user(world, issuer, item, "dazu").field("call").options == ()  # no call yet
    call = open_call(world)
    assert call.business_key == "DAZU-2026-CALL-001" and call.title == CALL["title"]
    defn = start_forms.form_for_user(world, issuer, item, "dazu")
    assert [(o.value, o.label.zh) for o in defn.field("call").options] == [
        (str(call.id), "大足区2026年度揭榜挂帅技术需求征集（2026-06-30 17:30 截止）")
    ]
    assert [(o.value, o.label.zh) for o in defn.field("issuer_code").options] == [
        ("DAZU-ISS", "大足硅业股份有限公司")
    ]
    assert start_forms.defaults(world, issuer, item, defn, "dazu") == {
        "entry_route": "call",  # 001 十二(一): a need of the call unless the bureau starts a contest project
        "call": str(call.id),
        "issuer_code": "DAZU-ISS",
    }
    # another unit's code is refused beside its field, nothing started
    with pytest.raises(ValidationFailed) as refused:
        start_forms.start_from_form(
            world,
            issuer,
            "dazu_challenge",
            "dazu",
            {"call": str(call.id), "issuer_code": "DAZU-S1", "title": "x"},
        )
    assert "issuer_code" in refused.value.details["fields"]
    world.rollback()
    assert count(world) == 1
    need = start_forms.start_from_form(
        world,
        issuer,
        "dazu_challenge",
        "dazu",
        {"call": str(call.id), "issuer_code": "DAZU-ISS", "title": "智能网联汽车测试"},
    )
    # the first need of 2026: the call's key DAZU-2026-CALL-001 begins alike but is not a need's number
    assert need.business_key == "DAZU-2026-001" and need.started_by == "issuer_dazu"
    (post,) = tasks.list_tasks(world, instance_id=need.id)
    assert post.task_spec == "post_need"
    # after the close the call is no longer offered
    sim.set("2026-07-01T09:00:00+08:00")
    assert start_forms.open_calls(world, "dazu") == []


def test_a_start_form_missing_from_the_bundle_is_refused(db_session: Session) -> None:
    from engine.bundle import BundleFile
    from engine.errors import DeploymentRefused

    files = [
        BundleFile("dazu/dazu_call.bpmn", (BPMN / "dazu" / "dazu_call.bpmn").read_bytes()),
        BundleFile("dazu/policy_dazu.dmn", (BPMN / "dazu" / "policy_dazu.dmn").read_bytes()),
    ]
    with pytest.raises(DeploymentRefused) as refused:
        deploy_bundle(db_session, files)
    assert "start form 'call_open' is not in the bundle" in str(refused.value.details)


def test_an_issuer_starts_for_its_own_organisation_only_on_every_face(world: Session) -> None:
    from engine import instances
    from engine.errors import Forbidden

    data = {"jurisdiction": "dazu", "title": "需求", "issuer_code": "DAZU-S1", "project_code": "X-1"}
    with pytest.raises(Forbidden) as refused:  # the API and the CLI call start_instance with the actor
        instances.start_instance(world, "dazu_challenge", data=data, actor="issuer_dazu")
    assert "本单位" in refused.value.message("zh")
    world.rollback()
    assert count(world) == 0
    own = instances.start_instance(
        world, "dazu_challenge", data={**data, "issuer_code": "DAZU-ISS"}, actor="issuer_dazu"
    )
    assert own.started_by == "issuer_dazu"
    by_bureau = instances.start_instance(world, "dazu_challenge", data=data, actor="bureau_dazu")
    assert by_bureau.jurisdiction == "dazu"
    with pytest.raises(Forbidden):  # another jurisdiction's issuer
        instances.start_instance(world, "dazu_challenge", data=data, actor="issuer_urumqi")


def test_001_12_1_only_the_bureau_starts_a_contest_project(world: Session, sim) -> None:  # type: ignore[no-untyped-def]
    """001 十二(一): a contest-won project goes straight to the task book, so only the science bureau starts
    one; an issuer choosing it is refused beside the field and nothing is started."""
    issuer = user(world, "issuer_dazu")
    contest = {
        "entry_route": "contest",
        "issuer_code": "DAZU-ISS",
        "title": "赛事项目",
        "contest_name": "中国创新挑战赛",
        "contest_solver": "DAZU-S1",
    }
    with pytest.raises(ValidationFailed) as refused:
        start_forms.start_from_form(world, issuer, "dazu_challenge", "dazu", contest)
    assert "001 十二(一)" in refused.value.details["fields"]["entry_route"][0]
    world.rollback()
    assert count(world) == 0
    started = start_forms.start_from_form(
        world, user(world, "bureau_dazu"), "dazu_challenge", "dazu", contest
    )
    assert started.business_key and count(world) == 1
