"""Demo data for `jiebang demo load`: users for every role in each jurisdiction, the diagrams in bpmn/, and a
few running instances. Idempotent: loading twice changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from engine import instances, tasks
from engine.bundle import collect_paths
from engine.deploy import deploy_bundle
from engine.models.instance import ProcessInstance
from engine.users import add_user

ROOT = Path(__file__).resolve().parents[1]
JURISDICTIONS = ("urumqi", "dazu", "karamay", "zhangye")
ROLES = ("bureau", "issuer", "solver", "expert", "panel_chair", "approver", "third_party")
DEMO_PASSWORD = "demo12345"

#: Publicity windows by jurisdiction: 000 §12(5) 7 days; 001 八(五) and 003 §12(6) 5 working days; Zhangye
#: is unspecified in 004 三(五), so the demo uses a policy value of 5 working days.
DEMO_PUBLICITY = {
    "urumqi": (7, "days"),
    "dazu": (5, "working_days"),
    "karamay": (5, "working_days"),
    "zhangye": (5, "working_days"),
}


def load_demo(session: Session) -> dict[str, Any]:
    password = generate_password_hash(DEMO_PASSWORD)
    users = []
    for jurisdiction in JURISDICTIONS:
        for role in ROLES:
            name = f"{role}_{jurisdiction}"
            add_user(session, name, roles=[role], jurisdiction=jurisdiction, password_hash=password)
            users.append(name)
    add_user(
        session, "recommender_urumqi", roles=["recommender"], jurisdiction="urumqi", password_hash=password
    )
    for name, role in (("admin", "admin"), ("supervisor", "supervisor"), ("owner", "process_owner")):
        add_user(session, name, roles=[role], password_hash=password)
        users.append(name)
    deployed = deploy_bundle(
        session,
        collect_paths([ROOT / "bpmn", ROOT / "forms" / "definitions"]),
        deployed_by="owner",
        note="demo",
    )
    started = 0
    if not session.scalar(select(func.count()).select_from(ProcessInstance)):
        for jurisdiction, (length, unit) in DEMO_PUBLICITY.items():
            inst = instances.start_instance(
                session,
                "publicity_demo",
                business_key=f"DEMO-{jurisdiction.upper()}-001",
                data={
                    "jurisdiction": jurisdiction,
                    "title": f"{jurisdiction} 拟支持项目公示",
                    "publicity_length": length,
                    "publicity_unit": unit,
                },
                actor=f"bureau_{jurisdiction}",
            )
            started += 1
            if jurisdiction in ("urumqi", "dazu"):
                (task,) = tasks.list_tasks(session, instance_id=inst.id)
                tasks.complete(
                    session,
                    task.id,
                    actor=f"bureau_{jurisdiction}",
                    data={
                        "notice_title": "2026 年度揭榜挂帅拟支持项目公示",
                        "notice_body": "拟支持项目如下……",
                        "subsidy": "1,000,000",
                    },
                )
    return {
        "users": len(users) + 1,
        "password": DEMO_PASSWORD,
        "deployment": deployed.as_json(),
        "started": started,
    }
