"""Work assigned to people (engine.assignment, engine.access.rows, engine.reassign) on every face: each panel
member gets exactly their own scoring task; an issuer of one organisation never sees another's; the bureau
reassigns with a reason, recorded in the timeline and the audit trail, and the new assignee is notified."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit, tasks
from engine.access import policy
from engine.access.principal import principal
from engine.api_tokens import create_token
from engine.errors import Forbidden
from engine.models.event import InstanceEvent
from engine.models.instance import ProcessInstance
from engine.models.notification import Notification
from engine.models.task import HumanTask
from engine.users import get_user
from tests.web.assign_case import EXPERTS, SPARE, AssignCase, build, do, ready, scores
from tests.web.conftest import _FAST_HASH, login, post

TASK_ROW = re.compile(r'<tr data-task="([^"]+)">')


@pytest.fixture
def case(db_session: Session, sim, calendar_loaded) -> AssignCase:  # type: ignore[no-untyped-def]
    return build(db_session, sim, _FAST_HASH)


def signed_in(app: Flask, user: str) -> FlaskClient:
    client = app.test_client()
    login(client, user)
    return client


def _queue(client: FlaskClient) -> set[str]:
    return set(TASK_ROW.findall(client.get("/tasks").get_data(as_text=True)))


def _api(client: FlaskClient, token: str, path: str, **kw):  # type: ignore[no-untyped-def]
    return client.open(path, headers={"Authorization": f"Bearer {token}"}, **kw)


def test_the_diagram_assigns_each_scoring_to_its_expert(case: AssignCase, db_session: Session) -> None:
    # expert_scoring.bpmn: spiffworkflow:property assignee = expert (the multi-instance element)
    assert set(case.score_tasks) == set(EXPERTS)
    rows = [db_session.get(HumanTask, t) for t in case.score_tasks.values()]
    assert {r.assigned_by for r in rows if r} == {"process"}
    # dazu_challenge.bpmn: post_need's candidateOrganisation = issuer_code
    other = db_session.get(HumanTask, case.other_need_task)
    assert other is not None and other.candidate_org == "DAZU-ISS2" and other.assignee is None


def test_each_panel_member_sees_and_does_only_their_own_scoring(
    case: AssignCase, app: Flask, db_session: Session
) -> None:
    for expert, task_id in case.score_tasks.items():
        client = signed_in(app, expert)
        queue = _queue(client)
        assert task_id in queue
        assert not queue & (set(case.score_tasks.values()) - {task_id}), f"{expert} sees another's scoring"
        assert client.get(f"/tasks/{task_id}").status_code == 200
    # 专家乙 opens and submits 专家甲's scoring: refused, nothing changes
    mine, theirs = case.score_tasks["e2"], case.score_tasks["e1"]
    client = signed_in(app, "e2")
    assert client.get(f"/tasks/{theirs}").status_code == 403
    refused = post(client, f"/tasks/{theirs}", {"action": "submit"}, token_from=f"/tasks/{mine}")
    assert refused.status_code == 403
    assert db_session.get(HumanTask, theirs).status == "ready"  # type: ignore[union-attr]
    # the engine's own door (CLI and drivers) refuses too
    with pytest.raises(Forbidden):
        tasks.complete(db_session, theirs, actor="e2", data=scores(80, 70))
    db_session.rollback()


def test_the_api_gives_each_expert_only_their_own_scoring(
    case: AssignCase, client: FlaskClient, db_session: Session
) -> None:
    e1 = create_token(db_session, "e1", "api").plaintext
    e2 = create_token(db_session, "e2", "api").plaintext
    listed = _api(client, e2, f"/api/v1/tasks?instance={case.scoring}").json
    assert [t["id"] for t in listed["items"]] == [case.score_tasks["e2"]]
    assert listed["items"][0]["assignee"] == "e2"
    assert _api(client, e2, f"/api/v1/tasks/{case.score_tasks['e1']}").status_code == 403
    done = _api(
        client,
        e2,
        f"/api/v1/tasks/{case.score_tasks['e1']}/complete",
        method="POST",
        json={"data": scores(1, 2)},
    )
    assert done.status_code == 403
    assert _api(client, e1, f"/api/v1/tasks/{case.score_tasks['e1']}").status_code == 200


def test_an_issuer_never_sees_another_organisations_task(
    case: AssignCase, app: Flask, client: FlaskClient, db_session: Session
) -> None:
    issuer = signed_in(app, "issuer_dazu")
    assert case.other_need_task not in _queue(issuer)
    assert issuer.get(f"/tasks/{case.other_need_task}").status_code == 403
    client = signed_in(app, "issuer2_dazu")
    assert case.other_need_task in _queue(client)
    page = client.get("/tasks").get_data(as_text=True)
    assert "大足第二发榜企业" in page and "DAZU-ISS2" not in page  # the organisation by its name
    token = create_token(db_session, "issuer_dazu", "api").plaintext
    assert _api(client, token, f"/api/v1/tasks/{case.other_need_task}").status_code == 403
    with pytest.raises(Forbidden):
        tasks.claim(db_session, case.other_need_task, actor="issuer_dazu")
    db_session.rollback()


def test_the_bureau_reassigns_with_a_reason(case: AssignCase, app: Flask, db_session: Session) -> None:
    task_id = case.score_tasks["e3"]
    client = signed_in(app, "bureau_dazu")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "指派给 专家丙" in page and "改派任务" in page and "专家己" in page
    assert 'name="to"' in page and 'value="e3"' not in page  # not to whom it is assigned already
    # without a reason: refused with the reason why, nothing changes
    refused = post(
        client, f"/tasks/{task_id}/reassign", {"to": SPARE[0], "reason": " "}, token_from=f"/tasks/{task_id}"
    )
    assert refused.status_code == 422 and "请填写改派理由" in refused.get_data(as_text=True)
    assert db_session.get(HumanTask, task_id).assignee == "e3"  # type: ignore[union-attr]
    # to someone who may not do it (an issuer): refused
    refused = post(
        client,
        f"/tasks/{task_id}/reassign",
        {"to": "issuer_dazu", "reason": "回避"},
        token_from=f"/tasks/{task_id}",
    )
    assert refused.status_code == 422 and "请从列表中选择" in refused.get_data(as_text=True)

    done = post(
        client,
        f"/tasks/{task_id}/reassign",
        {"to": SPARE[0], "reason": "专家丙与申报单位存在利益关系，回避"},
        token_from=f"/tasks/{task_id}",
        follow_redirects=True,
    )
    assert done.status_code == 200 and "已改派给 专家己" in done.get_data(as_text=True)
    db_session.rollback()  # a fresh read of what the web request committed
    row = db_session.get(HumanTask, task_id)
    assert row is not None and (row.assignee, row.assigned_by) == ("e6", "bureau")
    event = db_session.scalars(
        select(InstanceEvent).where(InstanceEvent.kind == "task_reassigned", InstanceEvent.task_id == task_id)
    ).one()
    assert event.actor == "bureau_dazu"
    assert json.loads(event.data_json or "{}")["reason"] == "专家丙与申报单位存在利益关系，回避"
    (trail,) = [e for e in audit.list_events(db_session, user="e6") if e.event == "task_reassigned"]
    assert trail.actor == "bureau_dazu" and json.loads(trail.detail_json)["from"] == "e3"
    note = db_session.scalars(
        select(Notification).where(Notification.recipient == "e6", Notification.link == f"/tasks/{task_id}")
    ).one()
    assert note.kind == "task_ready" and note.link == f"/tasks/{task_id}"
    # the timeline shows it, by names
    timeline = client.get(f"/instances/{case.scoring}").get_data(as_text=True)
    entry = timeline[timeline.index("event-task_reassigned") :]
    entry = entry[: entry.index("</li>")]
    assert (
        "改派" in entry
        and "专家己" in entry
        and "原办理人" in entry
        and "专家丙" in entry
        and "回避" in entry
    )
    # the old assignee lost it, the new one has it
    e3 = signed_in(app, "e3")
    assert task_id not in _queue(e3)
    assert e3.get(f"/tasks/{task_id}").status_code == 403
    assert task_id in _queue(signed_in(app, "e6"))
    tasks.complete(db_session, task_id, actor="e6", data=scores(88, 60))


def test_only_the_bureau_reassigns(case: AssignCase, client: FlaskClient) -> None:
    task_id = case.score_tasks["e1"]
    login(client, "e1")
    refused = post(
        client, f"/tasks/{task_id}/reassign", {"to": "e6", "reason": "x"}, token_from=f"/tasks/{task_id}"
    )
    assert refused.status_code == 403
    assert "改派任务" not in client.get(f"/tasks/{task_id}").get_data(as_text=True)


def test_a_panel_member_sees_only_their_own_scores_and_the_ranking_once_all_scored(
    case: AssignCase, db_session: Session
) -> None:
    def seen_by(user: str) -> dict:
        instance = db_session.get(ProcessInstance, case.scoring)
        assert instance is not None
        from engine.instances import describe

        viewer = policy.instance_viewer(db_session, principal(get_user(db_session, user)), instance)
        return policy.data_view(describe(db_session, case.scoring)["data"], viewer)

    tasks.complete(db_session, case.score_tasks["e1"], actor="e1", data=scores(90, 70))
    tasks.complete(db_session, case.score_tasks["e2"], actor="e2", data=scores(80, 75))
    chair = seen_by("e1")
    assert "review_ranking" not in chair  # 000 §12(4): not before every member has scored
    assert [r["expert"] for r in chair.get("reviews", [])] in ([], ["e1"])
    for expert in ("e3", "e4", "e5"):
        tasks.complete(db_session, case.score_tasks[expert], actor=expert, data=scores(85, 65))
    assert ready(db_session, case.scoring, "score") == []
    chair = seen_by("e1")
    assert [r["solver"] for r in chair["review_ranking"]] == ["DAZU-S1", "DAZU-S2"]
    assert [r["expert"] for r in chair["reviews"]] == ["e1"]  # still only their own scores
    outsider = seen_by("e6")  # an expert of Dazu not on this panel: still only what is theirs
    assert "reviews" not in outsider


def test_an_assigned_task_cannot_be_given_back_but_a_claim_can(case: AssignCase, db_session: Session) -> None:
    from engine.errors import Conflict

    with pytest.raises(Conflict):
        tasks.unclaim(db_session, case.score_tasks["e1"], actor="e1")
    db_session.rollback()
    tasks.claim(db_session, case.other_need_task, actor="issuer2_dazu")
    tasks.unclaim(db_session, case.other_need_task, actor="issuer2_dazu")
    do(db_session, case.other, "post_need", "issuer2_dazu", _need())


def _need() -> dict:
    from tests.lifecycle.conftest import need

    return need()
