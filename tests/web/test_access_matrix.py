"""The access matrix: role × resource × face (web pages, API, CLI), each permission and each denial, on one
challenge with competing applicants, experts' scores, a refused unit's credit findings and an objection."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from engine.cli import cli
from engine.errors import Forbidden
from tests.web import access_case as ac
from tests.web.conftest import _FAST_HASH, login

#: What identifies each kind of data in a page or a JSON answer.
MARKERS = {
    "need": ac.NEED_PROBLEM,
    "own_plan": None,  # the viewer's own plan (per solver)
    "s1_plan": ac.S1_PLAN,
    "s2_plan": ac.S2_PLAN,
    "refused_plan": ac.BAD_PLAN,
    "credit": "serious_age",  # eligibility facts of units (only in the instance data: API and CLI)
    "objector_phone": ac.OBJECTOR_PHONE,
    "objector_name": ac.OBJECTOR_NAME,
    "objection_text": ac.OBJECTION_TEXT,
    "expert1_opinion": "expert_urumqi的个人意见",
    "expert2_opinion": "expert2_urumqi的个人意见",
}
ALL = frozenset(k for k, v in MARKERS.items() if v)
DATA_ONLY = frozenset({"credit"})
EVERYTHING = ALL
#: role (user) → what it sees of the instance; None: may not read it at all.
SEES: dict[str, frozenset[str] | None] = {
    "bureau_urumqi": EVERYTHING,
    "supervisor": EVERYTHING,
    "approver_urumqi": ALL - {"objector_phone", "objector_name", "expert1_opinion", "expert2_opinion"},
    "expert_urumqi": frozenset(
        {"need", "s1_plan", "s2_plan", "refused_plan", "objection_text", "expert1_opinion"}
    ),
    "expert2_urumqi": frozenset(
        {"need", "s1_plan", "s2_plan", "refused_plan", "objection_text", "expert2_opinion"}
    ),
    "issuer_urumqi": frozenset({"need", "objection_text"}),
    "recommender_urumqi": frozenset({"need", "objection_text"}),
    "solver_urumqi": frozenset({"need", "s1_plan", "objection_text"}),
    "solver2_urumqi": frozenset({"need", "s2_plan", "objection_text"}),
    "issuer2_urumqi": None,
    "bureau_dazu": None,
}


@pytest.fixture
def case(app: Flask, db_session: Session, sim, calendar_loaded, tmp_path: Path) -> ac.Case:  # type: ignore[no-untyped-def]
    return ac.build(db_session, sim, Path(app.config["UPLOAD_FOLDER"]), _FAST_HASH)


def _web(app: Flask, user: str, path: str) -> tuple[int, str]:
    client = app.test_client()
    login(client, user, "correct horse 42")
    response = client.get(path)
    return response.status_code, response.get_data(as_text=True)


def _api(client: FlaskClient, case: ac.Case, user: str, path: str, **kw: Any) -> Any:
    headers = {"Authorization": f"Bearer {case.tokens[user]}"}
    return getattr(client, kw.pop("method", "get"))(path, headers=headers, **kw)


def _cli(db_url: str, *args: str) -> tuple[BaseException | None, str]:
    env = {"JIEBANG_DATABASE_URL": db_url, "JIEBANG_SIMULATED_CLOCK": "1"}
    result = CliRunner().invoke(cli, [*args, "--json"], env=env)
    return result.exception, result.output


def _check(face: str, user: str, text: str, problems: list[str], *, data: bool) -> None:
    sees = SEES[user]
    assert sees is not None
    for name in ALL:
        marker = MARKERS[name]
        assert marker is not None
        if name in DATA_ONLY and not data:
            continue
        shown = marker in text
        if shown != (name in sees):
            problems.append(f"{face} {user}: {name} {'shown' if shown else 'missing'}")


def test_instance_matrix_on_every_face(app: Flask, case: ac.Case, db_url: str) -> None:
    client = app.test_client()
    iid = case.instance_id
    problems: list[str] = []
    for user, sees in SEES.items():
        status, page = _web(app, user, f"/instances/{iid}")
        shown = _api(client, case, user, f"/api/v1/instances/{iid}")
        events = _api(client, case, user, f"/api/v1/instances/{iid}/events?page_size=200")
        error, out = _cli(db_url, "instance", str(iid), "--as", user)
        error2, out2 = _cli(db_url, "events", str(iid), "--as", user)
        if sees is None:
            for face, code in (
                ("web", status),
                ("api", shown.status_code),
                ("api events", events.status_code),
            ):
                if code != 403:
                    problems.append(f"{face} {user}: {code}, expected 403")
            for face, exc in (("cli", error), ("cli events", error2)):
                if not isinstance(exc, Forbidden):
                    problems.append(f"{face} {user}: {exc!r}, expected Forbidden")
            continue
        assert status == 200 and shown.status_code == 200 and events.status_code == 200, user
        assert error is None and error2 is None, (user, error, error2)
        _check("web", user, page, problems, data=False)
        api_text = json.dumps([shown.json, events.json], ensure_ascii=False)
        _check("api", user, api_text, problems, data=True)
        _check("cli", user, out + out2, problems, data=True)
    assert problems == []


#: What each reader finds of the experts' score sheets in the instance's data (the ``review_sheet`` table,
#: engine.review_sheets, completed into ``reviews`` before the policy filters): the experts whose sheets it
#: reads. 000 §12(4): a panel member reads only his own sheet; a solver none — not even its own line on a sheet.
SHEETS_SEEN: dict[str, list[str]] = {
    "bureau_urumqi": ["expert_urumqi", "expert2_urumqi", "expert3_urumqi"],
    "supervisor": ["expert_urumqi", "expert2_urumqi", "expert3_urumqi"],
    "approver_urumqi": [],
    "expert_urumqi": ["expert_urumqi"],
    "expert2_urumqi": ["expert2_urumqi"],
    "issuer_urumqi": [],
    "solver_urumqi": [],
    "solver2_urumqi": [],
}


def test_score_sheets_in_the_instance_data_on_every_face(
    app: Flask, case: ac.Case, db_url: str, db_session: Session
) -> None:
    from engine import review_sheets

    # the sheets are in the table, the workflow data lists who scored
    sheets = review_sheets.sheets(db_session, ac.KEY)
    assert sorted(sheets) == ["expert2_urumqi", "expert3_urumqi", "expert_urumqi"]
    assert sheets["expert2_urumqi"].opinion == "expert2_urumqi的个人意见"
    client = app.test_client()
    problems: list[str] = []
    for user, experts in SHEETS_SEEN.items():
        api = _api(client, case, user, f"/api/v1/instances/{case.instance_id}").json["data"]
        _error, out = _cli(db_url, "instance", str(case.instance_id), "--as", user)
        cli = json.loads(out)["data"]
        for face, data in (("api", api), ("cli", cli)):
            reviews = data.get("reviews", [])
            if sorted(r["expert"] for r in reviews) != sorted(experts):
                problems.append(f"{face} {user}: {[r.get('expert') for r in reviews]}")
            for r in reviews:  # each sheet it reads is whole: the scores of both applicants and the opinion
                if [x["solver"] for x in r.get("scores", [])] != ["URUMQI-S1", "URUMQI-S2"]:
                    problems.append(f"{face} {user}: the sheet of {r['expert']} lacks its scores")
                if r.get("opinion") != f"{r['expert']}的个人意见":
                    problems.append(f"{face} {user}: the sheet of {r['expert']} lacks its opinion")
            if user.startswith("solver") and ("scores" in json.dumps(data) or "opinion" in data):
                problems.append(f"{face} {user}: reads a score")
    assert problems == []


def test_event_actors_are_hidden_below_oversight(app: Flask, case: ac.Case) -> None:
    client = app.test_client()
    path = f"/api/v1/instances/{case.instance_id}/events?page_size=200"
    actors = {e["actor"] for e in _api(client, case, "bureau_urumqi", path).json["items"]}
    assert {"expert2_urumqi", "issuer_urumqi"} <= actors
    seen_by_solver = {e["actor"] for e in _api(client, case, "solver_urumqi", path).json["items"]}
    assert seen_by_solver <= {None, "solver_urumqi"} and "solver_urumqi" in seen_by_solver
    seen_by_expert = {e["actor"] for e in _api(client, case, "expert_urumqi", path).json["items"]}
    assert seen_by_expert == {None, "expert_urumqi"}


def test_task_pages_matrix(app: Flask, case: ac.Case) -> None:
    client = app.test_client()
    post_need, mine, theirs = (
        case.post_need_task,
        case.stage_tasks["solver_urumqi"],
        case.stage_tasks["solver2_urumqi"],
    )
    expected = [
        ("issuer_urumqi", post_need, 200),
        ("issuer2_urumqi", post_need, 403),
        ("bureau_dazu", post_need, 403),
        ("solver_urumqi", post_need, 403),
        ("solver_urumqi", mine, 200),
        ("solver2_urumqi", theirs, 200),
        ("issuer_urumqi", mine, 403),
        ("expert_urumqi", mine, 403),
    ]
    for user, task, status in expected:
        web_status, page = _web(app, user, f"/tasks/{task}")
        api_status = _api(client, case, user, f"/api/v1/tasks/{task}").status_code
        assert (user, task, web_status, api_status) == (user, task, status, status)
        if status == 200:
            assert ac.OBJECTOR_PHONE not in page and ac.BAD_PLAN not in page
    _status, page = _web(app, "solver_urumqi", f"/tasks/{mine}")
    assert ac.S1_PLAN in page and ac.S2_PLAN not in page
    data = json.dumps(_api(client, case, "solver_urumqi", f"/api/v1/tasks/{mine}").json, ensure_ascii=False)
    assert ac.S1_PLAN in data and ac.S2_PLAN not in data and "serious_age" not in data
    assert ac.OBJECTOR_PHONE not in data and "expert2_urumqi的个人意见" not in data


def test_downloads_matrix(app: Flask, case: ac.Case) -> None:
    s1, s2 = case.plan_files["URUMQI-S1"]["sha256"], case.plan_files["URUMQI-S2"]["sha256"]
    expected = [
        ("bureau_urumqi", s1, 200),
        ("bureau_urumqi", s2, 200),
        ("expert_urumqi", s2, 200),
        ("solver_urumqi", s1, 200),
        ("solver_urumqi", s2, 404),
        ("solver2_urumqi", s2, 200),
        ("solver2_urumqi", s1, 404),
        ("issuer_urumqi", s1, 404),
        ("issuer2_urumqi", s1, 403),
        ("bureau_dazu", s1, 403),
    ]
    got = [(u, f, _web(app, u, f"/instances/{case.instance_id}/files/{f}")[0]) for u, f, _ in expected]
    assert got == expected


def test_objector_identity_only_for_oversight_on_the_page(app: Flask, case: ac.Case) -> None:
    _status, page = _web(app, "issuer_urumqi", f"/instances/{case.instance_id}")
    assert ac.OBJECTION_TEXT in page and "异议人身份仅科技局可见" in page
    _status, page = _web(app, "bureau_urumqi", f"/instances/{case.instance_id}")
    assert ac.OBJECTOR_NAME in page and ac.OBJECTOR_PHONE in page


def test_lists_are_filtered_in_sql(app: Flask, case: ac.Case) -> None:
    client = app.test_client()
    totals = {
        user: _api(client, case, user, "/api/v1/instances").json["total"]
        for user in ("bureau_urumqi", "solver_urumqi", "issuer2_urumqi", "bureau_dazu", "expert_urumqi")
    }
    assert totals == {
        "bureau_urumqi": 1,
        "solver_urumqi": 1,
        "issuer2_urumqi": 0,
        "bureau_dazu": 0,
        "expert_urumqi": 1,
    }


def test_who_may_start_matrix(app: Flask, case: ac.Case, db_url: str) -> None:
    client = app.test_client()
    start = {"jurisdiction": "urumqi", "title": "新需求", "issuer_code": "URUMQI-ISS", "project_code": "N-1"}
    refused = [
        ("solver_urumqi", "termination", {"jurisdiction": "urumqi", "project": "URUMQI-S2"}),
        # an issuer posts needs for its own unit only (the call's needRoles let issuers post, as in Dazu)
        ("issuer_urumqi", "urumqi_challenge", {**start, "issuer_code": "URUMQI-S1"}),
        ("bureau_dazu", "urumqi_challenge", start),
        ("expert_urumqi", "urumqi_annual_summary", {"jurisdiction": "urumqi", "year": 2026}),
    ]
    for user, process, data in refused:
        response = _api(
            client, case, user, "/api/v1/instances", method="post", json={"process": process, "data": data}
        )
        assert response.status_code == 403, (user, process, response.json)
        error, _out = _cli(db_url, "start", process, "--data", json.dumps(data), "--as", user)
        assert isinstance(error, Forbidden), (user, process, error)
    allowed = _api(client, case, "bureau_urumqi", "/api/v1/instances", method="post",
                   json={"process": "urumqi_challenge", "data": start})  # fmt: skip
    assert allowed.status_code == 201, allowed.json
    error, out = _cli(
        db_url, "start", "urumqi_challenge", "--data", json.dumps(start), "--as", "bureau_urumqi"
    )
    assert error is None and json.loads(out)["status"] == "running"


def test_the_instance_shows_each_application_as_submitted(app: Flask, case: ac.Case, db_url: str) -> None:
    """The applications live in their table (issue 15): the API's and the CLI's instance show them whole, as the
    task and the pages do, and a solver still reads its own alone."""
    client = app.test_client()
    path = f"/api/v1/instances/{case.instance_id}"
    bureau = json.dumps(_api(client, case, "bureau_urumqi", path).json, ensure_ascii=False)
    assert ac.S1_PLAN in bureau and ac.S2_PLAN in bureau
    error, out = _cli(db_url, "instance", str(case.instance_id), "--as", "bureau_urumqi")
    assert error is None and ac.S1_PLAN in out and ac.S2_PLAN in out
    solver = json.dumps(_api(client, case, "solver_urumqi", path).json, ensure_ascii=False)
    assert ac.S1_PLAN in solver and ac.S2_PLAN not in solver
