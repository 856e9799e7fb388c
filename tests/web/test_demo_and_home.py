"""`jiebang demo load` and the start page, on the same database the engine uses."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models.instance import ProcessInstance
from engine.models.user import User
from tests.web.conftest import login
from web.app import create_app
from web.demo import load_demo


@pytest.mark.slow
def test_demo_load_is_idempotent_and_the_start_page_shows_it(
    db_session: Session, db_url: str, calendar_loaded, sim
) -> None:
    sim.set("2026-09-28T10:00:00+08:00")
    first = load_demo(db_session)
    # 4 challenges at the start, 4 publicity demos, 1 challenge open for online applications
    assert first["started"] == 9 and first["organisations"] > 0
    second = load_demo(db_session)
    assert second["started"] == 0 and second["organisations"] == 0
    assert second["deployment"]["unchanged"] is True
    assert db_session.query(ProcessInstance).count() == 9
    keys = {i.process_key for i in db_session.query(ProcessInstance)}
    assert {"urumqi_challenge", "dazu_challenge", "karamay_challenge", "zhangye_challenge"} <= keys
    db_session.commit()

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "TESTING": True, "SECRET_KEY": "test"})
    client = app.test_client()
    assert client.get("/").location.endswith("/portal/")  # the public start page
    portal = client.get("/portal/").get_data(as_text=True)
    assert "DEMO-URUMQI-001" in portal and "DEMO-DAZU-001" in portal  # both are in publicity
    assert "DAZU-2026-002" in portal  # open for online applications
    login(client, "bureau_karamay", "demo12345")
    assert client.get("/").location.endswith("/tasks")
    page = client.get("/tasks").get_data(as_text=True)
    assert "待办任务" in page and "publicity_demo" in page
    assert "DEMO-KARAMAY-001" in page  # Karamay and Zhangye wait at "prepare the notice"
    assert "DEMO-ZHANGYE-001" not in page  # another jurisdiction
    assert client.get("/healthz").json == {"status": "ok"}
    solver = app.test_client()
    login(solver, "solver_dazu", "demo12345")
    form = solver.get("/portal/challenges/DAZU-2026-002/apply").get_data(as_text=True)
    assert "大足揭榜单位1" in form and "提交揭榜申请" in form


@pytest.mark.slow
def test_demo_load_never_touches_an_existing_account(
    db_session: Session, db_url: str, calendar_loaded, sim, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """`jiebang demo load` runs at every start of the demo: a changed admin password, a disabled demo
    account and a revoked role stay as they are; only missing demo users are created, and it says so."""
    from click.testing import CliRunner

    import web.cli  # noqa: F401  (registers `demo load`)
    from engine.cli import cli
    from engine.users import add_user, set_active, set_password

    sim.set("2026-09-28T10:00:00+08:00")
    add_user(db_session, "admin", roles=["admin"])
    set_password(db_session, "admin", "the real admin secret")
    add_user(db_session, "third_party_karamay", roles=["expert"], jurisdiction="karamay")  # not the demo role
    set_active(db_session, "third_party_karamay", False)
    db_session.commit()
    monkeypatch.setenv("JIEBANG_DATABASE_URL", db_url)

    first = CliRunner().invoke(cli, ["demo", "load"])
    assert first.exit_code == 0, first.output
    assert (
        "34 demo user(s) created" in first.output and "2 existing account(s) left unchanged" in first.output
    )
    again = CliRunner().invoke(cli, ["demo", "load", "--json"])
    assert json.loads(again.output)["users_created"] == [] and json.loads(again.output)["users_kept"] == 36

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "TESTING": True, "SECRET_KEY": "test"})
    client = app.test_client()
    assert login(client, "admin", "demo12345").status_code == 401  # the published password does not open it
    assert login(client, "admin", "the real admin secret").status_code == 302
    assert login(app.test_client(), "third_party_karamay", "demo12345").status_code == 401  # still disabled
    db_session.rollback()
    kept = db_session.scalars(select(User).where(User.username == "third_party_karamay")).one()
    assert [(g.role, g.jurisdiction) for g in kept.roles] == [("expert", "karamay")]
    assert login(app.test_client(), "bureau_urumqi", "demo12345").status_code == 302  # created by the load


@pytest.mark.slow
def test_demo_has_three_solver_units_for_a_race_in_urumqi_and_karamay(
    db_session: Session, db_url: str, calendar_loaded, sim, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """000 §12(1) (Urumqi, a race when the need asks for it) and 003 §12(5) (Karamay, up to three solvers): the
    demo has a solver account for each of three units there, each speaking for its unit on the portal. A demo
    database from before gets them on its next load; its existing accounts and links stay."""
    from click.testing import CliRunner

    import web.cli  # noqa: F401  (registers `demo load`)
    from engine.cli import cli
    from engine.models.domain import Person
    from engine.users import add_user

    sim.set("2026-09-28T10:00:00+08:00")
    monkeypatch.setenv("JIEBANG_DATABASE_URL", db_url)
    assert CliRunner().invoke(cli, ["demo", "load"]).exit_code == 0
    db_session.rollback()
    units = {
        p.username: p.organisation
        for p in db_session.scalars(select(Person).where(Person.username.like("solver\\_%", escape="\\")))
    }
    assert {k: v for k, v in units.items() if k.startswith(("solver_urumqi", "solver_karamay"))} == {
        "solver_urumqi": "URUMQI-S1",
        "solver_urumqi_2": "URUMQI-S2",
        "solver_urumqi_3": "URUMQI-S3",
        "solver_karamay": "KARAMAY-S1",
        "solver_karamay_2": "KARAMAY-S2",
        "solver_karamay_3": "KARAMAY-S3",
    }
    second = db_session.scalars(select(User).where(User.username == "solver_urumqi_2")).one()
    assert second.display_name == "乌鲁木齐揭榜单位2 艾力江"
    assert [(g.role, g.jurisdiction) for g in second.roles] == [("solver", "urumqi")]

    # an older demo database: no third Karamay account, and its person speaks for an account made by hand
    db_session.delete(db_session.scalars(select(User).where(User.username == "solver_karamay_3")).one())
    add_user(db_session, "karamay_contact", roles=["solver"], jurisdiction="karamay")
    db_session.scalars(select(Person).where(Person.code == "KARAMAY-P7")).one().username = "karamay_contact"
    db_session.commit()
    again = CliRunner().invoke(cli, ["demo", "load", "--json"])
    assert json.loads(again.output)["users_created"] == ["solver_karamay_3"]
    db_session.rollback()
    person = db_session.scalars(select(Person).where(Person.code == "KARAMAY-P7")).one()
    assert person.username == "karamay_contact"  # the link made by hand stays

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "TESTING": True, "SECRET_KEY": "test"})
    solver = app.test_client()
    login(solver, "solver_urumqi_3", "demo12345")
    assert "乌鲁木齐揭榜单位3 王春燕" in solver.get("/tasks").get_data(as_text=True)


def test_every_page_has_the_site_icon_and_browsers_find_it_where_they_look(client) -> None:  # type: ignore[no-untyped-def]
    """No 404 for /favicon.ico on each page load: the icon is served there and linked from every page."""
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    for page in ("/login", "/portal/"):
        html = client.get(page).get_data(as_text=True)
        assert '<link rel="icon" href="/static/favicon.ico"' in html, page
    linked = client.get("/static/favicon.ico")
    assert linked.status_code == 200 and linked.data == icon.data
