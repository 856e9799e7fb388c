"""The annual summary 总结评价 (000 §12(8)): "每年全面总结本年度“揭榜挂帅”项目实施情况、扶持政策落实情况、
资金使用绩效评价情况和协同推进履职尽责情况，分析存在的问题".

``annual_summary`` computes the figures of one jurisdiction and one calendar year from the database with SQL
aggregates (no workflow is loaded). The year runs from 1 January 00:00 Asia/Shanghai to the next 1 January.
Everything returned is plain JSON; money is integer fen.

- needs: instances of ``<jurisdiction>_challenge`` started in the year (a posted need each) and how many of
  them published their list (a ``task_completed`` event of the ``publish_list`` task in the year);
- projects: 揭榜挂帅 projects of the jurisdiction funded (opened) in the year, by status (``PROJECT_STATUSES``;
  applications registered as ``<challenge>/<solver>`` rows, ``applying`` or ``selected``, are not projects).
  The opening instant is the project's ``created_at``, or its first ledger movement when that is earlier:
  ``created_at`` is a wall-clock audit column (engine/db.py ``utcnow``) while ledger entries carry the engine
  clock, so under the simulated clock the ledger tells the year the project was opened in;
- money: fiscal disbursements, recoveries and issuer payments recorded in the year, by tranche and per project;
- credit: credit records (000 §16) recorded in the year for organisations of the jurisdiction, people of those
  organisations, and the issuers and ledger parties of its projects, each with its subject's name (an
  organisation's or a person's).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select, union
from sqlalchemy.orm import Session

from engine.clock import SHANGHAI, current_now
from engine.directory import organisation_names, person_names
from engine.errors import NotFound, ValidationFailed
from engine.models.deployment import ProcessVersion
from engine.models.domain import PROJECT_STATUSES, CreditRecord, LedgerEntry, Organisation, Person, Project
from engine.models.event import InstanceEvent
from engine.models.instance import ProcessInstance

SOURCE = "000 §12(8)"
CREDIT_SOURCE = "000 §16"
LEDGER_KINDS = ("disbursement", "recovery", "issuer_payment")
_JURISDICTION = re.compile(r"^[a-z][a-z0-9_]{1,31}$")


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[1 January 00:00, next 1 January 00:00) in Asia/Shanghai."""
    return datetime(year, 1, 1, tzinfo=SHANGHAI), datetime(year + 1, 1, 1, tzinfo=SHANGHAI)


def _year(value: object, now: datetime) -> int:
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not text.isdigit() or not 2000 <= int(text) <= 2999:
        raise ValidationFailed(f"年份无效：{value!r}", f"invalid year: {value!r}")
    year = int(text)
    current = now.astimezone(SHANGHAI).year
    if year > current:
        raise ValidationFailed(
            f"{year} 年尚未开始（当前为 {current} 年），不能总结。",
            f"The year {year} has not begun (it is {current}); there is nothing to summarise.",
        )
    return year


def _jurisdiction(session: Session, value: object) -> str:
    code = str(value or "").strip()
    if not _JURISDICTION.match(code):
        raise ValidationFailed(f"辖区代码无效：{value!r}", f"invalid jurisdiction code: {value!r}")
    deployed = session.scalar(select(exists().where(ProcessVersion.process_key == f"{code}_challenge")))
    if not deployed:
        raise NotFound(
            f"辖区 {code} 没有已部署的揭榜挂帅流程（{code}_challenge）。",
            f"Jurisdiction {code} has no deployed challenge process ({code}_challenge).",
        )
    return code


def annual_summary(
    session: Session, jurisdiction: str, year: int | str, *, now: datetime | None = None
) -> dict[str, Any]:
    """The figures of ``jurisdiction`` in ``year`` (see the module text). ``now`` (default: the engine's
    current instant) tells whether the year is over; figures of a running year are as of ``now``. An unknown
    jurisdiction (no deployed ``<jurisdiction>_challenge``) or a year not begun is refused."""
    now = now or current_now()
    code = _jurisdiction(session, jurisdiction)
    y = _year(year, now)
    start, end = year_bounds(y)
    return {
        "jurisdiction": code,
        "year": y,
        "source": SOURCE,
        "from": start.isoformat(),
        "until": end.isoformat(),
        "as_of": now.astimezone(SHANGHAI).isoformat(),
        "year_complete": now >= end,
        "needs": _needs(session, code, start, end),
        "projects": _projects(session, code, start, end),
        "money": _money(session, code, start, end),
        "credit": _credit(session, code, y),
    }


def _needs(session: Session, code: str, start: datetime, end: datetime) -> dict[str, Any]:
    key = f"{code}_challenge"
    posted = select(ProcessInstance.status, func.count()).where(
        ProcessInstance.process_key == key,
        ProcessInstance.started_at >= start,
        ProcessInstance.started_at < end,
    )
    by_status = {s: int(n) for s, n in session.execute(posted.group_by(ProcessInstance.status)).all()}
    published = session.scalar(
        select(func.count(func.distinct(InstanceEvent.instance_id)))
        .join(ProcessInstance, ProcessInstance.id == InstanceEvent.instance_id)
        .where(
            ProcessInstance.process_key == key,
            InstanceEvent.kind == "task_completed",
            InstanceEvent.task_spec == "publish_list",
            InstanceEvent.at >= start,
            InstanceEvent.at < end,
        )
    )
    return {"posted": sum(by_status.values()), "published": int(published or 0), "by_status": by_status}


def _projects(session: Session, code: str, start: datetime, end: datetime) -> dict[str, Any]:
    first = (
        select(LedgerEntry.project.label("project"), func.min(LedgerEntry.at).label("first_at"))
        .where(LedgerEntry.project.in_(select(Project.code).where(Project.jurisdiction == code)))
        .group_by(LedgerEntry.project)
        .subquery()
    )
    opened = case(
        (and_(first.c.first_at.is_not(None), first.c.first_at < Project.created_at), first.c.first_at),
        else_=Project.created_at,
    )
    rows = session.execute(
        select(Project.code, Project.title, Project.status, opened.label("opened_at"))
        .outerjoin(first, first.c.project == Project.code)
        .where(
            Project.jurisdiction == code,
            Project.scheme == "jiebang",
            Project.status.in_(PROJECT_STATUSES),  # not the application rows (applying, selected)
            opened >= start,
            opened < end,
        )
        .order_by(Project.code)
    ).all()
    by_status = dict.fromkeys(PROJECT_STATUSES, 0)
    for row in rows:
        by_status[row.status] = by_status.get(row.status, 0) + 1
    return {
        "funded": len(rows),
        "by_status": by_status,
        "list": [
            {
                "code": r.code,
                "title": r.title,
                "status": r.status,
                "opened_at": r.opened_at.astimezone(SHANGHAI).isoformat(),
            }
            for r in rows
        ],
    }


def _of_jurisdiction(code: str) -> ColumnElement[bool]:
    """Ledger entries of the jurisdiction (entries without one count through their project)."""
    return or_(
        LedgerEntry.jurisdiction == code,
        and_(
            LedgerEntry.jurisdiction.is_(None),
            LedgerEntry.project.in_(select(Project.code).where(Project.jurisdiction == code)),
        ),
    )


def _money(session: Session, code: str, start: datetime, end: datetime) -> dict[str, Any]:
    where = and_(_of_jurisdiction(code), LedgerEntry.at >= start, LedgerEntry.at < end)
    total = func.coalesce(func.sum(LedgerEntry.amount_fen), 0)
    by_kind = dict.fromkeys(LEDGER_KINDS, 0)
    tranches: list[dict[str, Any]] = []
    for kind, tranche, amount, entries in session.execute(
        select(LedgerEntry.kind, LedgerEntry.tranche, total, func.count())
        .where(where)
        .group_by(LedgerEntry.kind, LedgerEntry.tranche)
    ).all():
        by_kind[kind] = by_kind.get(kind, 0) + int(amount)
        tranches.append(
            {"kind": kind, "tranche": tranche, "amount_fen": int(amount), "entries": int(entries)}
        )
    order = {k: i for i, k in enumerate(LEDGER_KINDS)}
    tranches.sort(key=lambda t: (order.get(t["kind"], 99), t["tranche"] or ""))
    projects: dict[str, dict[str, Any]] = {}
    for project, title, status, kind, amount in session.execute(
        select(LedgerEntry.project, Project.title, Project.status, LedgerEntry.kind, total)
        .outerjoin(Project, Project.code == LedgerEntry.project)
        .where(where)
        .group_by(LedgerEntry.project, Project.title, Project.status, LedgerEntry.kind)
    ).all():
        row = projects.setdefault(
            project,
            {
                "project": project,
                "title": title,
                "status": status,
                "disbursed_fen": 0,
                "recovered_fen": 0,
                "issuer_paid_fen": 0,
            },
        )
        row[_FIELD[kind]] += int(amount)
    return {
        "disbursed_fen": by_kind["disbursement"],
        "recovered_fen": by_kind["recovery"],
        "net_fen": by_kind["disbursement"] - by_kind["recovery"],
        "issuer_paid_fen": by_kind["issuer_payment"],
        "by_tranche": tranches,
        "projects": [projects[k] for k in sorted(projects)],
    }


_FIELD = {"disbursement": "disbursed_fen", "recovery": "recovered_fen", "issuer_payment": "issuer_paid_fen"}


def _credit(session: Session, code: str, year: int) -> dict[str, Any]:
    organisations = select(Organisation.code).where(Organisation.jurisdiction == code)
    subjects = union(
        organisations,
        select(Person.code).where(Person.organisation.in_(organisations)),
        select(Project.issuer).where(Project.jurisdiction == code, Project.issuer.is_not(None)),
        select(Project.solver).where(Project.jurisdiction == code, Project.solver.is_not(None)),
        select(LedgerEntry.party).where(_of_jurisdiction(code), LedgerEntry.party.is_not(None)),
    )
    rows = session.scalars(
        select(CreditRecord)
        .where(
            CreditRecord.subject.in_(subjects),
            CreditRecord.recorded_on >= date(year, 1, 1),
            CreditRecord.recorded_on <= date(year, 12, 31),
        )
        .order_by(CreditRecord.recorded_on, CreditRecord.id)
    ).all()
    by_kind: dict[str, int] = {}
    for r in rows:
        by_kind[r.kind] = by_kind.get(r.kind, 0) + 1
    codes = [r.subject for r in rows]
    names = {**person_names(session, codes), **organisation_names(session, codes)}
    return {
        "source": CREDIT_SOURCE,
        "added": len(rows),
        "by_kind": by_kind,
        "records": [
            {
                "subject": r.subject,
                "subject_name": names.get(r.subject, r.subject),
                "kind": r.kind,
                "recorded_on": r.recorded_on.isoformat(),
                "penalty_until": r.penalty_until.isoformat() if r.penalty_until else None,
                "source": r.source,
                "note": r.note,
            }
            for r in rows
        ],
    }
