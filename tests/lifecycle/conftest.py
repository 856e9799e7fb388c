"""Drive the 揭榜挂帅 lifecycles of bpmn/ through the engine with the simulated clock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from engine import instances, messages, tasks
from engine.bundle import collect_paths
from engine.deploy import deploy_bundle
from engine.timers import sweep
from engine.users import add_user

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
ROLES = ("bureau", "issuer", "recommender", "expert", "solver", "approver", "third_party")
PDF = {"name": "x.pdf", "size": 10, "content_type": "application/pdf", "sha256": "0" * 64, "storage_key": "k"}

#: the user names the tests put on expert panels (each scores their own task)
PANEL_EXPERTS = ("e1", "e2", "e3", "e4", "e5", "e6", "expert2", "expert3")

#: an acceptance panel of five, typed by name where the form asks for names (Urumqi, Karamay, Zhangye)
ACCEPTANCE_PANEL = "专家甲, 专家乙, 专家丙, 专家丁, 专家戊"
#: Dazu's panel of five (001 八(八): at least 5 and odd) picked from the demo expert pool, by user name
DAZU_ACCEPTANCE_PANEL = "expert_dazu,expert_dazu_02,expert_dazu_03,expert_dazu_04,expert_dazu_05"

DOCS = {"self_evaluation": PDF, "tech_report": PDF, "final_accounts": PDF, "special_audit": PDF}


class Flow:
    """One instance and the people of its jurisdiction."""

    def __init__(self, session: Session, sim: Any, jurisdiction: str, iid: int, key: str) -> None:
        self.s, self.sim, self.j, self.id, self.key = session, sim, jurisdiction, iid, key

    def ready(self) -> list[str]:
        return sorted(t.task_spec for t in tasks.list_tasks(self.s, instance_id=self.id))

    def do(self, spec: str, data: dict[str, Any] | None = None, role: str | None = None) -> None:
        found = [t for t in tasks.list_tasks(self.s, instance_id=self.id) if t.task_spec == spec]
        assert found, (
            f"{spec} not ready; ready: {self.ready()} ({self.info()['status']}: {self.info()['error']})"
        )
        row = found[0]
        from engine.lint import role_of_lane

        # a task assigned by the diagram (an expert's scoring) is done by its assignee
        actor = (
            row.assignee if row.assignee and role is None else f"{role or role_of_lane(row.lane)}_{self.j}"
        )
        if row.candidate_org and role is None and not row.assignee:
            actor = self.member_of(row.candidate_org, role_of_lane(row.lane) or "solver")
        tasks.complete(self.s, row.id, actor=actor, data=data or {})

    def refused(self, spec: str, data: dict[str, Any], role: str | None = None) -> dict[str, str]:
        """Submit ``data`` expecting the form's checks to refuse it before anything happens: the task stays
        ready and the data unchanged. Returns the Chinese messages joined by field."""
        from engine.errors import ValidationFailed

        before = (self.ready(), self.data)
        with pytest.raises(ValidationFailed) as caught:
            self.do(spec, data, role)
        self.s.rollback()
        assert (self.ready(), self.data) == before
        return {k: "；".join(v) for k, v in caught.value.details["fields"].items()}

    def member_of(self, organisation: str, role: str) -> str:
        """A user linked to ``organisation`` (a task the diagram gives to that unit, e.g. one 赛马 team's
        report): its linked person's account, or a new ``<role>_<j>_<org>`` account linked to one of its people."""
        from sqlalchemy import select

        from engine.models.domain import Person

        people = list(self.s.scalars(select(Person).where(Person.organisation == organisation)))
        linked = [p.username for p in people if p.username]
        if linked:
            return linked[0]
        name = f"{role}_{self.j}_{organisation.lower()}"
        add_user(self.s, name, roles=[role], jurisdiction=self.j)
        people[0].username = name
        self.s.commit()
        return name

    def info(self) -> dict[str, Any]:
        return instances.describe(self.s, self.id)

    @property
    def data(self) -> dict[str, Any]:
        return self.info()["data"]

    def message(self, name: str, payload: dict[str, Any]) -> None:
        messages.deliver(self.s, name, correlation={"business_key": self.key}, payload=payload)

    def at(self, iso: str) -> int:
        self.sim.set(iso)
        return sweep(self.s).fired


@pytest.fixture
def world(db_session: Session, sim, calendar_loaded):  # type: ignore[no-untyped-def]
    """Deploy bpmn/, create users for every role of every jurisdiction and the organisations of the tests."""
    from web.demo import load_organisations

    for j in ("urumqi", "dazu", "karamay", "zhangye"):
        for role in ROLES:
            add_user(db_session, f"{role}_{j}", roles=[role], jurisdiction=j)
    for name in PANEL_EXPERTS:  # the panels of the tests: experts of every jurisdiction
        add_user(db_session, name, roles=["expert"])
    load_organisations(db_session)
    deploy_bundle(db_session, collect_paths([BPMN]))
    sim.set("2026-05-06T09:00:00+08:00")
    return db_session


@pytest.fixture
def start(world: Session, sim) -> Callable[..., Flow]:  # type: ignore[no-untyped-def]
    counter = {"n": 0}

    def _start(jurisdiction: str, version: int | None = None, **data: Any) -> Flow:
        counter["n"] += 1
        key = f"{jurisdiction.upper()}-T{counter['n']}"
        return start_challenge(world, sim, jurisdiction, key, version=version, **data)

    return _start


def start_challenge(
    session: Session,
    sim: Any,
    jurisdiction: str,
    key: str,
    version: int | None = None,
    flow_class: type[Flow] = Flow,
    **data: Any,
) -> Flow:
    """A challenge of ``jurisdiction`` started by its bureau, driven as ``flow_class`` (a ``Flow``)."""
    inst = instances.start_instance(
        session,
        f"{jurisdiction}_challenge",
        version=version,
        business_key=key,
        data={
            "jurisdiction": jurisdiction,
            "title": "高纯硅提纯关键技术",
            "issuer_code": f"{jurisdiction.upper()}-ISS",
            "project_code": key,
            "notice_call_closes": "2026-12-31T18:00:00+08:00",
            **data,
        },
        actor=f"bureau_{jurisdiction}",
    )
    return flow_class(session, sim, jurisdiction, inst.id, key)


def need(**over: Any) -> dict[str, Any]:
    data = {
        "need_title": "高纯硅提纯关键技术",
        "category": "breakthrough",
        "problem": "提纯工艺能耗高",
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
    }
    data.update(over)
    return data


def application(solver: str, members: str, partners: str = "") -> dict[str, Any]:
    return {"solver": solver, "partners": partners, "members": members, "plan": "方案", "pledge": True}


def panel(names: list[str], chair_by_issuer: bool = False) -> dict[str, Any]:
    """The panel_form rows as the draw from the expert pool fills them (engine.expert_pool.panel_rows):
    ``name`` is the expert's user name; the draw itself is tested in test_expert_draw.py."""
    return {
        "experts": [
            {
                "name": n,
                "display_name": f"专家{i + 1}",
                "title": "教授",
                "organisation": "测试大学",
                "field": "新材料",
                "recommended_by": "issuer" if (i == 0 and chair_by_issuer) else "bureau",
                "chair": i == 0,
            }
            for i, n in enumerate(names)
        ]
    }


def register_contract(flow: Flow) -> None:
    """002 五(二)6: in Urumqi the issuer registers the technology contract (number, date, certificate) after the
    task book; the first tranche waits for it. Other jurisdictions have no such step."""
    if flow.j == "urumqi":
        flow.do("register_contract", registration(flow.data["opened_on"]))


def registration(day: str) -> dict[str, Any]:
    return {
        "contract_reg_number": "2026650100000123",
        "contract_reg_date": day,
        "contract_reg_certificate": PDF,
    }


def score_all(flow: Flow, scores: dict[str, float]) -> None:
    while "score" in flow.ready():
        flow.do(
            "score", {"scores": [{"solver": s, "score": v} for s, v in scores.items()], "opinion": "同意"}
        )


def acceptance_panel(flow: Flow) -> str:
    """The acceptance panel the review form of ``flow``'s jurisdiction takes: in Dazu five experts picked from
    the expert pool (the demo pool, loaded once), elsewhere five names typed."""
    if flow.j != "dazu":
        return ACCEPTANCE_PANEL
    from web.demo import load_experts

    load_experts(flow.s)
    return DAZU_ACCEPTANCE_PANEL
