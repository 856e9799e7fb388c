"""Writing notifications: one inbox row per recipient and cause, plus an outbox row per channel the recipient
wants and has an address for. Every producer runs inside the transaction of its cause and its notices are
written when that transaction commits, all of them in one batch (``notify_all``), so a notification exists
exactly when its cause was committed; nothing is sent from here (``engine.notify.outbox`` does that).

Producers (kind → recipients):

- ``task_ready``: a human task became ready → its assignee, else the active users holding the lane's role in the
  instance's jurisdiction who may act on it (``engine.access.may_act_on_task``);
- ``objection``: an objection was filed on the portal → the bureau users of the instance's jurisdiction;
- ``payment``: a disbursement or an issuer payment was recorded → the users of the receiving unit
  (``Person.username`` of the people whose ``organisation`` is the ledger party);
- ``need_refused``: the acceptance check refused a posted need, with each rule and its source (the diagram's
  ``need_refusals``) → the users of the issuing unit (``issuer_code``) and whoever started the instance;
- ``application_decided``: an application was selected (``project_open``) → the users of the solver unit;
- ``application_refused``: the eligibility check refused an application, with its reasons
  (``applications_refused``) → the users of the solver unit;
- ``application_removed``: the bureau left an application off the list it collected (``applications_removed``)
  → the users of the solver unit;
- ``extension_decided``: an extension request was granted, rejected or refused as inadmissible, with the reason
  (``extension_decided``) → the users of the project's solver units;
- ``termination_decided``: a project was terminated or revoked, with the reason (``project_status``) → the users
  of its solver units;
- ``termination_refused``: the bureau (000 §14, 001 八(八), 003 §17) or the party that consents to a termination
  after it (001 八(八) the district government, 003 §17 the issuer) refused it, with the reason; the project goes on → the users of its solver and issuer units,
  the requester (``termination.submitted_by``) and the jurisdiction's bureau users;
- ``task_due_soon``, ``task_overdue``: a human task's reminder time or due date passed (``engine.notify.due``) →
  the same people as ``task_ready``; ``task_escalated``: it stayed overdue → the jurisdiction's bureau users.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import and_, event, insert, or_, select
from sqlalchemy.orm import Session, SessionTransaction

from engine.access import who_may_act_on_task
from engine.db import utcnow
from engine.diagram_names import english_name
from engine.directory import organisation_names
from engine.labels import tranche_name
from engine.lint import role_of_lane
from engine.memo import memo
from engine.models.domain import LedgerEntry, Person, Project
from engine.models.instance import ProcessInstance
from engine.models.notification import Notification, NotificationPreference, OutboxMessage
from engine.models.task import READY, HumanTask
from engine.models.user import User
from engine.notify.channels import enabled_channels
from engine.principals import Holder, role_holders
from forms.convert import format_money_fen

#: kind → (Chinese label, English label), in the order the preferences page lists them
KINDS: dict[str, tuple[str, str]] = {
    "task_ready": ("有新的待办任务", "A task is ready for you"),
    "objection": ("收到异议", "An objection was received"),
    "payment": ("款项已记账", "A payment was recorded"),
    "need_refused": ("需求不予受理", "A need was not accepted"),
    "application_decided": ("揭榜申请有了结果", "An application was decided"),
    "application_refused": ("揭榜申请未通过资格审查", "An application was refused"),
    "application_removed": ("揭榜申请被移出受理名单", "An application was removed from the list"),
    "extension_decided": ("延期申请有了结果", "An extension request was decided"),
    "termination_decided": ("项目终止或撤销", "A project was terminated or revoked"),
    "termination_refused": ("终止申请未获同意", "A termination was refused"),
    "task_due_soon": ("待办任务即将到期", "A task is due soon"),
    "task_overdue": ("待办任务已逾期", "A task is overdue"),
    "task_escalated": (
        "辖区内任务逾期未办（上报科技局）",
        "A task in the jurisdiction is overdue (escalated)",
    ),
}
#: channel → the user attribute holding its address
ADDRESS = {"email": "email", "sms": "phone"}
#: without a stored preference: e-mail on, SMS off (the inbox is always on)
DEFAULTS = {"email": True, "sms": False}


#: the inbox rows are written with a Core statement: the ORM's bulk insert costs three times as much (issue 15)
_INBOX = insert(Notification.__table__)
_USER = User.__table__
_PERSON = Person.__table__
_NOTIFICATION = Notification.__table__
#: ``session.info`` key of the notices made in the session's current transaction, written when it commits
_PENDING = "jiebang_notices"


@dataclass(frozen=True)
class Text:
    subject_zh: str
    subject_en: str
    body_zh: str
    body_en: str


class Address(Protocol):
    """A recipient as the outbox needs it (a user row, a role holder)."""

    @property
    def username(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def phone(self) -> str | None: ...


def notify(
    session: Session,
    recipients: Iterable[str],
    *,
    kind: str,
    cause: str,
    text: Text,
    now: datetime,
    link: str | None = None,
    instance_id: int | None = None,
    units: Iterable[str] = (),
) -> None:
    """Inbox row (and outbox rows) for every active recipient not yet notified of ``cause``: the users named and
    the users of the organisations ``units`` (``Person.organisation`` → ``Person.username``). Written with the
    transaction's other notices when it commits (``notify_all``)."""
    codes = tuple(sorted({u for u in units if u}))
    notify_all(session, [Notice(tuple(recipients), kind, cause, text, link, instance_id, units=codes)], now)


@dataclass(frozen=True)
class Notice:
    """One cause to tell its recipients about (``notify_all``): the users named and the users of the
    organisations ``units``. ``fresh``: the cause came into being in this transaction (a task row just
    created), so nobody can have been told of it yet and that is not looked up."""

    recipients: tuple[str, ...]
    kind: str
    cause: str
    text: Text
    link: str | None = None
    instance_id: int | None = None
    fresh: bool = False
    units: tuple[str, ...] = ()


@dataclass
class _Pending:
    """The notices of one transaction, with when each was made and the recipients their producers loaded."""

    notices: list[tuple[Notice, datetime]] = field(default_factory=list)
    known: dict[str, Address] = field(default_factory=dict)


def notify_all(
    session: Session, notices: list[Notice], now: datetime, known: Mapping[str, Address] | None = None
) -> None:
    """``notify`` for several causes at once. Every notice of a transaction is written when it commits, in one
    batch however many causes and recipients (``write_pending``): the recipients, the users of their units and
    the notifications already made are read in one query (none when every recipient is in ``known``, active
    users a producer loaded, and every cause is fresh), the inbox rows are written in one INSERT … RETURNING,
    then their outbox rows in one more when a channel is configured."""
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = _Pending()
    pending.notices.extend((notice, now) for notice in notices)
    pending.known.update(known or {})


@event.listens_for(Session, "before_commit")
def _write_at_commit(session: Session) -> None:
    write_pending(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_pending(session: Session, transaction: SessionTransaction) -> None:
    """A rolled-back transaction's notices are gone with it."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def write_pending(session: Session) -> int:
    """Write the notices of the session's transaction now (``notify_all``; called when it commits); returns
    how many notifications were made."""
    pending: _Pending | None = session.info.pop(_PENDING, None)
    if pending is None or not pending.notices:
        return 0
    users: dict[str, Address] = dict(pending.known)
    named = {name for notice, _at in pending.notices for name in notice.recipients}
    units = sorted({unit for notice, _at in pending.notices for unit in notice.units})
    causes = sorted({notice.cause[:200] for notice, _at in pending.notices if not notice.fresh})
    members: dict[str, set[str]] = {}
    already: set[tuple[str, str]] = set()
    unknown = sorted(named - set(users))
    if unknown or units or causes:
        found = _recipients(session, sorted(named) if causes else unknown, units, causes)
        for row in found:
            users.setdefault(row.username, row)
            if units and row.organisation is not None:
                members.setdefault(row.organisation, set()).add(row.username)
            if causes and row.cause is not None:
                already.add((row.cause, row.username))
    made: list[tuple[Notice, dict[str, Any]]] = []
    for notice, at in pending.notices:
        cause = notice.cause[:200]
        names = set(notice.recipients).union(*(members.get(unit, set()) for unit in notice.units))
        for name in sorted(names):
            if name not in users or (cause, name) in already:
                continue
            already.add((cause, name))
            text = notice.text
            row = {
                "recipient": name,
                "kind": notice.kind,
                "cause": cause,
                "subject_zh": text.subject_zh,
                "subject_en": text.subject_en,
                "body_zh": text.body_zh,
                "body_en": text.body_en,
                "link": notice.link,
                "instance_id": notice.instance_id,
                "created_at": at,
                "read_at": None,
            }
            made.append((notice, row))
    if not made:
        return 0
    session.flush()
    channels = enabled_channels()
    if not channels:  # the inbox only
        session.execute(_INBOX, [row for _n, row in made])
        return len(made)
    ids = session.scalars(
        _INBOX.returning(_INBOX.table.c.id, sort_by_parameter_order=True), [row for _n, row in made]
    ).all()
    _outbox(
        session,
        [
            (users[row["recipient"]], notice, row["created_at"], nid)
            for (notice, row), nid in zip(made, ids, strict=True)
        ],
        channels,
    )
    return len(made)


def _recipients(session: Session, names: list[str], units: list[str], causes: list[str]) -> list[Any]:
    """In one query: the active users among ``names`` and among the people of ``units`` (with the unit, as
    ``organisation``), with each notification of ``causes`` they already have (as ``cause``; one row each)."""
    columns: list[Any] = [_USER.c.username, _USER.c.email, _USER.c.phone]
    joined: Any = _USER
    among = [_USER.c.username.in_(names)]
    if units:
        joined = joined.outerjoin(
            _PERSON, and_(_PERSON.c.username == _USER.c.username, _PERSON.c.organisation.in_(units))
        )
        columns.append(_PERSON.c.organisation)
        among.append(_PERSON.c.id.is_not(None))
    if causes:
        joined = joined.outerjoin(
            _NOTIFICATION,
            and_(_NOTIFICATION.c.recipient == _USER.c.username, _NOTIFICATION.c.cause.in_(causes)),
        )
        columns.append(_NOTIFICATION.c.cause)
    return list(session.execute(select(*columns).select_from(joined).where(_USER.c.active, or_(*among))))


def _outbox(
    session: Session, made: list[tuple[Address, Notice, datetime, int]], channels: Iterable[str]
) -> None:
    """The outbox rows of new notifications (user, its notice, when it was made, the notification's id), in one
    INSERT; the recipients' stored preferences are read in one query."""
    names = sorted({user.username for user, _n, _at, _id in made})
    stored = {
        (name, kind, channel): bool(enabled)
        for name, kind, channel, enabled in session.execute(
            select(
                NotificationPreference.username,
                NotificationPreference.kind,
                NotificationPreference.channel,
                NotificationPreference.enabled,
            ).where(NotificationPreference.username.in_(names))
        )
    }
    rows = []
    for user, notice, at, notification_id in made:
        text = notice.text
        for channel in channels:
            address = getattr(user, ADDRESS.get(channel, ""), None)
            key = (user.username, notice.kind, channel)
            if address and stored.get(key, DEFAULTS.get(channel, False)):
                rows.append(
                    {
                        "notification_id": notification_id,
                        "channel": channel,
                        "address": address,
                        "subject": f"{text.subject_zh} / {text.subject_en}",
                        "body": f"{text.body_zh}\n\n{text.body_en}\n",
                        # delivery follows the wall clock (engine.notify.outbox), even under a simulated clock
                        "next_attempt_at": utcnow(),
                        "created_at": at,
                    }
                )
    if rows:
        session.execute(insert(OutboxMessage.__table__), rows)


def _holder_users(session: Session, role: str, jurisdiction: str | None) -> list[Holder]:
    """The active holders of a role with their grants, in one query (remembered during a sweep)."""
    remembered = memo(session)
    key = ("holders", role, jurisdiction)
    if remembered is not None and key in remembered:
        return remembered[key]
    found = role_holders(session, role, jurisdiction)
    if remembered is not None:
        remembered[key] = found
    return found


def task_recipients(session: Session, instance: ProcessInstance, row: HumanTask) -> list[str]:
    """Who is told about a task: its assignee, else the active lane holders who may act on it."""
    return list(_task_recipients(session, instance, row))


def _task_recipients(session: Session, instance: ProcessInstance, row: HumanTask) -> dict[str, Holder | None]:
    """``task_recipients`` with the users loaded on the way (None for an assignee, who is not read here)."""
    if row.assignee:
        return {row.assignee: None}
    role = role_of_lane(row.lane)
    candidates = _holder_users(session, role, row.jurisdiction) if role else []
    return {str(user.username): user for user in who_may_act_on_task(session, candidates, row, instance)}


def bureau_users(session: Session, jurisdiction: str | None) -> list[str]:
    """The active bureau users of a jurisdiction (escalations, objections)."""
    return [u.username for u in _holder_users(session, "bureau", jurisdiction)] if jurisdiction else []


def tasks_ready(
    session: Session, instance: ProcessInstance, created: Iterable[HumanTask], now: datetime
) -> None:
    """For the human tasks created in this change (called by ``engine.runtime.save``), those that are ready."""
    new = [row for row in created if row.status == READY]
    if not new:
        return
    title = instance.title or instance.business_key or f"#{instance.id}"
    notices = []
    known: dict[str, Holder] = {}
    for row in new:
        name = row.name or row.task_spec
        name_en = english_name(name)
        text = Text(
            f"待办任务：{name}（{title}）",
            f"Task ready: {name_en} ({title})",
            f"“{title}”的任务“{name}”等待您办理。",
            f"The task '{name_en}' of '{title}' is waiting for you.",
        )
        recipients = _task_recipients(session, instance, row)
        known.update((name, user) for name, user in recipients.items() if user is not None)
        # a task row created in this change is a new cause: nobody was told of it yet (rows are never deleted)
        notices.append(
            Notice(
                tuple(recipients),
                "task_ready",
                f"task:{row.id}",
                text,
                f"/tasks/{row.id}",
                instance.id,
                fresh=True,
            )
        )
    notify_all(session, notices, now, known)  # one batch for all the tasks of this change


def objection_received(
    session: Session, *, receipt: str, instance: ProcessInstance, title: str, now: datetime
) -> None:
    bureau = [u.username for u in _holder_users(session, "bureau", instance.jurisdiction)]
    notify(
        session,
        bureau,
        kind="objection",
        cause=f"objection:{receipt}",
        text=Text(
            f"收到异议：{title}（回执号 {receipt}）",
            f"Objection received: {title} (receipt {receipt})",
            f"公示“{title}”收到一份异议，回执号 {receipt}。请在流程中处理。",
            f"An objection to the publicity notice '{title}' was filed, receipt {receipt}. Handle it in the "
            "process.",
        ),
        now=now,
        link=f"/monitor/instances/{instance.id}",
        instance_id=instance.id,
    )


_PAYMENT_KINDS = {
    "disbursement": ("财政资金拨付", "fiscal disbursement"),
    "issuer_payment": ("发榜方付款", "issuer payment"),
}


def payment_recorded(session: Session, entry: LedgerEntry, now: datetime) -> None:
    if entry.kind not in _PAYMENT_KINDS or not entry.party:
        return
    zh, en = _PAYMENT_KINDS[entry.kind]
    yuan = format_money_fen(entry.amount_fen, grouping=True)
    # the receiving unit and the tranche by name (never KARAMAY-S1 or first)
    unit = organisation_names(session, [entry.party]).get(entry.party, entry.party)
    tranche_zh = f"（{tranche_name(entry.tranche, 'zh')}）" if entry.tranche else ""
    tranche_en = f" ({tranche_name(entry.tranche, 'en')})" if entry.tranche else ""
    notify(
        session,
        (),
        units=[entry.party],
        kind="payment",
        cause=f"ledger:{entry.id}",
        text=Text(
            f"{zh}已记账：项目 {entry.project}，{yuan} 元",
            f"{en.capitalize()} recorded: project {entry.project}, CNY {yuan}",
            f"项目 {entry.project} 向 {unit} 的{zh} {yuan} 元{tranche_zh}已记账。",
            f"A {en} of CNY {yuan} to {unit} for project {entry.project}{tranche_en} was recorded.",
        ),
        now=now,
        instance_id=entry.instance_id,
    )


def applications_selected(
    session: Session, applications: Iterable[Project], project: str, now: datetime
) -> None:
    for application in applications:
        notify(
            session,
            (),
            units=[application.solver or ""],
            kind="application_decided",
            cause=f"application:{application.code}:selected",
            text=Text(
                f"揭榜申请入选：{application.title}",
                f"Application selected: {application.title}",
                f"您单位对“{application.title}”的揭榜申请已入选，立项为项目 {project}。",
                f"Your unit's application to '{application.title}' was selected; the project is {project}.",
            ),
            now=now,
            instance_id=application.instance_id,
        )


_DECIDED = {"terminated": ("终止", "terminated"), "revoked": ("撤销", "revoked")}


def _solver_units(project: Project) -> list[str]:
    return (project.solver or "").split(",")


def termination_decided(session: Session, project: Project, now: datetime, reason: str = "") -> None:
    if project.status not in _DECIDED:
        return
    zh, en = _DECIDED[project.status]
    because_zh = f"理由：{reason}" if reason else ""
    because_en = f" Reason: {reason}" if reason else ""
    notify(
        session,
        (),
        units=_solver_units(project),
        kind="termination_decided",
        cause=f"project:{project.code}:{project.status}",
        text=Text(
            f"项目已{zh}：{project.title}",
            f"Project {en}: {project.title}",
            f"项目 {project.code}“{project.title}”已被决定{zh}。{because_zh}",
            f"Project {project.code} '{project.title}' was {en}.{because_en}",
        ),
        now=now,
        instance_id=project.instance_id,
    )


def termination_refused(
    session: Session,
    project: Project,
    party: tuple[str, str],
    reason: str,
    requester: str,
    now: datetime,
) -> None:
    """``party``: who refused, in Chinese and English; ``requester``: the user who asked for the termination."""
    recipients = [*bureau_users(session, project.jurisdiction), *([requester] if requester else [])]
    notify(
        session,
        recipients,
        units=[*_solver_units(project), *(project.issuer or "").split(",")],
        kind="termination_refused",
        cause=f"termination:{project.code}:refused:{now.isoformat()}",
        text=Text(
            f"终止申请未获同意，项目继续实施：{project.title}",
            f"Termination refused, the project goes on: {project.title}",
            f"{party[0]}不同意终止项目 {project.code}“{project.title}”，项目继续实施，里程碑与验收照常。理由：{reason}",
            f"{party[1][:1].upper()}{party[1][1:]} refused to terminate project {project.code} '{project.title}'; the "
            f"project goes on, its milestones and acceptance as before. Reason: {reason}",
        ),
        now=now,
        instance_id=project.instance_id,
    )


_EXTENSION = {
    "granted": ("已批准", "was granted"),
    "rejected": ("未获同意", "was rejected"),
    "refused": ("不予受理", "was refused as inadmissible"),
}


def extension_decided(
    session: Session,
    project: Project,
    result: str,
    detail: str,
    now: datetime,
    party: tuple[str, str] | None = None,
) -> None:
    """``detail``: the new end of the period when granted, else the reason (one notice per decision);
    ``party``: who did not agree (Chinese, English) when it was not the bureau."""
    zh, en = _EXTENSION[result]
    if result == "granted":
        body_zh, body_en = f"实施期延至 {detail}。", f"The period now ends on {detail}."
    elif party:
        body_zh = f"{party[0]}不同意。理由：{detail}"
        body_en = f"{party[1][:1].upper()}{party[1][1:]} did not agree. Reason: {detail}"
    else:
        body_zh, body_en = f"理由：{detail}", f"Reason: {detail}"
    notify(
        session,
        (),
        units=_solver_units(project),
        kind="extension_decided",
        cause=f"extension:{project.code}:{result}:{now.isoformat()}",
        text=Text(
            f"延期申请{zh}：{project.title}",
            f"Extension request {en}: {project.title}",
            f"项目 {project.code}“{project.title}”的延期申请{zh}。{body_zh}",
            f"The extension request of project {project.code} '{project.title}' {en}. {body_en}",
        ),
        now=now,
        instance_id=project.instance_id,
    )


def application_refused(
    session: Session, application: Project, reasons: list[dict[str, str]], now: datetime
) -> None:
    """``reasons``: the eligibility table's refusals of this application ({zh, en, source})."""
    zh = "；".join(f"{r.get('zh', '')}（{r.get('source', '')}）" for r in reasons)
    en = "; ".join(f"{r.get('en', '')} ({r.get('source', '')})" for r in reasons)
    notify(
        session,
        (),
        units=[application.solver or ""],
        kind="application_refused",
        cause=f"application:{application.code}:refused",
        text=Text(
            f"揭榜申请未通过资格审查：{application.title}",
            f"Application refused: {application.title}",
            f"您单位对“{application.title}”的揭榜申请未通过资格审查。原因：{zh}",
            f"Your unit's application to '{application.title}' did not pass the eligibility check. Reasons: {en}",
        ),
        now=now,
        instance_id=application.instance_id,
    )


def application_removed(session: Session, application: Project, now: datetime) -> None:
    notify(
        session,
        (),
        units=[application.solver or ""],
        kind="application_removed",
        cause=f"application:{application.code}:removed",
        text=Text(
            f"揭榜申请被移出受理名单：{application.title}",
            f"Application removed from the list: {application.title}",
            f"科技局受理揭榜申请时，未将您单位对“{application.title}”的申请列入受理名单，该申请不再参加评审。"
            "如有疑问，请联系科技局。",
            f"When the bureau collected the applications, it did not list your unit's application to "
            f"'{application.title}'; the application takes no further part in the review. If in doubt, "
            "contact the bureau.",
        ),
        now=now,
        instance_id=application.instance_id,
    )


def preferences(session: Session, username: str) -> dict[str, dict[str, bool]]:
    """kind → channel → on, for every kind and every channel that has an address field."""
    stored = {
        (p.kind, p.channel): p.enabled
        for p in session.scalars(
            select(NotificationPreference).where(NotificationPreference.username == username)
        )
    }
    return {kind: {ch: stored.get((kind, ch), DEFAULTS[ch]) for ch in ADDRESS} for kind in KINDS}


def set_preferences(session: Session, username: str, chosen: Mapping[str, Mapping[str, bool]]) -> None:
    stored = {
        (p.kind, p.channel): p
        for p in session.scalars(
            select(NotificationPreference).where(NotificationPreference.username == username)
        )
    }
    for kind in KINDS:
        for channel in ADDRESS:
            on = bool(chosen.get(kind, {}).get(channel, False))
            row = stored.get((kind, channel))
            if row is None:
                session.add(NotificationPreference(username=username, kind=kind, channel=channel, enabled=on))
            else:
                row.enabled = on
    session.flush()


def need_refused(
    session: Session, instance: ProcessInstance, data: Mapping[str, object], now: datetime
) -> None:
    """The issuer learns why its need was not accepted (the diagram's ``need_refusals``, each rule with its
    source), in its inbox and by e-mail."""
    from engine.domain.problems import from_bilingual

    reasons = [from_bilingual(str(r)) for r in (data.get("need_refusals") or []) if r]  # type: ignore[union-attr]
    if not reasons:
        return
    title = instance.title or instance.business_key or ""
    notify(
        session,
        [instance.started_by] if instance.started_by else [],
        units=[str(data.get("issuer_code") or "")],
        kind="need_refused",
        cause=f"need:{instance.id}:refused",
        text=Text(
            f"需求不予受理：{title}",
            f"Need not accepted: {title}",
            f"您提交的需求“{title}”（{instance.business_key}）未通过受理审查，流程已结束。原因："
            + "；".join(r.text("zh") for r in reasons),
            f"Your need '{title}' ({instance.business_key}) did not pass the acceptance check; the procedure "
            "has ended. Reasons: " + "; ".join(r.text("en") for r in reasons),
        ),
        now=now,
        link=f"/instances/{instance.id}",
        instance_id=instance.id,
    )
