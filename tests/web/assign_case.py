"""A Dazu challenge at its expert scoring (a panel of five, 专家甲 the chair, holding the panel chair's role) and a second Dazu challenge of
another issuer organisation waiting for its need, for the assignment tests (web, API and browser)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from engine import instances, tasks
from engine.bundle import collect_paths
from engine.deploy import deploy_bundle
from engine.models.domain import Organisation, Person
from engine.models.task import HumanTask
from engine.users import add_user
from tests.lifecycle.conftest import application, need, panel

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
#: the panel: user name → display name (the first is the chair)
EXPERTS = {"e1": "专家甲", "e2": "专家乙", "e3": "专家丙", "e4": "专家丁", "e5": "专家戊"}
CHAIR = "e1"
#: an expert outside the panel, who may be given a member's scoring
SPARE = ("e6", "专家己")
OTHER_ORG = ("DAZU-ISS2", "大足第二发榜企业")
USERS: dict[str, tuple[str, str]] = {
    "bureau_dazu": ("bureau", "大足科技局王科员"),
    "issuer_dazu": ("issuer", "大足硅业联络人"),  # linked to DAZU-ISS by web.demo.load_organisations
    "issuer2_dazu": ("issuer", "第二发榜企业联络人"),
    "approver_dazu": ("approver", "区政府审批人"),
    # the chair holds the panel chair's role only: their own scoring is theirs all the same
    **{name: ("panel_chair" if name == CHAIR else "expert", shown) for name, shown in EXPERTS.items()},
    SPARE[0]: ("expert", SPARE[1]),
}


@dataclass
class AssignCase:
    scoring: int  # the instance at its expert scoring
    other: int  # the instance of the other issuer organisation, at post_need
    score_tasks: dict[str, str]  # expert → their scoring task id
    other_need_task: str


def ready(s: Session, iid: int, spec: str) -> list[HumanTask]:
    return [t for t in tasks.list_tasks(s, instance_id=iid) if t.task_spec == spec]


def do(s: Session, iid: int, spec: str, actor: str, data: dict[str, Any]) -> None:
    (row,) = ready(s, iid, spec)
    tasks.complete(s, row.id, actor=actor, data=data)


def _start(s: Session, key: str, issuer_code: str) -> int:
    return instances.start_instance(
        s,
        "dazu_challenge",
        business_key=key,
        data={
            "jurisdiction": "dazu",
            "title": "高纯硅提纯关键技术",
            "issuer_code": issuer_code,
            "project_code": key,
            "notice_call_closes": "2026-12-31T18:00:00+08:00",
        },
        actor="bureau_dazu",
    ).id


def build(s: Session, sim: Any, password_hash: str) -> AssignCase:
    from web.demo import DEMO_REGIONS, demo_uscc, load_organisations

    for name, (role, shown) in USERS.items():
        add_user(s, name, roles=[role], jurisdiction="dazu", display_name=shown, password_hash=password_hash)
    load_organisations(s)
    # a local legal person of Dazu (001 五(一)1): a valid USCC and the district's region
    uscc = demo_uscc(OTHER_ORG[0], DEMO_REGIONS["dazu"])
    s.add(Organisation(code=OTHER_ORG[0], name=OTHER_ORG[1], jurisdiction="dazu", uscc=uscc, region="500111"))
    s.add(
        Person(
            code="DAZU-PISS2", name="第二发榜企业联络人", organisation=OTHER_ORG[0], username="issuer2_dazu"
        )
    )
    s.commit()
    deploy_bundle(s, collect_paths([BPMN]))
    sim.set("2026-05-06T09:00:00+08:00")

    iid = _start(s, "DAZU-AS-1", "DAZU-ISS")
    do(s, iid, "post_need", "issuer_dazu", need())
    review = {"importance": 9, "feasibility": 8, "difficulty": 7, "need_listed_decision": "list"}
    do(s, iid, "form_need_panel", "bureau_dazu", panel(["e2", *[e for e in EXPERTS if e != "e2"]][:5]))
    do(s, iid, "need_review", "e2", review)  # the need-selection panel's lead (001 八(二))
    do(s, iid, "municipal_check", "bureau_dazu", {"taken_municipal": "no"})
    do(s, iid, "list_review", "approver_dazu", {"list_review": "approve"})
    do(s, iid, "publish_list", "bureau_dazu", {"list_published_on": "2026-05-06"})
    apps = [application("DAZU-S1", "DAZU-P1,DAZU-P2"), application("DAZU-S2", "DAZU-P4")]
    do(s, iid, "collect_applications", "bureau_dazu", {"applications": apps})
    do(s, iid, "form_panel", "bureau_dazu", panel(list(EXPERTS)))
    score_tasks = {row.assignee or "": row.id for row in ready(s, iid, "score")}

    other = _start(s, "DAZU-AS-2", OTHER_ORG[0])
    (need_task,) = ready(s, other, "post_need")
    return AssignCase(iid, other, score_tasks, need_task.id)


def scores(one: int, two: int) -> dict[str, Any]:
    return {
        "scores": [{"solver": "DAZU-S1", "score": one}, {"solver": "DAZU-S2", "score": two}],
        "opinion": "同意",
    }
