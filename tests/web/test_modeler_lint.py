"""POST /modeler/lint: the deployment's lane check (engine/lint.py lane_problems) on the one diagram the owner
is drawing, for the modeler's lint while drawing: the deployment's own words, in both languages, nothing
stored; only the roles that may deploy may ask."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models.deployment import Deployment
from engine.users import add_user
from tests.conftest import FIXTURES
from tests.web.conftest import _FAST_HASH, csrf_token, login

DRAWN = (FIXTURES / "lanes" / "milestone_round_drawn.bpmn").read_text(encoding="utf-8")
# 里程碑考核 dragged into the expert band, inside the subprocess: bpmn-js then names no lane for it
MOVED = DRAWN.replace("<bpmn:flowNodeRef>milestone_check</bpmn:flowNodeRef>\n", "").replace(
    '<dc:Bounds x="420" y="120" width="100" height="80"/>',
    '<dc:Bounds x="420" y="370" width="100" height="80"/>',
)


@pytest.fixture
def owner(db_session: Session) -> str:
    add_user(db_session, "owner_lint", roles=["process_owner"], password_hash=_FAST_HASH)
    return "owner_lint"


def _lint(client: FlaskClient, body: object) -> tuple[int, dict | None]:
    token = csrf_token(client, "/modeler/new")
    response = client.post("/modeler/lint", json=body, headers={"X-CSRFToken": token})
    return response.status_code, response.get_json(silent=True)


def test_the_lane_check_answers_for_the_diagram_as_drawn(
    client: FlaskClient, owner: str, db_session: Session
) -> None:
    login(client, owner)
    assert MOVED != DRAWN
    before = db_session.scalar(select(func.count()).select_from(Deployment))
    assert _lint(client, {"xml": DRAWN}) == (200, {"problems": []})
    status, found = _lint(client, {"xml": MOVED})
    assert status == 200 and found is not None
    (problem,) = found["problems"]
    assert problem["element"] == "milestone_check"
    assert problem["message_zh"] == (
        "任务“里程碑考核”画在“评审专家”泳道，但它在子流程“一轮实施”内，引擎按子流程所在的“科技局”泳道分派。"
        "请把它移到“科技局”泳道，或把子流程改为调用活动（callActivity）。"
    )
    assert problem["message"].startswith('Task "Milestone check" is drawn in the lane "Expert"')
    assert db_session.scalar(select(func.count()).select_from(Deployment)) == before


def test_what_is_not_a_diagram_yet_has_no_lane_problem_and_a_bad_request_is_refused(
    client: FlaskClient, owner: str
) -> None:
    login(client, owner)
    assert _lint(client, {"xml": "<bpmn:definitions"}) == (200, {"problems": []})
    assert _lint(client, {"xml": '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'}) == (
        200,
        {"problems": []},
    )
    assert _lint(client, {"files": {}})[0] == 400
    assert _lint(client, ["xml"])[0] == 400


def test_only_who_may_deploy_may_ask(client: FlaskClient, web_users: dict[str, str]) -> None:
    login(client, web_users["bureau"])
    token = csrf_token(client, "/tasks")
    assert (
        client.post("/modeler/lint", json={"xml": DRAWN}, headers={"X-CSRFToken": token}).status_code == 403
    )
