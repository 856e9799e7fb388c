"""A 赛马 team never reads a competing team's case data — stage reports, stage assessments, files, money — on the
web, the API or the CLI (the one access policy, engine.access); each team's stage assessment is assigned to one
panel member, and the others are refused clearly (000 §12(4), §12(6), §12(7)).

The case is the access matrix's Urumqi race of two teams (tests/web/access_case.py), carried on: both teams
report their stage, the assigned experts assess them, the issuer keeps 揭榜单位1 and the bureau clears
揭榜单位2's exit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from engine import tasks
from tests.web import access_case as ac
from tests.web.conftest import _FAST_HASH
from tests.web.test_access_matrix import _api, _cli, _web

REPORT = {"URUMQI-S1": "S1阶段成果：识别准确率95%", "URUMQI-S2": "S2阶段成果：识别准确率91%"}
OPINION = {"URUMQI-S1": "对S1的阶段考核意见：达到要求", "URUMQI-S2": "对S2的阶段考核意见：基本达到"}
#: 揭榜单位2 returns 123,456 元 on its exit (000 §12(6)): its money, shown in 元 on the page, in fen in data
S2_RETURNED = ("123,456.00", "12345600")
#: what the winner is still owed of its own support (2,000,000 − 400,000 元), on the books
S1_OWED = "1,600,000.00"
UNIT = {"URUMQI-S1": "乌鲁木齐揭榜单位1", "URUMQI-S2": "乌鲁木齐揭榜单位2"}
SOLVER_OF = {"solver_urumqi": "URUMQI-S1", "solver2_urumqi": "URUMQI-S2"}


class Race:
    def __init__(self, case: ac.Case, reviews: dict[str, str], files: dict[str, dict[str, Any]]) -> None:
        self.case, self.reviews, self.files = case, reviews, files


def _report(s: Session, case: ac.Case, uploads: Path) -> dict[str, dict[str, Any]]:
    files = {}
    for user, task_id in case.stage_tasks.items():
        unit = SOLVER_OF[user]
        files[unit] = ac._store(uploads, f"%PDF-1.4 {unit} stage".encode(), f"{unit[-2:]}阶段报告.pdf")
        tasks.complete(s, task_id, actor=user, data={"achieved": REPORT[unit], "report_file": files[unit]})
    return files


def _reviews(s: Session, iid: int) -> dict[str, tuple[str, str]]:
    """Each stage assessment: assigned expert → (task id, the team it assesses)."""
    from uuid import UUID

    from engine.models.instance import ProcessInstance
    from engine.runtime import load_workflow

    wf = load_workflow(s, s.get(ProcessInstance, iid))
    return {
        t.assignee: (t.id, wf.get_task_from_id(UUID(t.id)).data["team"]["solver"])
        for t in tasks.list_tasks(s, instance_id=iid)
        if t.task_spec == "stage_review"
    }


@pytest.fixture
def race(app: Flask, db_session: Session, sim, calendar_loaded) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    uploads = Path(app.config["UPLOAD_FOLDER"])
    case = ac.build(db_session, sim, uploads, _FAST_HASH)
    files = _report(db_session, case, uploads)
    return {"case": case, "files": files, "reviews": _reviews(db_session, case.instance_id)}


def _finish(s: Session, race: dict[str, Any]) -> None:
    iid = race["case"].instance_id
    for expert, (task_id, unit) in race["reviews"].items():
        data = {"stage_passed": "yes", "stage_score": 90, "stage_opinion": OPINION[unit]}
        tasks.complete(s, task_id, actor=expert, data=data)
    outcome = {
        "race_outcome": "best",
        "continuing": "URUMQI-S1",
        "exit_application": "揭榜单位2退出，申请清算",
    }
    ac._do(s, iid, "race_outcome", "issuer_urumqi", outcome)
    clearing = {"exit_clearing": [{"solver": "URUMQI-S2", "unspent_fen": "123,456"}], "exits_approved": True}
    ac._do(s, iid, "approve_exits", "bureau_urumqi", clearing)


def test_000_12_7_each_teams_assessment_is_one_panel_members_only(
    app: Flask, race: dict[str, Any], db_url: str
) -> None:
    case, reviews = race["case"], race["reviews"]
    client = app.test_client()
    # the panel in its order: expert_urumqi assesses 揭榜单位1, expert2_urumqi 揭榜单位2; expert3_urumqi none
    assert {expert: unit for expert, (_id, unit) in reviews.items()} == {
        "expert_urumqi": "URUMQI-S1",
        "expert2_urumqi": "URUMQI-S2",
    }
    s1_review = reviews["expert_urumqi"][0]
    for expert, expected in (("expert_urumqi", [s1_review]), ("expert2_urumqi", [reviews["expert2_urumqi"][0]]),
                             ("expert3_urumqi", [])):  # fmt: skip
        listed = _api(client, case, expert, f"/api/v1/tasks?instance={case.instance_id}&page_size=100").json
        assert [t["id"] for t in listed["items"] if t["task"] == "stage_review"] == expected, expert
        error, out = _cli(db_url, "tasks", "--instance", str(case.instance_id), "--as", expert)
        assert error is None and [t["id"] for t in json.loads(out) if t["task"] == "stage_review"] == expected
    # another expert opening it: a refusal that says why and what to do, on the page and in the API
    status, page = _web(app, "expert2_urumqi", f"/tasks/{s1_review}")
    assert status == 403 and "已指派给他人" in page and "请联系科技局" in page
    answer = _api(client, case, "expert3_urumqi", f"/api/v1/tasks/{s1_review}")
    assert answer.status_code == 403 and "已指派给他人" in answer.json["detail"]
    done = _api(
        client,
        case,
        "expert2_urumqi",
        f"/api/v1/tasks/{s1_review}/complete",
        method="post",
        json={"data": {"stage_passed": "no", "stage_score": 10}},
    )
    assert done.status_code == 403
    status, page = _web(app, "expert_urumqi", f"/tasks/{s1_review}")
    assert status == 200 and REPORT["URUMQI-S1"] in page
    # the instance page tells a team that its assessment is assigned, not to whom (the panel is the staff's)
    for user, names in (("solver2_urumqi", False), ("issuer_urumqi", False), ("bureau_urumqi", True)):
        page = _web(app, user, f"/instances/{case.instance_id}")[1]
        waiting = page[page.index("待办环节") : page.index('id="documents"')]
        assert ("指派给 expert2_urumqi" in waiting) == names and ("已指派" in waiting) != names, user


def _books(page: str) -> str:
    """The books section of an instance page (web/templates: ``id="books"``)."""
    start = page.index('id="books"')
    return page[start : page.index("</section>", start)]


def _faces(app: Flask, case: ac.Case, db_url: str, user: str) -> dict[str, str]:
    iid = case.instance_id
    client = app.test_client()
    status, page = _web(app, user, f"/instances/{iid}")
    shown = _api(client, case, user, f"/api/v1/instances/{iid}")
    events = _api(client, case, user, f"/api/v1/instances/{iid}/events?page_size=200")
    error, out = _cli(db_url, "instance", str(iid), "--as", user)
    error2, out2 = _cli(db_url, "events", str(iid), "--as", user)
    assert (status, shown.status_code, events.status_code, error, error2) == (200, 200, 200, None, None), user
    return {"web": page, "api": json.dumps([shown.json, events.json], ensure_ascii=False), "cli": out + out2}


def test_000_12_7_a_race_team_reads_only_its_own_stage_money_and_files(
    app: Flask, db_session: Session, race: dict[str, Any], db_url: str
) -> None:
    case, files = race["case"], race["files"]
    _finish(db_session, race)
    problems = []
    for user, own in SOLVER_OF.items():
        other = "URUMQI-S2" if own == "URUMQI-S1" else "URUMQI-S1"
        for face, text in _faces(app, case, db_url, user).items():
            for what, marker, shown in (
                ("own report", REPORT[own], True),
                ("other's report", REPORT[other], False),
                ("other's assessment", OPINION[other], False),
                ("other's report file", files[other]["name"], False),
                ("own report file", files[own]["name"], True),
            ):
                if (marker in text) != shown:
                    problems.append(f"{face} {user}: {what} {'shown' if not shown else 'missing'}")
        sha = {unit: f["sha256"] for unit, f in files.items()}
        assert _web(app, user, f"/instances/{case.instance_id}/files/{sha[other]}")[0] == 404
        assert _web(app, user, f"/instances/{case.instance_id}/files/{sha[own]}")[0] == 200
    # money (000 §12(6)): each team's books hold its own team only — the loser's return of 123,456 元 is its own,
    # the winner's 1,600,000 元 still owed and 6,000,000 元 contract are the winner's
    winner = _faces(app, case, db_url, "solver_urumqi")
    loser = _faces(app, case, db_url, "solver2_urumqi")
    for face in ("web", "api", "cli"):
        if any(m in winner[face] for m in S2_RETURNED):
            problems.append(f"{face} solver_urumqi: the other team's recovery shown")
    won, lost = _books(winner["web"]), _books(loser["web"])
    assert UNIT["URUMQI-S2"] not in won and S2_RETURNED[0] not in won and S1_OWED in won
    assert UNIT["URUMQI-S1"] not in lost and S2_RETURNED[0] in lost
    assert problems == []


def test_000_12_7_the_issuer_and_the_bureau_read_every_team(
    app: Flask, db_session: Session, race: dict[str, Any], db_url: str
) -> None:
    case = race["case"]
    _finish(db_session, race)
    for user in ("issuer_urumqi", "bureau_urumqi"):
        faces = _faces(app, case, db_url, user)
        for face in ("api", "cli"):
            text = faces[face]
            assert all(r in text for r in REPORT.values()) and all(o in text for o in OPINION.values()), (
                user,
                face,
            )
        books = _books(faces["web"])
        assert all(unit in books for unit in UNIT.values()) and S2_RETURNED[0] in books and S1_OWED in books


def test_000_12_6_the_books_say_the_plan_and_contract_are_per_team(
    app: Flask, db_session: Session, race: dict[str, Any]
) -> None:
    """000 §12(1), §12(6): Urumqi supports each race team with its own 2,000,000 元 and contract of 6,000,000 元
    (race_support_per_team); the bureau's books say the plan is 2 teams × 2,000,000 元 and the contract is each
    team's, in Chinese and in English; a team's books say the support is its own."""
    case = race["case"]
    _finish(db_session, race)
    path = f"/instances/{case.instance_id}"
    bureau = _books(_web(app, "bureau_urumqi", path)[1])
    assert "4,000,000.00" in bureau and "（2 个团队 × 每个团队 2,000,000.00 元）" in bureau
    # the contract is each team's; after the race only the winner's runs, so no total of all teams is stated
    assert "合同金额（元，每个团队，发榜方拨付该团队）" in bureau and "12,000,000.00" not in bureau
    english = _books(_web(app, "bureau_urumqi", f"{path}?lang=en")[1])
    assert "(2 teams × CNY 2,000,000.00 per team)" in english and "Contract (CNY, per team" in english
    assert "个团队" not in english
    team = _books(_web(app, "solver_urumqi", path)[1])
    assert "本团队的财政支持" in team and "2 个团队" not in team
