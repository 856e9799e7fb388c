"""Starting a process from a form: which processes a user may start, their start forms, defaults from policy.

A process offers a start form when its start event declares the property ``startForm`` (a form key of the
deployment, like a user task's ``formKey``); ``jurisdiction`` on the same start event fixes the jurisdiction the
process belongs to. Who may start it is the access policy's answer (``engine.access.starting``); the start goes
through ``engine.instances.start_instance``, which checks it again.

Defaults come from policy: a start-form field whose name is an output of the process's policy decision (the
business rule task of the diagram, e.g. ``policy_dazu``'s ``call_opens``/``call_closes``) is prefilled with
the value the decision gives for the jurisdiction. Nothing here writes a number of its own.

Two selects are filled for the user (``options_from`` in the form, forms/FORMAT.md): ``open_calls`` — the
running annual calls of the jurisdiction (``<jurisdiction>_call``) whose window is open on the engine clock —
and ``my_organisations`` — the organisations the user's account is linked to. The chosen call's close becomes
``notice_call_closes`` of the challenge: the diagram refuses a need submitted after it (001 八(一)).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from engine.access.policy import organisations_of
from engine.access.principal import principal
from engine.access.starting import START_ROLES_PROPERTY, start_roles
from engine.clock import SHANGHAI, get_clock
from engine.domain import contest
from engine.domain.calls import call_window_problems, fixed_window_hints, fixed_window_problems
from engine.errors import NotFound, ValidationFailed
from engine.labels import JURISDICTION_NAMES, jurisdiction_name
from engine.lint import properties_of
from engine.models import instance as status
from engine.models.deployment import ProcessVersion
from engine.models.domain import GOVERNMENT, Organisation
from engine.models.event import InstanceEvent
from engine.models.instance import ProcessInstance
from engine.taskforms import form_for, validate_task_data
from forms.definition import FormDefinition, LocalText, Option, with_options

START_FORM_PROPERTY = "startForm"
JURISDICTION_PROPERTY = "jurisdiction"
#: On a call's start event: the process each need posted into the call starts, its start form, who may post.
NEED_PROCESS_PROPERTY = "needProcess"
NEED_FORM_PROPERTY = "needForm"
NEED_ROLES_PROPERTY = "needRoles"
#: The annual call of a jurisdiction is the process ``<jurisdiction>_call``.
CALL_SUFFIX = "_call"
#: Processes that sum up years rather than open a case: their business key says which (URUMQI-2026-ANNUAL-001)
#: and they carry no project code.
SUMMARY_KINDS = {"_annual_summary": "ANNUAL", "_pilot_evaluation": "PILOT"}
#: Start data that the policy table may also give (``notice_call_closes`` / ``call_closes``): the form's field
#: ``notice_<x>`` defaults to the policy's ``<x>``, and the diagram prefers the policy's value when it has one.
NOTICE_PREFIX = "notice_"
NOTICE_WINDOW = ("notice_call_opens", "notice_call_closes")


@dataclass(frozen=True)
class Startable:
    """A process the user may start from a form, and where."""

    pv: ProcessVersion
    form: FormDefinition
    jurisdictions: tuple[str, ...]


def _own_start_properties(pv: ProcessVersion) -> dict[str, str]:
    from engine.runtime import version_specs

    spec = version_specs(pv)[0]
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, StartEvent) and START_FORM_PROPERTY in properties_of(task_spec):
            return properties_of(task_spec)
    return {}


def need_start_of(pv: ProcessVersion) -> dict[str, str]:
    """How needs are posted into ``pv`` when an annual call declares it rather than the process itself: the
    newest ``<jurisdiction>_call`` whose start event names ``pv`` as its ``needProcess`` gives the start form
    (``needForm``), the jurisdiction (its own) and the roles that may post (``needRoles``), as
    ``startForm``/``jurisdiction``/``startRoles``. {} when no call names it."""
    session = object_session(pv)
    if session is None:
        return {}
    for call in _newest_versions(session, like=f"%{CALL_SUFFIX}"):
        props = _own_start_properties(call)
        if props.get(NEED_PROCESS_PROPERTY) == pv.process_key and props.get(NEED_FORM_PROPERTY):
            found = {
                START_FORM_PROPERTY: props[NEED_FORM_PROPERTY],
                START_ROLES_PROPERTY: props.get(NEED_ROLES_PROPERTY, ""),
            }
            if props.get(JURISDICTION_PROPERTY):
                found[JURISDICTION_PROPERTY] = props[JURISDICTION_PROPERTY]
            return found
    return {}


def _start_properties(pv: ProcessVersion) -> dict[str, str]:
    """The start event's own declaration (``startForm``), else the one a call makes for it."""
    return _own_start_properties(pv) or need_start_of(pv)


def _newest_versions(session: Session, like: str | None = None) -> list[ProcessVersion]:
    newest = select(ProcessVersion.process_key, func.max(ProcessVersion.version).label("v"))
    if like is not None:
        newest = newest.where(ProcessVersion.process_key.like(like))
    newest = newest.group_by(ProcessVersion.process_key).subquery()
    return list(
        session.scalars(
            select(ProcessVersion)
            .join(
                newest,
                (ProcessVersion.process_key == newest.c.process_key) & (ProcessVersion.version == newest.c.v),
            )
            .order_by(ProcessVersion.process_key)
        )
    )


def _where(user: Any, pv: ProcessVersion, fixed: str | None) -> tuple[str, ...]:
    who, roles = principal(user), start_roles(pv)
    candidates = (fixed,) if fixed else tuple(JURISDICTION_NAMES)
    return tuple(j for j in candidates if who.holds(roles, j))


def startable(session: Session, user: Any) -> list[Startable]:
    """The processes with a start form that ``user`` may start (newest versions), with their jurisdictions."""
    found: list[Startable] = []
    for pv in _newest_versions(session):
        props = _start_properties(pv)
        if not props:
            continue
        where = _where(user, pv, props.get(JURISDICTION_PROPERTY))
        if where:
            found.append(Startable(pv, form_for(session, pv, props[START_FORM_PROPERTY]), where))
    return found


def find_startable(session: Session, user: Any, key: str) -> Startable:
    for item in startable(session, user):
        if item.pv.process_key == key:
            return item
    raise NotFound(
        f"没有可由您发起的流程 {key}。", f"There is no process {key} you may start.", details={"key": key}
    )


# --- options filled for the user ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenCall:
    instance_id: int
    title: str
    opens: datetime
    closes: datetime
    #: the call's year (its start form's 年度, the year its key ``<J>-<year>-CALL-<n>`` bears): the year of the
    #: keys of the needs posted into it, also when its window closes in the next year
    year: int


def _instant(value: Any) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def open_calls(session: Session, jurisdiction: str) -> list[OpenCall]:
    """The running calls of ``jurisdiction`` whose window is open now (engine clock), soonest close first. The
    window is the call's start data (its ``started`` event), so no workflow is restored."""
    now = get_clock(session).now()
    rows = session.execute(
        select(ProcessInstance, InstanceEvent.data_json)
        .join(InstanceEvent, InstanceEvent.instance_id == ProcessInstance.id)
        .where(
            ProcessInstance.process_key == f"{jurisdiction}{CALL_SUFFIX}",
            ProcessInstance.jurisdiction == jurisdiction,
            ProcessInstance.status == status.RUNNING,
            InstanceEvent.kind == "started",
        )
    ).all()
    found = []
    for instance, data_json in rows:
        data = json.loads(data_json or "{}")
        opens, closes = _instant(data.get("notice_call_opens")), _instant(data.get("notice_call_closes"))
        if opens is not None and closes is not None and opens <= now < closes:
            year = _call_year(data.get("year"), instance)
            found.append(OpenCall(instance.id, instance.title or "", opens, closes, year))
    return sorted(found, key=lambda c: (c.closes, c.instance_id))


def _call_year(value: Any, instance: ProcessInstance) -> int:
    """A call's year: its start data's ``year``, else the year (Beijing time) it was started in."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return instance.started_at.astimezone(SHANGHAI).year


def opens_later(session: Session, instance: ProcessInstance, now: datetime) -> datetime | None:
    """When the call ``instance`` starts collecting needs, if it is running and its window has not opened by
    ``now``; else None."""
    if not (instance.process_key or "").endswith(CALL_SUFFIX) or instance.status != status.RUNNING:
        return None
    data_json = session.scalar(
        select(InstanceEvent.data_json)
        .where(InstanceEvent.instance_id == instance.id, InstanceEvent.kind == "started")
        .limit(1)
    )
    opens = _instant(json.loads(data_json or "{}").get("notice_call_opens"))
    return opens if opens is not None and now < opens else None


def _call_option(call: OpenCall) -> Option:
    closes = call.closes.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    return Option(
        str(call.instance_id),
        LocalText(f"{call.title}（{closes} 截止）", f"{call.title} (closes {closes} Beijing time)"),
    )


def _my_organisations(session: Session, user: Any, jurisdiction: str) -> tuple[Option, ...]:
    codes = organisations_of(session, principal(user).username)
    if not codes:
        return ()
    rows = session.scalars(
        select(Organisation).where(Organisation.code.in_(sorted(codes))).order_by(Organisation.name)
    )
    return tuple(
        Option(o.code, LocalText(o.name, o.name)) for o in rows if o.jurisdiction in (None, jurisdiction)
    )


def _jurisdiction_organisations(session: Session, jurisdiction: str) -> tuple[Option, ...]:
    rows = session.scalars(
        select(Organisation)
        .where((Organisation.jurisdiction == jurisdiction) | Organisation.jurisdiction.is_(None))
        .where(Organisation.kind != GOVERNMENT)  # a government office is never a party to a case
        .order_by(Organisation.name)
    )
    return tuple(Option(o.code, LocalText(o.name, o.name)) for o in rows)


def form_for_user(session: Session, user: Any, item: Startable, jurisdiction: str) -> FormDefinition:
    """The start form with its run-time selects filled for ``user`` in ``jurisdiction``."""
    options: dict[str, tuple[Option, ...]] = {}
    for f in item.form.fields:
        if f.options_from == "open_calls":
            options[f.name] = tuple(_call_option(c) for c in open_calls(session, jurisdiction))
        elif f.options_from == "my_organisations":
            options[f.name] = _my_organisations(session, user, jurisdiction)
        elif f.options_from == "issuing_organisations":  # an issuer posts for its own; the bureau for any
            mine = _my_organisations(session, user, jurisdiction)
            options[f.name] = mine or _jurisdiction_organisations(session, jurisdiction)
        elif f.options_from == "jurisdiction_organisations":
            options[f.name] = _jurisdiction_organisations(session, jurisdiction)
    return with_options(item.form, options)


# --- defaults -------------------------------------------------------------------------------------------------


def policy_values(session: Session, pv: ProcessVersion, jurisdiction: str) -> dict[str, Any]:
    """What the process's policy decision (its business rule task on the jurisdiction alone, evaluated by SpiffWorkflow's DMN engine
    with the restricted script engine) gives for ``jurisdiction``; {} when the diagram has none."""
    from engine.helpers import script_engine_for
    from engine.runtime import version_specs

    spec = version_specs(pv)[0]
    engine = script_engine_for(session)
    values: dict[str, Any] = {}
    for task_spec in spec.task_specs.values():
        dmn = getattr(task_spec, "dmnEngine", None)
        # the policy decision is the one that asks for the jurisdiction alone (the others need case data)
        if dmn is None or [i.expression for i in dmn.decision_table.inputs] != ["jurisdiction"]:
            continue
        task = SimpleNamespace(
            data={"jurisdiction": jurisdiction}, workflow=SimpleNamespace(script_engine=engine)
        )
        values.update(dmn.result(task))
    return values


def defaults(
    session: Session, user: Any, item: Startable, defn: FormDefinition, jurisdiction: str
) -> dict[str, Any]:
    """Initial values of the start form: policy outputs of the same name, the year on the engine clock, a
    select with a single option preselected."""
    policy = policy_values(session, item.pv, jurisdiction)
    year = get_clock(session).now().astimezone(SHANGHAI).year
    values: dict[str, Any] = {}
    for f in defn.fields:
        name = f.name.removeprefix(NOTICE_PREFIX)
        if name in policy and policy[name] is not None:
            value = policy[name]
            values[f.name] = _local_input(value) if f.type == "datetime" else value
        elif f.name == "year" and f.type == "number":
            values[f.name] = year
        elif f.options_from and len(f.options) == 1:
            values[f.name] = f.options[0].value
        elif (
            f.name == "entry_route"
        ):  # 001 十二(一): a need posted into the call, unless the bureau says otherwise
            values[f.name] = contest.CALL
    if "title" in values or defn.field("title") is None:
        return values
    if item.pv.process_key.endswith(CALL_SUFFIX):
        values["title"] = f"{jurisdiction_name(jurisdiction)}{year}年度揭榜挂帅技术需求征集"
    return values


def fixed_window(
    session: Session, item: Startable, jurisdiction: str
) -> tuple[dict[str, datetime | None], str]:
    """The call window fields the policy table fixes (002 五(一)1) → its instant, and the rule's source."""
    policy = policy_values(session, item.pv, jurisdiction)
    fixed = {f: _instant(policy.get(f.removeprefix(NOTICE_PREFIX))) for f in NOTICE_WINDOW}
    return fixed, str(policy.get("call_source") or "")


def hints(session: Session, item: Startable, jurisdiction: str, lang: str) -> dict[str, list[str]]:
    """Requirements shown under the start form's fields before the user types: a call window the policy
    fixes, with its source."""
    if not item.pv.process_key.endswith(CALL_SUFFIX):
        return {}
    return fixed_window_hints(*fixed_window(session, item, jurisdiction), lang)


def _local_input(value: Any) -> Any:
    """An ISO instant as the form's input shows it: Beijing time, to the minute."""
    parsed = _instant(value)
    return parsed.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M") if parsed else value


# --- starting -------------------------------------------------------------------------------------------------


def _problems(exc_fields: dict[str, tuple[str, str]]) -> ValidationFailed:
    zh = {k: [v[0]] for k, v in exc_fields.items()}
    en = {k: [v[1]] for k, v in exc_fields.items()}
    first_zh = "；".join(m[0] for m in zh.values())
    first_en = "; ".join(m[0] for m in en.values())
    return ValidationFailed(
        f"表单有误，未发起：{first_zh}",
        f"The form has errors; nothing was started: {first_en}",
        details={"fields": zh, "fields_en": en},
    )


def _business_key(session: Session, jurisdiction: str, year: int, kind: str) -> str:
    """``DAZU-2026-CALL-1`` / ``DAZU-2026-003``: the next free number of the year."""
    prefix = f"{jurisdiction.upper()}-{year}-{kind + '-' if kind else ''}"
    like = session.scalars(
        select(ProcessInstance.business_key).where(ProcessInstance.business_key.like(prefix + "%"))
    )
    # ``DAZU-2026-`` also begins the year's call ``DAZU-2026-CALL-001``: only keys of this kind are numbers
    taken = {k for k in like if k and k[len(prefix) :].isdigit()}
    n = len(taken) + 1
    while f"{prefix}{n:03d}" in taken:
        n += 1
    return f"{prefix}{n:03d}"


def start_from_form(
    session: Session, user: Any, key: str, jurisdiction: str, submitted: dict[str, Any]
) -> ProcessInstance:
    """Validate ``submitted`` against the start form (fields, then the process's own checks) and start the
    instance through ``start_instance`` (which checks who may start). Refused: ``ValidationFailed`` with field
    errors, nothing started."""
    item = find_startable(session, user, key)
    if jurisdiction not in item.jurisdictions:
        raise NotFound(
            f"您不能在该辖区发起流程 {key}。",
            f"You may not start {key} in that jurisdiction.",
            details={"key": key},
        )
    defn = form_for_user(session, user, item, jurisdiction)
    values = validate_task_data(defn, submitted)
    now = get_clock(session).now()
    data: dict[str, Any] = {"jurisdiction": jurisdiction}
    year = now.astimezone(SHANGHAI).year
    if item.pv.process_key.endswith(CALL_SUFFIX):
        opens, closes = _instant(values["notice_call_opens"]), _instant(values["notice_call_closes"])
        fixed, source = fixed_window(session, item, jurisdiction)
        problems = fixed_window_problems(opens, closes, fixed, source, now)
        if problems is None:
            problems = call_window_problems(opens, closes, now)
        if problems:
            raise _problems(problems)
        data.update(values)
        year = int(values["year"])
        business_key = _business_key(session, jurisdiction, year, "CALL")
    elif summary := next(
        (k for suffix, k in SUMMARY_KINDS.items() if item.pv.process_key.endswith(suffix)), None
    ):
        data.update(values)
        year = int(values.get("year") or values.get("to_year") or year)
        business_key = _business_key(session, jurisdiction, year, summary)
    else:
        if defn.field("entry_route") is not None:  # 001 十二(一): a contest-won project needs no call
            may = principal(user).holds(["bureau"], jurisdiction)
            if problems := contest.start_problems(values, may):
                raise _problems(problems)
        data.update({k: v for k, v in values.items() if k != "call"})
        if values.get("call"):  # the chosen open call: its close is the need's deadline (001 八(一))
            call = next(c for c in open_calls(session, jurisdiction) if str(c.instance_id) == values["call"])
            data["call_instance"] = call.instance_id
            data["notice_call_closes"] = call.closes.astimezone(SHANGHAI).isoformat()
            year = call.year  # the call's year, not its close's: a window may end in the next year
        business_key = _business_key(session, jurisdiction, year, "")
        data.setdefault("project_code", business_key)
    from engine.instances import start_instance

    return start_instance(session, key, business_key=business_key, data=data, actor=principal(user).username)
