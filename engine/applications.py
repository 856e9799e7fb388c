"""Solvers apply for a published challenge themselves (000 §12(3): solutions online or offline).

While a challenge's instance waits in its application window (the ``application`` message, with
``application_end`` in its data), a signed-in solver of the jurisdiction submits the ``application_entry``
form pinned in the instance's deployment. The solver code is the organisation the user's account is linked to
(``Person.username``), never typed in, so nobody applies in another unit's name. The application reaches the
instance as the ``application`` message; the bureau sees every application in its ``collect_applications``
task. A solver never reads another solver's application: submitting does not make it a participant of the
instance.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import messages, portal
from engine.clock import SHANGHAI, get_clock
from engine.domain import unit_checks
from engine.domain.eligibility import APPLICATION_SEP
from engine.domain.problems import by_field
from engine.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from engine.models import instance as status
from engine.models.domain import Organisation, Person, Project
from engine.models.instance import ProcessInstance
from engine.models.user import User
from engine.pickers import PickerScope
from engine.taskforms import form_for, validate_task_data
from engine.users import holds_role
from forms.pickers import codes_of

MESSAGE = "application"
FORM = "application_entry"


@dataclass(frozen=True)
class Target:
    instance: ProcessInstance
    solver: str


def solver_of(session: Session, username: str) -> str | None:
    """The organisation code the user's account is linked to, if any."""
    return session.scalar(select(Person.organisation).where(Person.username == username).limit(1))


def challenge_instance(session: Session, business_key: str) -> ProcessInstance:
    instance = session.scalar(
        select(ProcessInstance)
        .where(ProcessInstance.business_key == business_key, ProcessInstance.process_key.like("%_challenge"))
        .order_by(ProcessInstance.id.desc())
        .limit(1)
    )
    if instance is None:
        raise NotFound(f"榜单 {business_key} 不存在。", f"Challenge {business_key} does not exist.")
    return instance


def target_for(session: Session, user: User, business_key: str) -> Target:
    """Check that ``user`` may apply to the challenge now; raise a clear error otherwise."""
    instance = challenge_instance(session, business_key)
    if not holds_role(user, "solver", instance.jurisdiction):
        raise Forbidden(
            f"只有 {instance.jurisdiction} 的揭榜方账号可以揭榜。",
            f"Only solver accounts of {instance.jurisdiction} can apply.",
        )
    solver = solver_of(session, user.username)
    if not solver:
        raise Forbidden(
            "您的账号尚未关联揭榜单位，请联系科技局关联后再申请。",
            "Your account is not linked to a solver organisation; ask the bureau to link it, then apply.",
        )
    _refuse_non_local(session, instance, solver)
    open_now = [
        c
        for c in portal.challenges(session, jurisdiction=instance.jurisdiction)
        if c.business_key == business_key
    ]
    if instance.status != status.RUNNING or not open_now or not open_now[0].open:
        end = open_now[0].window_end.isoformat() if open_now else _closed_at(session, instance)
        if end:
            raise InvalidState(
                f"网上揭榜已截止（截止时间 {end}），不再受理。", f"Online applications closed at {end}."
            )
        raise InvalidState(
            "该榜单目前不在网上揭榜期。", "This challenge is not open for online applications."
        )
    return Target(instance, solver)


def _refuse_non_local(session: Session, instance: ProcessInstance, solver: str) -> None:
    """Where the policy asks for a local legal person as solver (Urumqi 成果转化: 000 §10(二), 002 二(四)), a
    unit registered elsewhere, or without a valid USCC, is refused before it fills in anything."""
    from engine.domain.checks import context_for
    from engine.instances import describe

    data = describe(session, instance.id)["data"]
    if not data.get("local_solver_categories"):
        return
    ctx = context_for(session, get_clock(session).now().astimezone(SHANGHAI).date())
    problems = unit_checks.solver_locality_problems(data, solver, ctx.unit)
    if problems:
        raise Forbidden(
            "不能揭榜：" + "；".join(p.text("zh") for p in problems),
            "You cannot apply: " + "; ".join(p.text("en") for p in problems),
        )


def _closed_at(session: Session, instance: ProcessInstance) -> str | None:
    from engine.instances import describe

    value = describe(session, instance.id)["data"].get("application_end")
    return str(value) if value else None


#: Receipt numbers of applications: JB + the Beijing date of the first submission + 8 hex digits (as
#: objections' YY…, engine.objections), the applicant's key to the portal's look-up.
RECEIPT = re.compile(r"^JB\d{8}-[0-9A-F]{8}$")


def normalise_receipt(raw: str) -> str | None:
    """An application receipt number typed by a person (spaces, lower case tolerated), or None."""
    text = re.sub(r"\s+", "", raw or "").upper()
    return text if RECEIPT.match(text) else None


def receipt_of(session: Session, business_key: str, solver: str) -> str | None:
    code = f"{business_key}{APPLICATION_SEP}{solver}"[:64]
    return session.scalar(select(Project.receipt).where(Project.code == code))


def picker_scope(session: Session, target: Target, partners: Any) -> PickerScope:
    """The records the application's pickers accept: as partners the units the case's eligibility table does
    not refuse other than the solver itself (``engine.candidates``), as team members the people of the solver's own unit and of the
    partner units chosen (``partners``, codes)."""
    return PickerScope(
        session,
        target.instance.jurisdiction,
        target.instance.business_key,
        people_of=[target.solver, *codes_of(partners)],
        instance=target.instance,
        lead=target.solver,
    )


#: Most units one request of ``partner_people`` asks for, and most members a page names again (a consortium is
#: a handful of units, a team a handful of people).
PEOPLE_UNITS_MAX = 20


def page_scope(session: Session, target: Target, partners: Any = None, members: Any = None) -> PickerScope:
    """The records the apply page lists: as partners what ``picker_scope`` accepts, as team members only the
    people of the solver's own unit and of the partners already chosen (``partners``, codes) that the case
    accepts as partners — never the jurisdiction's whole directory. The people of a partner chosen on the page
    come from ``partner_people`` (the picker script asks for them). ``members``: the team as entered (a refused
    attempt shown again), named even where the list does not offer them."""
    scope = PickerScope(
        session,
        target.instance.jurisdiction,
        target.instance.business_key,
        instance=target.instance,
        lead=target.solver,
    )
    chosen = codes_of(partners)
    units = [target.solver, *(sorted(scope.known("partner", chosen)) if chosen else [])]
    scope.people_of = sorted(set(units))
    scope.named_people = codes_of(members)[:PEOPLE_UNITS_MAX]
    return scope


def partner_people(session: Session, target: Target, units: list[str]) -> list[tuple[str, str, str]]:
    """(person code, ``name（unit）``, unit code) of the people of ``units`` the solver may name on its team:
    its own unit's and those of units the case accepts as its partners (``page_scope``); the people of any
    other unit are never sent."""
    scope = page_scope(session, target, [u for u in units[:PEOPLE_UNITS_MAX] if u != target.solver])
    unit_of = scope.units("person")
    return [(code, label, unit_of.get(code, "")) for code, label in scope.choices("person")]


def _refuse_outside_members(session: Session, data: Any, scope: PickerScope) -> None:
    """A team member who is a person of neither the solver's unit nor a chosen partner unit is refused beside
    the field, by name, before anything is sent (a forged submission too: the list never offers them)."""
    members = codes_of(data.get("members")) if isinstance(data, dict) else []
    outside = [c for c in members if c not in scope.known("person", members)]
    if not outside:
        return
    rows = session.execute(
        select(Person.code, Person.name, Organisation.name)
        .outerjoin(Organisation, Organisation.code == Person.organisation)
        .where(Person.code.in_(outside))
    ).all()
    if not rows:  # codes of nobody at all: the picker's own message says so
        return
    zh_names = "、".join(f"{name}（{unit or '未登记单位'}）" for _, name, unit in rows)
    en_names = ", ".join(f"{name} ({unit or 'unregistered unit'})" for _, name, unit in rows)
    zh = f"团队成员只能是本单位或所选联合体成员单位的人员：{zh_names}不是。请从列表中选择，或先选其所在单位为联合体成员单位。"
    en = (
        f"Team members are people of your unit or of a chosen consortium partner: {en_names} is not. "
        "Choose from the list, or first choose their unit as a partner."
    )
    raise ValidationFailed(
        "申请未提交：" + zh,
        "The application was not sent: " + en,
        details={"fields": {"members": [zh]}, "fields_en": {"members": [en]}},
    )


def submit(session: Session, user: User, business_key: str, data: Any) -> int:
    """Validate and deliver one application; returns the instance id. Nothing changes when refused. The
    application's receipt number (``receipt_of``) is issued with the first submission and kept after."""
    target = target_for(session, user, business_key)
    scope = picker_scope(session, target, data.get("partners") if isinstance(data, dict) else None)
    _refuse_outside_members(session, data, scope)
    cleaned = validate_task_data(
        form_for(session, target.instance.process_version, FORM, target.instance.jurisdiction), data, scope
    )
    _refuse_bad_partners(session, cleaned.get("partners"), target.solver)
    payload: dict[str, Any] = {**cleaned, "solver": target.solver, "submitted_by": user.username}
    instance_id = messages.deliver(
        session, MESSAGE, correlation={"business_key": business_key}, payload=payload, actor=user.username
    )
    _register(session, target)
    return instance_id


def _refuse_bad_partners(session: Session, partners: Any, solver: str) -> None:
    """The consortium partners are registered units or valid unified social credit codes, distinct, and not the
    solver itself (``engine.domain.unit_checks``); refused beside the field before anything is sent."""

    def registered(code: str) -> bool:
        return session.scalar(select(Organisation.id).where(Organisation.code == code)) is not None

    problems = unit_checks.partner_problems(partners, solver, registered)
    if problems:
        zh, en = by_field(problems, "zh"), by_field(problems, "en")
        raise ValidationFailed(
            "申请未提交：" + "；".join(p.text("zh") for p in problems),
            "The application was not sent: " + "; ".join(p.text("en") for p in problems),
            details={"fields": zh, "fields_en": en},
        )


def _register(session: Session, target: Target) -> None:
    """The application row ``<challenge>/<solver>`` (status ``applying``) from the moment it is submitted, so the
    solver's pages list it; the diagram's ``application_register`` fills in the members when the bureau collects
    the applications (without members it counts against nobody's limits, 002 四)."""
    code = f"{target.instance.business_key}{APPLICATION_SEP}{target.solver}"[:64]
    if session.scalar(select(Project.id).where(Project.code == code)) is not None:
        return
    now = get_clock(session).now()
    session.add(
        Project(
            code=code,
            receipt=f"JB{now.astimezone(SHANGHAI):%Y%m%d}-{secrets.token_hex(4).upper()}",
            jurisdiction=target.instance.jurisdiction or "",
            title=(target.instance.title or target.instance.business_key or "")[:255],
            scheme="jiebang",
            solver=target.solver,
            status="applying",
            created_at=now,
        )
    )
    session.flush()
