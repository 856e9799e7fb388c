"""A Urumqi challenge in the middle of its life, for the access tests: three applicants (one refused for a team
member in a penalty period), three experts' scores, an objection with the objector's name and phone, a race of two teams whose
solvers each hold a stage report — and every role of the jurisdiction as a web user and an API token."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import instances, messages, tasks
from engine.api_tokens import create_token
from engine.bundle import collect_paths
from engine.deploy import deploy_bundle
from engine.models.domain import Person
from engine.models.task import HumanTask
from engine.runtime import load_workflow
from engine.timers import sweep
from engine.users import add_user

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
KEY = "URUMQI-AC-1"
#: Strings that identify one party's data on a page or in JSON.
S1_PLAN = "S1的保密技术路线"
S2_PLAN = "S2的保密技术路线"
BAD_PLAN = "BAD单位的方案"
OBJECTOR_NAME = "异议人李四"
OBJECTOR_PHONE = "13912345678"
OBJECTION_TEXT = "该项目的中试数据与事实不符，请核查。"
NEED_PROBLEM = "提纯工艺能耗高"
#: Users: name → (role, linked person code or None). The solvers are linked to URUMQI-S1 and URUMQI-S2.
USERS = {
    "bureau_urumqi": ("bureau", None),
    "bureau_dazu": ("bureau", None),
    "supervisor": ("supervisor", None),
    "issuer_urumqi": ("issuer", None),
    "issuer2_urumqi": ("issuer", None),
    "recommender_urumqi": ("recommender", None),
    "expert_urumqi": ("expert", None),
    "expert2_urumqi": ("expert", None),
    "expert3_urumqi": ("expert", None),
    "approver_urumqi": ("approver", None),
    "solver_urumqi": ("solver", "URUMQI-P1"),
    "solver2_urumqi": ("solver", "URUMQI-P4"),
}
PDF = {"name": "x.pdf", "size": 10, "content_type": "application/pdf", "sha256": "0" * 64, "storage_key": "k"}


@dataclass
class Case:
    instance_id: int
    post_need_task: str
    stage_tasks: dict[str, str]  # solver user → stage_report task id they claimed
    plan_files: dict[str, dict[str, Any]]  # solver code → file metadata
    tokens: dict[str, str] = field(default_factory=dict)


def _store(folder: Path, content: bytes, name: str) -> dict[str, Any]:
    digest = hashlib.sha256(content).hexdigest()
    path = folder / digest[:2] / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return {
        "name": name,
        "size": len(content),
        "content_type": "application/pdf",
        "sha256": digest,
        "storage_key": f"sha256/{digest[:2]}/{digest}",
    }


def _ready(s: Session, iid: int, spec: str) -> list[HumanTask]:
    return [t for t in tasks.list_tasks(s, instance_id=iid) if t.task_spec == spec]


def _do(s: Session, iid: int, spec: str, actor: str, data: dict[str, Any]) -> str:
    (row, *_rest) = _ready(s, iid, spec)
    tasks.complete(s, row.id, actor=actor, data=data)
    return row.id


def build(s: Session, sim: Any, uploads: Path, password_hash: str) -> Case:
    from web.demo import load_organisations

    for name, (role, _person) in USERS.items():
        place = None if name == "supervisor" else name.rsplit("_", 1)[1]
        add_user(s, name, roles=[role], jurisdiction=place, password_hash=password_hash)
    load_organisations(s)
    for name, (_role, person) in USERS.items():
        if person:
            row = s.scalar(select(Person).where(Person.code == person))
            assert row is not None
            row.username = name
    s.commit()
    deploy_bundle(s, collect_paths([BPMN]))
    sim.set("2026-05-06T09:00:00+08:00")
    inst = instances.start_instance(
        s,
        "urumqi_challenge",
        business_key=KEY,
        data={
            "jurisdiction": "urumqi",
            "title": "高纯硅提纯关键技术",
            "issuer_code": "URUMQI-ISS",
            "project_code": KEY,
            "notice_call_closes": "2026-12-31T18:00:00+08:00",
        },
        actor="bureau_urumqi",
    )
    iid = inst.id
    need = {
        "need_title": "高纯硅提纯关键技术",
        "category": "breakthrough",
        "problem": NEED_PROBLEM,
        "indicators": "纯度 ≥ 99.9999%",
        "deadline": "2028-12-31",
        "ip_terms": "发榜方所有",
        "need_total_fen": "8,000,000",
        "scope": "public",
        "issuer_end_user": True,
        "application_form": PDF,
        "pledge_unit": True,
        "pledge_leader": True,
        "audit_prev": PDF,
        "audit_last": PDF,
        "race_wanted": True,  # 000 §12(1): the selection below races two teams
    }
    post_need = _do(s, iid, "post_need", "issuer_urumqi", need)
    _do(s, iid, "recommend", "recommender_urumqi", {"recommended": "yes"})
    review = {"importance": 90, "feasibility": 80, "difficulty": 70, "need_listed_decision": "list"}
    _do(s, iid, "need_review", "expert_urumqi", review)
    _do(s, iid, "publish_list", "bureau_urumqi", {"list_published_on": "2026-06-20"})
    files = {
        "URUMQI-S1": _store(uploads, b"%PDF-1.4 S1 solution", "S1方案书.pdf"),
        "URUMQI-S2": _store(uploads, b"%PDF-1.4 S2 solution", "S2方案书.pdf"),
    }
    applications = [
        {"solver": "URUMQI-S1", "members": "URUMQI-P1,URUMQI-P2", "plan": S1_PLAN, "budget_fen": "5,100,000",
         "plan_file": files["URUMQI-S1"], "pledge": True},
        {"solver": "URUMQI-S2", "members": "URUMQI-P4,URUMQI-P5", "plan": S2_PLAN, "budget_fen": "4,200,000",
         "plan_file": files["URUMQI-S2"], "pledge": True},
        # refused by the eligibility table: a researcher of the partner URUMQI-S4 in a misconduct penalty
        # period (002 四(三))
        {"solver": "URUMQI-S3", "partners": "URUMQI-S4", "members": "URUMQI-P7,URUMQI-PPUN", "plan": BAD_PLAN,
         "pledge": True},
    ]  # fmt: skip
    _do(s, iid, "collect_applications", "bureau_urumqi", {"applications": applications})
    _do(s, iid, "few_teams", "bureau_urumqi", {"few_teams_choice": "proceed", "few_teams_reason": "领域冷门"})
    experts = [
        {"name": name, "recommended_by": "bureau", "chair": i == 0}
        for i, name in enumerate(["expert_urumqi", "expert2_urumqi", "expert3_urumqi"])
    ]
    _do(s, iid, "form_panel", "bureau_urumqi", {"experts": experts})
    scores = {"expert_urumqi": (91, 57), "expert2_urumqi": (83, 63), "expert3_urumqi": (86, 59)}
    while rows := _ready(s, iid, "score"):
        row = rows[0]
        wf = load_workflow(s, s.get(type(inst), iid))
        expert = wf.get_task_from_id(UUID(row.id)).data["expert"]
        one, two = scores[expert]
        data = {
            "scores": [{"solver": "URUMQI-S1", "score": one}, {"solver": "URUMQI-S2", "score": two}],
            "opinion": f"{expert}的个人意见",
        }
        tasks.complete(s, row.id, actor=expert, data=data)
    _do(
        s,
        iid,
        "select",
        "bureau_urumqi",
        {
            "mode": "race",
            "selected": "URUMQI-S1,URUMQI-S2",
            "contract_fen": "6,000,000",
            "fiscal_support_fen": "2,000,000",
            "selection_reason": "评分前两名赛马",
            "stage_due": "2026-11-30",
            "stage_task": "样机",
        },
    )
    _do(s, iid, "approve", "approver_urumqi", {"approval": "approve"})
    sim.set("2026-05-08T10:00:00+08:00")
    messages.deliver(
        s,
        "objection",
        correlation={"business_key": KEY},
        payload={
            "receipt": "YY1",
            "text": OBJECTION_TEXT,
            "contact": OBJECTOR_PHONE,
            "name": OBJECTOR_NAME,
            "submitted_at": "2026-05-08T10:00:00+08:00",
        },
    )
    _add_objection_row(s, iid)
    decision = {"objection_decision": "continue", "objection_reason": "经核实无关联"}
    _do(s, iid, "handle_objection", "bureau_urumqi", decision)
    sim.set("2026-05-15T00:00:00+08:00")
    sweep(s)
    _do(s, iid, "sign_contract", "bureau_urumqi", {"period_months": 36, "ip_ownership": "发榜方",
                                                   "disbursement_plan": "赛马"})  # fmt: skip
    registration = {"contract_reg_number": "2026650100000123", "contract_reg_date": "2026-05-15",
                    "contract_reg_certificate": PDF}  # fmt: skip
    _do(s, iid, "register_contract", "issuer_urumqi", registration)  # 002 五(二)6
    sim.set("2026-12-01T00:00:00+08:00")
    sweep(s)
    # each team's stage report is its own unit's task (race_team.bpmn candidateOrganisation)
    by_unit = {t.candidate_org: t for t in _ready(s, iid, "stage_report")}
    first, second = by_unit["URUMQI-S1"], by_unit["URUMQI-S2"]
    tasks.claim(s, first.id, actor="solver_urumqi")
    tasks.claim(s, second.id, actor="solver2_urumqi")
    return Case(
        instance_id=iid,
        post_need_task=post_need,
        stage_tasks={"solver_urumqi": first.id, "solver2_urumqi": second.id},
        plan_files=files,
        tokens={name: create_token(s, name, "access").plaintext for name in USERS},
    )


def _add_objection_row(s: Session, iid: int) -> None:
    from datetime import datetime

    from engine.db import begin_write
    from engine.models.web import Objection

    begin_write(s)
    s.add(
        Objection(
            receipt="YY1",
            instance_id=iid,
            business_key=KEY,
            name=OBJECTOR_NAME,
            contact=OBJECTOR_PHONE,
            text=OBJECTION_TEXT,
            submitted_at=datetime.fromisoformat("2026-05-08T10:00:00+08:00"),
            client_hash="test",
        )
    )
    s.commit()
