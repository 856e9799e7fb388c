"""Solvers apply online during the application window (000 §12(3)); reminders before deadlines in the queue."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import application_records, instances
from engine.applications import receipt_of
from engine.bundle import collect_paths
from engine.deploy import deploy_bundle
from engine.domain import ledger
from engine.models.domain import Person
from engine.models.user import User
from engine.users import add_user
from tests.lifecycle import conftest as lifecycle
from tests.lifecycle.conftest import BPMN, Flow, need
from tests.lifecycle.drivers import implementing
from tests.web.conftest import _FAST_HASH, login, post

# the lifecycle fixtures: every role's user in every jurisdiction, bpmn/ deployed, the simulated clock
world = lifecycle.world
start = lifecycle.start
ROLES = ("bureau", "issuer", "recommender", "expert", "approver")
APPLICATION = {
    "members": ["URUMQI-P1", "URUMQI-P2"],  # the picker: one value per chosen person
    "plan": "分步提纯，先中试",
    "budget_fen": "1,000,000",
    "pledge": "on",
}


@pytest.fixture
def challenge(db_session: Session, sim, calendar_loaded) -> Flow:  # type: ignore[no-untyped-def]
    """An Urumqi challenge published with an online window closing at 24:00 on 2026-05-20."""
    return _published(db_session, sim)


def _published(db_session: Session, sim: Any, **need_data: Any) -> Flow:
    from web.demo import load_organisations

    for role in ROLES:
        add_user(db_session, f"{role}_urumqi", roles=[role], jurisdiction="urumqi", password_hash=_FAST_HASH)
    add_user(db_session, "solver_urumqi", roles=["solver"], jurisdiction="urumqi", password_hash=_FAST_HASH)
    add_user(db_session, "solver2_urumqi", roles=["solver"], jurisdiction="urumqi", password_hash=_FAST_HASH)
    add_user(db_session, "solver_dazu", roles=["solver"], jurisdiction="dazu", password_hash=_FAST_HASH)
    add_user(db_session, "nolink_urumqi", roles=["solver"], jurisdiction="urumqi", password_hash=_FAST_HASH)
    load_organisations(db_session)  # links solver_urumqi to URUMQI-S1
    db_session.scalar(select(Person).where(Person.code == "URUMQI-P4")).username = "solver2_urumqi"
    deploy_bundle(db_session, collect_paths([BPMN]))
    db_session.commit()
    sim.set("2026-05-06T09:00:00+08:00")
    inst = instances.start_instance(
        db_session,
        "urumqi_challenge",
        business_key="URUMQI-W1",
        data={
            "jurisdiction": "urumqi",
            "title": "高纯硅提纯关键技术",
            "issuer_code": "URUMQI-ISS",
            "project_code": "URUMQI-W1",
        },
        actor="bureau_urumqi",
    )
    flow = Flow(db_session, sim, "urumqi", inst.id, "URUMQI-W1")
    flow.do("post_need", need(**need_data))
    flow.do("recommend", {"recommended": "yes"})
    flow.do(
        "need_review", {"importance": 9, "feasibility": 8, "difficulty": 7, "need_listed_decision": "list"}
    )
    flow.do("publish_list", {"list_published_on": "2026-05-06", "applications_close_on": "2026-05-20"})
    db_session.commit()
    return flow


def apply(client: FlaskClient, data: dict[str, Any]):  # type: ignore[no-untyped-def]
    return post(client, "/portal/challenges/URUMQI-W1/apply", data)


def test_solvers_apply_online_and_the_bureau_sees_every_application(
    client: FlaskClient, challenge: Flow
) -> None:
    """000 §12(3): solutions submitted online; the bureau's task lists them; a resubmission replaces."""
    assert challenge.ready() == []  # waiting in the window
    page = client.get("/portal/").get_data(as_text=True)
    assert "URUMQI-W1" in page and "2026年5月20日 24:00" in page  # the window ends at 24:00 of 20 May
    login(client, "solver_urumqi")
    assert "我要揭榜" in client.get("/portal/").get_data(as_text=True)
    form = client.get("/portal/challenges/URUMQI-W1/apply").get_data(as_text=True)
    assert "乌鲁木齐揭榜单位1" in form  # the unit comes from the account (shown by name), it is not typed in
    assert apply(client, APPLICATION).status_code == 302
    revised = dict(
        APPLICATION, plan="修订后的方案", plan_file=(io.BytesIO(b"%PDF-1.4 solution"), "方案书.pdf")
    )
    assert apply(client, revised).status_code == 302
    client.post("/logout", data={})
    client2 = client.application.test_client()
    login(client2, "solver2_urumqi")
    # team members are chosen from the people of the directory: a person the picker does not offer (another
    # jurisdiction's) is refused beside the field, nothing delivered
    refused = apply(client2, dict(APPLICATION, members="DAZU-P1"))
    assert refused.status_code == 422 and 'id="f-members-error"' in refused.get_data(as_text=True)
    assert apply(client2, dict(APPLICATION, members="URUMQI-P4")).status_code == 302
    challenge.at("2026-05-21T00:00:01+08:00")
    assert challenge.ready() == ["collect_applications"]
    # the workflow data lists the solvers; what they submitted is in the application table, one row each
    assert challenge.data["applications"] == [
        {"solver": "URUMQI-S1", "received_at": challenge.data["applications"][0]["received_at"]},
        {"solver": "URUMQI-S2", "received_at": challenge.data["applications"][1]["received_at"]},
    ]
    assert "application_received" not in challenge.data
    challenge.s.expire_all()
    received = application_records.records(challenge.s, "URUMQI-W1")
    assert sorted(received) == ["URUMQI-S1", "URUMQI-S2"]
    assert received["URUMQI-S1"].plan == "修订后的方案"  # the resubmission replaced the first one
    assert received["URUMQI-S2"].submitted_by == "solver2_urumqi"
    assert received["URUMQI-S1"].members == "URUMQI-P1,URUMQI-P2"  # the codes the diagrams split
    assert received["URUMQI-S1"].receipt == receipt_of(challenge.s, "URUMQI-W1", "URUMQI-S1")
    plan_file = application_records.content_of(received["URUMQI-S1"])["plan_file"]
    assert plan_file["name"] == "方案书.pdf"
    assert plan_file["sha256"] == hashlib.sha256(b"%PDF-1.4 solution").hexdigest()
    assert received["URUMQI-S1"].received_at.tzinfo is not None
    from engine import tasks

    (task,) = tasks.list_tasks(challenge.s, instance_id=challenge.id)
    staff = client.application.test_client()
    login(staff, "bureau_urumqi")
    page = staff.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'value="URUMQI-S1"' in page and 'value="URUMQI-S2"' in page and "修订后的方案" in page
    assert "方案书.pdf" in page  # the solution document travels with the application


def test_invalid_forged_or_late_applications_change_nothing(
    client: FlaskClient, challenge: Flow, db_session: Session
) -> None:
    """A missing plan, a forged solver code, another jurisdiction, an unlinked account and a late application
    are refused with a reason; the instance keeps no application."""
    login(client, "solver_urumqi")
    bad = apply(client, dict(APPLICATION, plan=""))
    assert bad.status_code == 422 and "必填" in bad.get_data(as_text=True)
    exe = apply(client, dict(APPLICATION, plan_file=(io.BytesIO(b"MZ"), "tool.exe")))
    assert exe.status_code == 422 and "tool.exe" not in str(challenge.data.get("applications"))
    forged = apply(client, dict(APPLICATION, solver="URUMQI-S3"))
    assert forged.status_code == 422
    other = client.application.test_client()
    login(other, "solver_dazu")
    assert apply(other, APPLICATION).status_code == 403
    unlinked = client.application.test_client()
    login(unlinked, "nolink_urumqi")
    page = apply(unlinked, APPLICATION)
    assert page.status_code == 403 and "尚未关联揭榜单位" in page.get_data(as_text=True)
    challenge.sim.set("2026-05-21T00:00:01+08:00")  # the window closed; the timer is not swept yet
    late = apply(client, APPLICATION)
    assert late.status_code == 409 and "2026-05-21T00:00:00+08:00" in late.get_data(as_text=True)
    challenge.at("2026-05-21T00:00:02+08:00")
    assert challenge.data["applications"] == []
    late = apply(client, APPLICATION)
    assert late.status_code == 409 and "截止" in late.get_data(as_text=True)


def test_milestone_reminder_reaches_the_checking_lane_before_the_due_date(
    client: FlaskClient, db_session: Session, start
) -> None:  # type: ignore[no-untyped-def]
    """001 八(七): issuer-led milestone checks in Dazu; the issuer and the solver are reminded 14 days
    (policy parameter reminder_days) before the due date, in their work queue."""
    for name in ("issuer_dazu", "issuer_urumqi", "solver_dazu"):
        db_session.scalar(select(User).where(User.username == name)).password_hash = _FAST_HASH
    milestone = {"title": "样机", "due_date": "2027-03-31", "indicators": "效率≥95%"}
    flow = implementing(start, "dazu", milestones=[milestone])
    db_session.commit()
    assert flow.info()["timers"][0]["due_at"].startswith("2027-03-16T16:00")  # 2027-03-17 00:00 +08:00
    login(client, "issuer_dazu")
    assert "样机" not in client.get("/tasks").get_data(as_text=True)
    assert flow.at("2027-03-17T08:00:00+08:00") == 1
    db_session.commit()
    page = client.get("/tasks").get_data(as_text=True)
    assert 'data-reminder="milestone"' in page and "样机" in page
    # the reminder says for which case, links to it (the issuer took part in it, so may read it), and says
    # what is due by when as the pages do: 24:00 of the milestone's day
    title = flow.data["title"]
    assert f'<a href="/instances/{flow.id}">{title}</a>' in page
    assert f"“{title}”的里程碑“样机”将于北京时间 2027年3月31日 24:00 到期" in page
    # the selected solver reads its own case file (as a party), so its reminder links there too
    solver = client.application.test_client()
    login(solver, "solver_dazu")
    mine = solver.get("/tasks").get_data(as_text=True)
    assert 'data-reminder="milestone"' in mine and f'<a href="/instances/{flow.id}">{title}</a>' in mine
    other = client.application.test_client()
    login(other, "issuer_urumqi")  # another jurisdiction sees nothing
    assert 'data-reminder="milestone"' not in other.get("/tasks").get_data(as_text=True)
    assert flow.ready() == []  # the reminder is not a task; the check comes at the due date
    flow.at("2027-04-01T08:00:00+08:00")
    assert flow.ready() == ["milestone_check"]
    db_session.commit()
    # due through 31 March: on 1 April, with the check not yet done, the reminder says its date has come
    page = client.get("/tasks").get_data(as_text=True)
    assert 'data-reminder="milestone"' in page and "2027年3月31日 24:00" in page and "已到期" in page
    flow.do(
        "milestone_check", {"milestone_passed": "yes", "milestone_panel": "甲,乙,丙,丁,戊"}, role="issuer"
    )
    db_session.commit()
    # the check is done: the milestone is no longer due, nor shown as overdue in the next 30 days
    page = client.get("/tasks").get_data(as_text=True)
    assert 'data-reminder="milestone"' not in page and "已逾期" not in page
    assert flow.ready() == ["issuer_stage_payment"]  # 001 十(二): the issuer's 30% after the stage review
    assert ledger.balance(db_session, flow.key)["disbursed_fen"] == 45_000_000  # 001 十(二): not staged


def test_the_public_looks_up_an_application_by_its_receipt(
    app: Any, client: FlaskClient, challenge: Flow
) -> None:
    """Issue 13 §2: the applicant's receipt number shows what was received, its status and the decision, on the
    public portal; nothing of the application's content, nor of anyone else's application."""
    import re

    login(client, "solver_urumqi")
    done = post(client, "/portal/challenges/URUMQI-W1/apply", APPLICATION, follow_redirects=True)
    shown = done.get_data(as_text=True)
    found = re.search(r"回执编号 (JB20260506-[0-9A-F]{8})", shown)
    assert found, shown
    receipt = found.group(1)
    again = post(client, "/portal/challenges/URUMQI-W1/apply", APPLICATION, follow_redirects=True)
    assert receipt in again.get_data(as_text=True)  # a resubmission keeps its receipt
    other = app.test_client()
    login(other, "solver2_urumqi")
    post(other, "/portal/challenges/URUMQI-W1/apply", dict(APPLICATION, members="URUMQI-P4"))

    public = app.test_client()
    page = public.get(f"/portal/receipts?number={receipt.lower()}").get_data(as_text=True)
    assert "高纯硅提纯关键技术" in page and "URUMQI-W1" in page
    assert "乌鲁木齐揭榜单位1" in page and "已提交，评审中" in page
    assert "分步提纯" not in page and "乌鲁木齐揭榜单位2" not in page  # not its content, not another's
    missing = public.get("/portal/receipts?number=JB20260506-00000000")
    assert (
        missing.status_code == 404
        and "没有找到回执编号为 JB20260506-00000000 的揭榜申请" in missing.get_data(as_text=True)
    )
    english = public.get(f"/portal/receipts?number={receipt}&lang=en").get_data(as_text=True)
    assert "Submitted, under review" in english and "Application: 高纯硅提纯关键技术" in english


def test_000_8_consortium_partners_are_checked_before_the_application_is_sent(
    client: FlaskClient, challenge: Flow
) -> None:
    """000 §8, 003 §8: a consortium is two or more distinct legal persons led by the solver. A partner is a
    registered unit chosen by name (its 统一社会信用代码 is checked when it is registered, GB 32100-2015); a code
    nobody registered, or the solver itself, is refused beside the field, and nothing is sent."""
    login(client, "solver_urumqi")
    unknown = apply(client, dict(APPLICATION, partners="91110000600037341L"))
    assert unknown.status_code == 422 and "没有代码为“91110000600037341L”的单位" in unknown.get_data(
        as_text=True
    )
    itself = apply(client, dict(APPLICATION, partners="URUMQI-S1"))
    assert itself.status_code == 422 and "揭榜方本身不能再列为合作单位" in itself.get_data(as_text=True)
    challenge.at("2026-05-06T10:00:00+08:00")
    assert challenge.data["applications"] == []
    valid = apply(client, dict(APPLICATION, partners="URUMQI-S2"))
    assert valid.status_code == 302


def test_000_8_the_partner_list_does_not_offer_the_applying_unit(
    client: FlaskClient, challenge: Flow
) -> None:
    """000 §8, 003 §8: the solver leads its consortium, so its own unit is not in the list of partners it may
    choose (another unit of the jurisdiction is); a forged choice of it is refused beside the field."""
    import re

    login(client, "solver_urumqi")
    page = client.get("/portal/challenges/URUMQI-W1/apply").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="partners".*?</select>', page, re.S)
    assert select is not None
    offered = set(re.findall(r'<option value="([^"]+)"', select.group(0)))
    assert "URUMQI-S2" in offered and "URUMQI-S1" not in offered
    itself = apply(client, dict(APPLICATION, partners="URUMQI-S1"))
    text = itself.get_data(as_text=True)
    assert itself.status_code == 422 and "“乌鲁木齐揭榜单位1”不能作为合作单位" in text
    assert "揭榜方本身不能再列为合作单位" in text


def _applications_in_history(client: FlaskClient, iid: int) -> list[str]:
    """The "收到揭榜申请" entries of the instance page's history, each as its text (the unit it names)."""
    import re

    answer = client.get(f"/instances/{iid}")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200, (answer.status_code, page[:3000])
    history = page[page.index('class="history"') : page.index("</section>", page.index('class="history"'))]
    entries = re.findall(r'<li class="event event-message_received">(.*?)</li>', history, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", e)).strip() for e in entries if "收到揭榜申请" in e]


@pytest.fixture
def race_challenge(db_session: Session, sim, calendar_loaded) -> Flow:  # type: ignore[no-untyped-def]
    """The challenge of :func:`challenge` whose need asks for a race (000 §12(1))."""
    return _published(db_session, sim, race_wanted=True)


def test_a_team_sees_only_its_own_application_arrive_the_bureau_every_one_by_name(
    client: FlaskClient, race_challenge: Flow
) -> None:
    """000 §12(7), engine.access: a racing team learns nothing of the other team's application — not even an
    empty "收到揭榜申请" line; the bureau reads every application's arrival with the unit's name."""
    from tests.lifecycle.conftest import panel, register_contract, score_all

    flow = race_challenge
    login(client, "solver_urumqi")
    assert apply(client, APPLICATION).status_code == 302
    client2 = client.application.test_client()
    login(client2, "solver2_urumqi")
    assert apply(client2, dict(APPLICATION, members="URUMQI-P4")).status_code == 302
    flow.at("2026-05-21T00:00:01+08:00")
    # the bureau sends its form as the page fills it: each application's record in the table
    received = application_records.submitted(flow.s, flow.key, flow.data)
    flow.do("collect_applications", {"applications": received})
    if "few_teams" in flow.ready():
        flow.do("few_teams", {"few_teams_choice": "proceed", "few_teams_reason": "领域冷门"})
    for name in ("e1", "e2", "e3", "e4", "e5"):
        add_user(flow.s, name, roles=["expert"])
    flow.do("form_panel", panel(["e1", "e2", "e3", "e4", "e5"]))
    score_all(flow, {"URUMQI-S1": 88, "URUMQI-S2": 87})
    race = {"mode": "race", "selected": "URUMQI-S1,URUMQI-S2", "contract_fen": "6,000,000"}
    race |= {"fiscal_support_fen": "2,000,000", "stage_due": "2026-11-30", "selection_reason": "路线不同"}
    flow.do("select", race)
    flow.do("approve", {"approval": "approve"})
    flow.at("2026-05-30T00:00:00+08:00")  # after the 7 days of publicity (000 §12(5))
    flow.do("sign_contract", {"period_months": 36, "ip_ownership": "发榜方", "disbursement_plan": "赛马"})
    register_contract(flow)
    flow.at("2026-12-01T00:00:00+08:00")  # the race stage ends: each team holds its stage report
    from engine import tasks

    for row in tasks.list_tasks(flow.s, instance_id=flow.id):
        if row.task_spec == "stage_report":
            tasks.claim(flow.s, row.id, actor=flow.member_of(str(row.candidate_org), "solver"))
    flow.s.commit()
    staff = client.application.test_client()
    login(staff, "bureau_urumqi")
    shown = {
        "solver_urumqi": _applications_in_history(client, flow.id),
        "solver2_urumqi": _applications_in_history(client2, flow.id),
        "bureau_urumqi": _applications_in_history(staff, flow.id),
    }
    assert len(shown["solver_urumqi"]) == 1 and "乌鲁木齐揭榜单位1" in shown["solver_urumqi"][0], shown
    assert len(shown["solver2_urumqi"]) == 1 and "乌鲁木齐揭榜单位2" in shown["solver2_urumqi"][0], shown
    assert sorted("单位1" in e for e in shown["bureau_urumqi"]) == [False, True], shown
    assert all("乌鲁木齐揭榜单位" in e for e in shown["bureau_urumqi"]), shown
