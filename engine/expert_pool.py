"""The expert pool (专家库) and the random panel draw (随机抽取) of a panel task.

Administration (list, add, edit, mark unavailable) follows the directory: an ``admin`` or ``bureau`` of the
expert's jurisdiction (``engine.access.administration``), every change audited in its own transaction.

A draw reads the case from the task's data (issuer, applicants, the policy numbers of the panel and of 回避),
leaves out the experts the rules of ``engine.domain.panel`` exclude, and draws with ``random.Random(seed)``
from the rest. The eligible list, the exclusions with their reasons, the seed, the size and the result are
stored (``PanelDraw``), so anyone can repeat the draw and get the same panel; replacements of declined experts
are stored with their reason (``PanelReplacement``). Confirming completes the task with ``experts`` rows whose
``name`` is the expert's user name (the contract of bpmn/shared/expert_review.bpmn).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine import audit, tasks
from engine.access.administration import directory_scope, require_directory
from engine.case_view import case_data
from engine.clock import SHANGHAI, get_clock
from engine.db import begin_write, contains_text
from engine.domain import panel as rules
from engine.errors import InvalidState, NotFound, ValidationFailed
from engine.field_errors import FieldErrors
from engine.models import task as task_model
from engine.models.domain import Affiliation, Organisation, Person
from engine.models.expert import Expert, PanelDraw, PanelReplacement
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from engine.models.user import User
from engine.runtime import load_workflow

#: The form whose task is filled by a draw.
PANEL_FORM = "panel_form"
#: Every form filled by a draw, with the prefix of the policy values its panel obeys in the task data
#: (``<prefix>_min``, ``<prefix>_odd``, ``<prefix>_source``): the review panel's ``panel_*`` of the policy
#: table; Dazu's need-selection panel's ``need_panel_*`` of list_rules_dazu (001 八(二)).
PANEL_FORMS = {PANEL_FORM: "panel", "need_panel_form": "need_panel"}
TITLE_MAX = 64
FIELD_MAX = 32
LIST_LIMIT = 200
_SPLIT = re.compile(r"[,，、;；\s]+")

REASONS = {
    rules.SAME_ORGANISATION: (
        "与发榜方或申报单位为同一单位",
        "Same organisation as the issuer or an applicant",
    ),
    rules.AFFILIATED: (
        "所在单位与发榜方或申报单位存在关联关系",
        "Their organisation is affiliated with the issuer or an applicant",
    ),
    rules.RECENT_SERVICE: (
        "近期已参加本需求的专家组",
        "Served on a panel of the same need recently",
    ),
    rules.UNAVAILABLE: ("暂不可参加评审", "Unavailable"),
}


def now(session: Session) -> datetime:
    """The engine's clock (simulated on training and demo deployments)."""
    return get_clock(session).now()


def today(session: Session) -> date:
    return now(session).astimezone(SHANGHAI).date()


# --- administration -------------------------------------------------------------------------------------


def parse_fields(text: str) -> list[str]:
    """Fields of expertise from text separated by commas, 、 or spaces (duplicates dropped, order kept)."""
    seen: list[str] = []
    for part in _SPLIT.split(text or ""):
        if part and part not in seen:
            seen.append(part)
    return seen


def fields_of(expert: Expert) -> list[str]:
    return list(json.loads(expert.fields_json or "[]"))


def _check_common(title: str, fields_text: str, errors: FieldErrors) -> tuple[str, list[str]]:
    title = (title or "").strip()
    if not title:
        errors.add("title", "请填写职称，例如“教授”“正高级工程师”。", "Enter the title, e.g. professor.")
    elif len(title) > TITLE_MAX:
        errors.add(
            "title",
            f"职称不能超过 {TITLE_MAX} 个字符。",
            f"The title must be at most {TITLE_MAX} characters.",
        )
    fields = parse_fields(fields_text)
    if not fields:
        errors.add(
            "fields",
            "请填写至少一个专业领域，多个领域用顿号或逗号分隔。",
            "Enter at least one field of expertise; separate several with commas.",
        )
    elif any(len(f) > FIELD_MAX for f in fields):
        errors.add(
            "fields",
            f"每个专业领域不能超过 {FIELD_MAX} 个字符。",
            f"Each field is at most {FIELD_MAX} characters.",
        )
    return title, fields


def _person_with_org(session: Session, code: str) -> tuple[Person | None, Organisation | None]:
    person = session.scalar(select(Person).where(Person.code == code)) if code else None
    org = (
        session.scalar(select(Organisation).where(Organisation.code == person.organisation))
        if person is not None and person.organisation
        else None
    )
    return person, org


def create_expert(
    session: Session, user: Any, *, person_code: str, title: str, fields: str, actor: str
) -> Expert:
    """Add a person of the directory (linked to an account) to the pool of their organisation's jurisdiction.
    Commits."""
    errors = FieldErrors()
    begin_write(session)
    person, org = _person_with_org(session, (person_code or "").strip())
    if person is None or org is None:
        errors.add(
            "person",
            "请选择专家本人（须先在“人员”中登记）。",
            "Choose the person (register them under People first).",
        )
    elif not person.username:
        errors.add(
            "person",
            f"“{person.name}”尚未关联账号，专家须有账号才能接收评分任务。请先在“人员”中关联账号。",
            f"“{person.name}” has no account; an expert needs one to receive scoring tasks. Link one under People.",
        )
    elif session.scalar(select(Expert).where(Expert.person_code == person.code)) is not None:
        errors.add("person", f"“{person.name}”已在专家库中。", f"“{person.name}” is already in the pool.")
    elif directory_scope(user) is not None and org.jurisdiction not in (directory_scope(user) or ()):
        errors.add(
            "person", "请选择您管理的辖区内的人员。", "Choose a person of a jurisdiction you administer."
        )
    title, field_list = _check_common(title, fields, errors)
    errors.raise_any()
    assert person is not None and org is not None and org.jurisdiction is not None
    require_directory(user, org.jurisdiction)
    expert = Expert(
        person_code=person.code,
        jurisdiction=org.jurisdiction,
        title=title,
        fields_json=json.dumps(field_list, ensure_ascii=False),
        available=True,
    )
    session.add(expert)
    audit.record(
        session,
        "expert_created",
        actor=actor,
        subject=person.code,
        detail={"name": person.name, "title": title, "fields": field_list, "jurisdiction": org.jurisdiction},
    )
    session.commit()
    return expert


def get_expert(session: Session, user: Any, expert_id: int) -> Expert:
    expert = session.get(Expert, expert_id)
    if expert is None:
        raise NotFound(f"专家 {expert_id} 不存在。", f"Expert {expert_id} does not exist.")
    require_directory(user, expert.jurisdiction)
    return expert


def update_expert(
    session: Session,
    user: Any,
    expert_id: int,
    *,
    title: str,
    fields: str,
    available: bool,
    unavailable_until: str,
    note: str,
    actor: str,
) -> Expert:
    """Change an expert's title, fields or availability (unavailable, optionally until a date). Commits."""
    begin_write(session)
    expert = get_expert(session, user, expert_id)
    errors = FieldErrors()
    title, field_list = _check_common(title, fields, errors)
    until: date | None = None
    if not available and unavailable_until.strip():
        try:
            until = date.fromisoformat(unavailable_until.strip())
        except ValueError:
            errors.add(
                "unavailable_until",
                "请按“年-月-日”填写日期，例如 2026-12-31。",
                "Enter the date as year-month-day, e.g. 2026-12-31.",
            )
        else:
            if until < today(session):
                errors.add(
                    "unavailable_until",
                    "“不可用至”的日期已过，请填写今天以后的日期，或留空表示长期不可用。",
                    "The date has passed; enter a later one, or leave it empty for no end.",
                )
    note = (note or "").strip()[:500]
    errors.raise_any()
    before = {
        "title": expert.title,
        "fields": fields_of(expert),
        "available": expert.available,
        "unavailable_until": expert.unavailable_until.isoformat() if expert.unavailable_until else None,
        "note": expert.note or "",
    }
    after = {
        "title": title,
        "fields": field_list,
        "available": available,
        "unavailable_until": until.isoformat() if until else None,
        "note": note,
    }
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        expert.title, expert.available, expert.unavailable_until = title, available, until
        expert.fields_json = json.dumps(field_list, ensure_ascii=False)
        expert.note = note or None
        audit.record(session, "expert_updated", actor=actor, subject=expert.person_code, detail=changed)
    session.commit()
    return expert


@dataclass(frozen=True)
class PoolRow:
    expert: Expert
    person: Person
    organisation: Organisation | None

    @property
    def fields(self) -> list[str]:
        return fields_of(self.expert)

    def available_on(self, day: date) -> bool:
        e = self.expert
        return e.available or (e.unavailable_until is not None and e.unavailable_until < day)


def _rows(session: Session, query: Any) -> list[PoolRow]:
    return [PoolRow(e, p, o) for e, p, o in session.execute(query)]


def _pool_query() -> Any:
    return (
        select(Expert, Person, Organisation)
        .join(Person, Person.code == Expert.person_code)
        .outerjoin(Organisation, Organisation.code == Person.organisation)
    )


def search_experts(session: Session, user: Any, text: str = "") -> list[PoolRow]:
    """Experts of the user's jurisdictions whose name, organisation, title or fields contain ``text``."""
    query = _pool_query()
    scope = directory_scope(user)
    if scope is not None:
        query = query.where(Expert.jurisdiction.in_(sorted(scope)))
    text = text.strip()
    if text:
        columns = (Person.name, Organisation.name, Expert.title, Expert.fields_json, Person.username)
        query = query.where(or_(*(contains_text(c, text) for c in columns)))
    return _rows(session, query.order_by(Expert.jurisdiction, Person.name).limit(LIST_LIMIT))


def candidate_people(session: Session, user: Any) -> list[tuple[Person, Organisation]]:
    """People with an account, of organisations the user administers, not yet in the pool."""
    query = (
        select(Person, Organisation)
        .join(Organisation, Organisation.code == Person.organisation)
        .where(Person.username.is_not(None), Person.code.not_in(select(Expert.person_code)))
    )
    scope = directory_scope(user)
    if scope is not None:
        query = query.where(Organisation.jurisdiction.in_(sorted(scope)))
    return [(p, o) for p, o in session.execute(query.order_by(Person.name))]


def pool_rows(session: Session, jurisdiction: str) -> list[PoolRow]:
    return _rows(
        session, _pool_query().where(Expert.jurisdiction == jurisdiction).order_by(Expert.person_code)
    )


# --- the draw -------------------------------------------------------------------------------------------


@dataclass
class PanelTask:
    """A ready panel task of an instance, with the values of its data the draw needs."""

    row: HumanTask
    instance: ProcessInstance
    data: dict[str, Any]

    @property
    def prefix(self) -> str:
        return PANEL_FORMS.get(self.row.form_key or "", "panel")

    @property
    def jurisdiction(self) -> str:
        return str(self.data.get("jurisdiction") or "")

    @property
    def need(self) -> str:
        """The series of panels whose members 回避 recent service counts: the challenge's business key for its
        review panels; Dazu's need-selection panel (001 八(二)) is a series of its own, so serving on it does not
        keep an expert off the later review of the solvers."""
        key = str(self.instance.business_key or self.data.get("project_code") or self.instance.id)
        return key if self.prefix == "panel" else f"{key}:{self.prefix}"

    @property
    def panel_min(self) -> int:
        return int(self.data[f"{self.prefix}_min"])

    @property
    def panel_odd(self) -> bool:
        return bool(self.data[f"{self.prefix}_odd"])

    @property
    def chair_from_issuer(self) -> bool:
        # 003 §12(5): the review panel's chair; Dazu's need-selection panel has no such rule
        return self.prefix == "panel" and bool(self.data.get("chair_from_issuer"))

    @property
    def problem(self) -> str:
        """Why the panel confirmed last time was sent back by the diagram ('' when none)."""
        return str(self.data.get(f"{self.prefix}_problem") or "")

    @property
    def source(self) -> str:
        return str(self.data.get(f"{self.prefix}_source") or "")

    def case(self, session: Session, today: date) -> rules.Case:
        days = int(self.data["panel_recent_days"])
        since = now(session) - timedelta(days=days)
        recent: set[str] = set()
        for draw in session.scalars(
            select(PanelDraw).where(
                PanelDraw.need == self.need, PanelDraw.status == "confirmed", PanelDraw.at >= since
            )
        ):
            recent |= set(json.loads(draw.members_json))
        return recusal_case(session, self.data, today, frozenset(recent))


def case_parties(data: Mapping[str, Any]) -> tuple[str, list[str]]:
    """(the issuer, the other parties) of a case whose experts 回避: the applicants (and the solvers chosen) with
    the consortium partners of their applications."""
    applicants = [str(c) for c in data.get("candidates") or []]
    applicants += [str(c) for c in data.get("solvers") or []]
    if data.get("selected"):
        applicants += [p for p in _SPLIT.split(str(data.get("selected"))) if p]
    for app in data.get("applications_ok") or data.get("applications") or []:
        if isinstance(app, dict):
            applicants.append(str(app.get("solver") or ""))
            applicants += [p for p in _SPLIT.split(str(app.get("partners") or "")) if p]
    return str(data.get("issuer_code") or ""), sorted(set(applicants) - {""})


def recusal_case(
    session: Session, data: Mapping[str, Any], today: date, recent: frozenset[str] = frozenset()
) -> rules.Case:
    """The parties of the case and their affiliations, from its data: what ``engine.domain.panel`` leaves an
    expert out for (回避). The one source of the draw (with the panel series' ``recent`` members) and of the
    expert pickers (``engine.pickers``: e.g. Dazu's acceptance panel, 001 八(八))."""
    issuer, applicants = case_parties(data)
    parties = sorted({issuer, *applicants} - {""})
    links = session.execute(
        select(Affiliation.party_a, Affiliation.party_b).where(
            or_(Affiliation.party_a.in_(parties), Affiliation.party_b.in_(parties))
        )
    )
    return rules.Case(
        issuer=issuer,
        applicants=tuple(applicants),
        affiliations=frozenset((a, b) for a, b in links),
        recent=recent,
        today=today,
    )


def pickable_experts(
    session: Session, jurisdiction: str, data: Mapping[str, Any]
) -> tuple[list[PoolRow], dict[str, list[str]]]:
    """The experts of the jurisdiction's pool a panel of the case may take today (available, and none of the
    回避 of ``engine.domain.panel``: not of the issuer's, an applicant's or a partner's unit, nor affiliated with
    one), and the reasons of those left out, by person code."""
    day = today(session)
    case = recusal_case(session, data, day)
    rows = pool_rows(session, jurisdiction)
    reasons = {c.code: rules.exclusion_reasons(c, case) for c in _candidates(rows)}
    return [r for r in rows if not reasons[r.expert.person_code]], {c: r for c, r in reasons.items() if r}


def panel_task(session: Session, task_id: str) -> PanelTask:
    """The ready panel task ``task_id`` and its data (InvalidState if it is not an open panel task)."""
    row = session.get(HumanTask, task_id)
    if row is None:
        raise NotFound(f"任务 {task_id} 不存在。", f"Task {task_id} does not exist.")
    instance = session.get(ProcessInstance, row.instance_id)
    assert instance is not None
    if row.form_key not in PANEL_FORMS:
        raise InvalidState("此任务不是组建专家组的任务。", "This task does not form an expert panel.")
    if row.status not in task_model.OPEN:  # done: its step may already be gone from the stored state
        raise InvalidState("此任务已完成，不能再抽取或调整专家。", "This task is done; no more draws for it.")
    wf = load_workflow(session, instance)
    task = wf.get_task_from_id(UUID(task_id))
    return PanelTask(row, instance, case_data(task) if task is not None else {})


def _candidates(rows: list[PoolRow]) -> list[rules.Candidate]:
    return [
        rules.Candidate(
            code=r.expert.person_code,
            organisation=r.person.organisation or "",
            fields=tuple(r.fields),
            available=r.expert.available,
            unavailable_until=r.expert.unavailable_until,
        )
        for r in rows
    ]


def size_problem(size: int | None, panel_min: int, panel_odd: bool, source: str) -> str:
    """Why ``size`` does not meet the policy (Chinese with the citation), or ''."""
    if size is None:
        return "请填写抽取人数（整数）。"
    return rules.check_panel([{"name": f"_{i}"} for i in range(size)], panel_min, panel_odd, False, source)


def current_draw(session: Session, task_id: str) -> PanelDraw | None:
    return session.scalar(
        select(PanelDraw)
        .where(PanelDraw.task_id == task_id, PanelDraw.status == "drawn")
        .order_by(PanelDraw.id.desc())
    )


def make_draw(
    session: Session,
    task_id: str,
    *,
    size: int | None,
    field_filter: str,
    actor: str,
    seed: int | None = None,
) -> PanelDraw:
    """Draw ``size`` experts for the panel task. Refuses (storing nothing) a size against the policy or larger
    than the eligible pool. A draw of the task made before is superseded. Commits."""
    begin_write(session)
    pt = panel_task(session, task_id)
    tasks.require_actor(session, pt.row, actor)
    problem = size_problem(size, pt.panel_min, pt.panel_odd, pt.source)
    if problem:
        raise ValidationFailed(
            problem, "The panel size does not meet the policy.", details={"fields": {"size": [problem]}}
        )
    assert size is not None
    field_filter = (field_filter or "").strip()
    day = today(session)
    eligible, excluded = rules.split_pool(
        _candidates(pool_rows(session, pt.jurisdiction)), pt.case(session, day), field_filter
    )
    if len(eligible) < size:
        where = f"“{field_filter}”领域" if field_filter else "专家库"
        msg = (
            f"{where}中符合回避规则的专家只有 {len(eligible)} 人，不足 {size} 人，未抽取。"
            "请减少人数（不少于政策下限）、取消领域筛选，或先在专家库中增加专家。"
        )
        raise ValidationFailed(
            msg,
            f"Only {len(eligible)} eligible experts, fewer than {size}; nothing was drawn.",
            details={"fields": {"size": [msg]}},
        )
    seed = secrets.randbits(48) if seed is None else seed
    result = rules.draw(eligible, size, seed)
    for old in session.scalars(
        select(PanelDraw).where(PanelDraw.task_id == task_id, PanelDraw.status == "drawn")
    ):
        old.status = "superseded"
    row = PanelDraw(
        instance_id=pt.instance.id,
        task_id=task_id,
        need=pt.need,
        jurisdiction=pt.jurisdiction,
        seed=seed,
        size=size,
        field_filter=field_filter,
        eligible_json=json.dumps(eligible),
        excluded_json=json.dumps(excluded, ensure_ascii=False),
        result_json=json.dumps(result),
        members_json=json.dumps(result),
        chair="",
        status="drawn",
        actor=actor,
        at=now(session),
    )
    session.add(row)
    session.commit()
    return row


def repeat(draw: PanelDraw) -> list[str]:
    """The panel the stored inputs give: equal to ``result_json`` for every honest record."""
    return rules.draw(json.loads(draw.eligible_json), draw.size, draw.seed)


def _open_draw(session: Session, task_id: str, actor: str) -> tuple[PanelTask, PanelDraw]:
    begin_write(session)
    pt = panel_task(session, task_id)
    tasks.require_actor(session, pt.row, actor)
    draw = current_draw(session, task_id)
    if draw is None:
        raise InvalidState("请先随机抽取专家组。", "Draw the panel first.")
    return pt, draw


def remaining(session: Session, draw: PanelDraw) -> list[str]:
    """Eligible experts of the draw never on this panel (the declined ones stay out)."""
    used = set(json.loads(draw.members_json))
    used |= {
        r.removed
        for r in session.scalars(select(PanelReplacement).where(PanelReplacement.draw_id == draw.id))
    }
    return [c for c in json.loads(draw.eligible_json) if c not in used]


def replace(
    session: Session,
    task_id: str,
    *,
    removed: str,
    reason: str,
    chosen: str = "",
    actor: str,
    seed: int | None = None,
) -> PanelReplacement:
    """Replace a member who declined: drawn again from the remaining eligible experts, or ``chosen`` among
    them. The reason is required. Commits."""
    _pt, draw = _open_draw(session, task_id, actor)
    members = json.loads(draw.members_json)
    errors = FieldErrors()
    if removed not in members:
        errors.add("removed", "请选择要替换的专家组成员。", "Choose the panel member to replace.")
    reason = (reason or "").strip()
    if not reason:
        errors.add(
            "reason", "请填写替换原因，例如“本人因出差无法参加”。", "Enter why the expert is replaced."
        )
    elif len(reason) > 500:
        errors.add("reason", "替换原因不能超过 500 个字符。", "The reason must be at most 500 characters.")
    left = remaining(session, draw)
    if chosen and chosen not in left:
        errors.add(
            "chosen",
            "所选专家不在可抽取的名单中（已在专家组、已被替换或须回避）。",
            "The chosen expert is not eligible (on the panel, replaced or excluded).",
        )
    if not chosen and not left:
        errors.add("removed", "已没有可替补的专家，请重新抽取或扩充专家库。", "Nobody is left to draw.")
    errors.raise_any()
    seed_used: int | None = None
    if chosen:
        added, method = chosen, "chosen"
    else:
        seed_used = secrets.randbits(48) if seed is None else seed
        added, method = rules.draw_one(left, seed_used), "draw"
    draw.members_json = json.dumps([added if m == removed else m for m in members])
    if draw.chair == removed:
        draw.chair = ""
    row = PanelReplacement(
        draw_id=draw.id,
        removed=removed,
        added=added,
        method=method,
        seed=seed_used,
        reason=reason,
        actor=actor,
        at=now(session),
    )
    session.add(row)
    session.commit()
    return row


def set_chair(session: Session, task_id: str, *, chair: str, actor: str) -> None:
    """Name a member the panel's chair ('' for none). Commits."""
    _pt, draw = _open_draw(session, task_id, actor)
    if chair and chair not in json.loads(draw.members_json):
        raise ValidationFailed(
            "组长须是专家组成员。",
            "The chair must be a panel member.",
            details={"fields": {"chair": ["组长须是专家组成员。"]}},
        )
    draw.chair = chair
    session.commit()


def _people(session: Session, codes: list[str]) -> dict[str, PoolRow]:
    if not codes:
        return {}
    query = _pool_query().where(Expert.person_code.in_(sorted(set(codes))))
    return {r.expert.person_code: r for r in _rows(session, query)}


def panel_rows(session: Session, draw: PanelDraw, chair_from_issuer: bool) -> list[dict[str, Any]]:
    """The ``experts`` rows of the process data: ``name`` is the user name (scoring tasks go to it)."""
    people = _people(session, json.loads(draw.members_json))
    rows = []
    for code in json.loads(draw.members_json):
        r = people[code]
        is_chair = code == draw.chair
        rows.append(
            {
                "name": r.person.username or "",
                "display_name": r.person.name,
                "title": r.expert.title,
                "organisation": r.organisation.name if r.organisation else "",
                "field": "、".join(r.fields),
                # 003 §12(5): a Karamay chair is the one the issuer recommended
                "recommended_by": "issuer" if (is_chair and chair_from_issuer) else "bureau",
                "chair": is_chair,
            }
        )
    return rows


def confirm(session: Session, task_id: str, *, actor: str) -> None:
    """Complete the panel task with the drawn panel if it meets the policy (nothing changes otherwise)."""
    pt, draw = _open_draw(session, task_id, actor)
    rows = panel_rows(session, draw, pt.chair_from_issuer)
    problem = rules.check_panel(rows, pt.panel_min, pt.panel_odd, pt.chair_from_issuer, pt.source)
    if problem:
        raise ValidationFailed(
            problem, "The panel does not meet the policy.", details={"fields": {"chair": [problem]}}
        )
    draw.status = "confirmed"
    tasks.complete(session, task_id, actor=actor, data={"experts": rows})


# --- showing a draw -------------------------------------------------------------------------------------


def describe(session: Session, draw: PanelDraw) -> dict[str, Any]:
    """A draw with names, titles and organisation names (never codes) for the task and instance pages."""
    excluded = json.loads(draw.excluded_json)
    replacements = list(
        session.scalars(
            select(PanelReplacement).where(PanelReplacement.draw_id == draw.id).order_by(PanelReplacement.id)
        )
    )
    codes = (
        json.loads(draw.eligible_json)
        + [x["expert"] for x in excluded]
        + [r.removed for r in replacements]
        + [r.added for r in replacements]
    )
    people = _people(session, codes)

    def who(code: str) -> dict[str, Any]:
        r = people.get(code)
        if r is None:
            return {"code": code, "name": code, "title": "", "organisation": "", "fields": ""}
        return {
            "code": code,
            "name": r.person.name,
            "title": r.expert.title,
            "organisation": r.organisation.name if r.organisation else "",
            "fields": "、".join(r.fields),
        }

    actors = {draw.actor, *(r.actor for r in replacements)}
    shown_as = {
        u.username: u.display_name or u.username
        for u in session.scalars(select(User).where(User.username.in_(actors)))
    }
    return {
        "draw": draw,
        "actor": shown_as.get(draw.actor, draw.actor),
        "actors": shown_as,
        "members": [{**who(c), "chair": c == draw.chair} for c in json.loads(draw.members_json)],
        "result": [who(c) for c in json.loads(draw.result_json)],
        "eligible": [who(c) for c in json.loads(draw.eligible_json)],
        "excluded": [{**who(x["expert"]), "reasons": [REASONS[k] for k in x["reasons"]]} for x in excluded],
        "replacements": [{"row": r, "removed": who(r.removed), "added": who(r.added)} for r in replacements],
        "remaining": [who(c) for c in remaining(session, draw)],
        "reproducible": repeat(draw) == json.loads(draw.result_json),
    }


def draws_of_instance(session: Session, instance_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(PanelDraw).where(PanelDraw.instance_id == instance_id).order_by(PanelDraw.id)
    )
    return [describe(session, d) for d in rows]


def field_choices(session: Session, jurisdiction: str) -> list[str]:
    found: list[str] = []
    for r in pool_rows(session, jurisdiction):
        for f in r.fields:
            if f not in found:
                found.append(f)
    return sorted(found)
