"""Stage reports (阶段报告) a solver submits on its own, at any time while its project is being implemented —
not only when a milestone task asks for one (Jiebang issue 13; 000 §12(7): the project is assessed on its
progress; 003 §15 and 001 八(七) ask for regular progress reports).

A report is one entry in the project's instance event log (kind ``stage_report``): the period, the progress
text and the uploaded report. Nothing else holds state — no workflow change, no table: the case history shows
it to the bureau and the issuer, the one access policy (``engine.access``) filters it like every event, the
upload store keeps its file (``referenced_digests`` reads events), and the next milestone task lists the reports
received since the last milestone check (``since_last_check``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import instances
from engine.access import solvers
from engine.access.principal import principal
from engine.clock import SHANGHAI, get_clock
from engine.errors import InvalidState
from engine.models.event import InstanceEvent
from engine.project_requests import Refused

EVENT = "stage_report"
#: the task that assesses progress; reports received after its last completion are "since the last check"
CHECK_TASKS = ("milestone_check", "stage_review")
PROGRESS_MAX = 5000
#: what a report may be (the upload is checked again by its content when stored)
REPORT_TYPES = (".pdf", ".doc", ".docx")
REPORT_MAX_SIZE = 20 * 1024 * 1024


@dataclass(frozen=True)
class StageReport:
    at: datetime
    actor: str | None
    solver: str
    period_start: str
    period_end: str
    progress: str
    file: dict[str, Any] | None


def _today(session: Session) -> date:
    return get_clock(session).now().astimezone(SHANGHAI).date()


def _date(text: Any) -> date | None:
    try:
        return date.fromisoformat(str(text or "").strip()[:10])
    except ValueError:
        return None


def open_for_reports(data: Mapping[str, Any], status: str, unit: str, today: date) -> bool:
    """The project is being implemented by ``unit``: the instance runs, the task book is signed (it set
    ``period_end``), the period has not ended, and the unit is still one of the project's solvers (a 赛马
    team that exited reports no more, 000 §12(7))."""
    end = _date(data.get("period_end"))
    kept = data.get("solvers")
    still = not isinstance(kept, list) or unit in kept
    return status == "running" and end is not None and today <= end and still


def check(values: Mapping[str, Any], file: Mapping[str, Any] | None, today: date) -> dict[str, Any]:
    """The report as it will be stored, or ``Refused`` with the reason beside each field: a period that has
    begun and ended (start ≤ end ≤ today), the progress written, a report file attached."""
    problems: dict[str, tuple[str, str]] = {}
    start, end = _date(values.get("period_start")), _date(values.get("period_end"))
    if start is None:
        problems["period_start"] = ("请填写报告期开始日期。", "Give the first day of the period.")
    if end is None:
        problems["period_end"] = ("请填写报告期结束日期。", "Give the last day of the period.")
    elif end > today:
        problems["period_end"] = (
            f"报告期不能晚于今天（{today.isoformat()}）。",
            f"The period cannot end after today ({today.isoformat()}).",
        )
    elif start is not None and start > end:
        problems["period_end"] = ("结束日期不能早于开始日期。", "The period cannot end before it starts.")
    progress = str(values.get("progress") or "").replace("\r\n", "\n").strip()
    if not progress:
        problems["progress"] = ("请写明本期进展。", "Describe the progress of the period.")
    elif len(progress) > PROGRESS_MAX:
        problems["progress"] = (f"不能超过 {PROGRESS_MAX} 个字符。", f"At most {PROGRESS_MAX} characters.")
    if not file:
        problems.setdefault(
            "report_file", ("请上传阶段报告（PDF 或 Word）。", "Attach the stage report (PDF or Word).")
        )
    if problems:
        raise Refused(problems)
    return {
        "period_start": start.isoformat() if start else "",
        "period_end": end.isoformat() if end else "",
        "progress": progress,
        "file": dict(file or {}),
    }


def accepting(session: Session, user: Any, challenge: str) -> bool:
    project, instance = solvers.own_project(session, user, challenge)
    data = instances.describe(session, instance.id)["data"]
    return open_for_reports(data, instance.status, project.solver or "", _today(session))


def submit(
    session: Session, user: Any, challenge: str, values: Mapping[str, Any], file: Mapping[str, Any] | None
) -> InstanceEvent:
    """Check and record one stage report of the user's unit for its project ``challenge`` (the caller
    commits). Raises ``InvalidState`` when the project is not being implemented, ``Refused`` for a field."""
    project, instance = solvers.own_project(session, user, challenge)
    today = _today(session)
    data = instances.describe(session, instance.id)["data"]
    if not open_for_reports(data, instance.status, project.solver or "", today):
        raise InvalidState(
            "项目不在实施中（任务书尚未签订、实施期已结束或已退出），不能提交阶段报告。",
            "The project is not being implemented (no task book yet, the period is over or the team exited): "
            "no stage report can be submitted.",
        )
    # the record is the solver's and addressed to the issuer (engine.access.fields ISSUER_ADDRESSEE): a
    # competing 赛马 team never reads it
    report = {**check(values, file, today), "solver": project.solver, "issuer": data.get("issuer_code")}
    event = InstanceEvent(
        instance_id=instance.id,
        kind=EVENT,
        at=get_clock(session).now(),
        actor=principal(user).username,
        task_name="阶段报告",
        data_json=json.dumps({EVENT: report}, ensure_ascii=False, sort_keys=True),
    )
    session.add(event)
    return event


def reports(session: Session, instance_id: int, *, after: datetime | None = None) -> list[StageReport]:
    """The stage reports of an instance, oldest first (``after``: only those received later)."""
    query = select(InstanceEvent).where(InstanceEvent.instance_id == instance_id, InstanceEvent.kind == EVENT)
    if after is not None:
        query = query.where(InstanceEvent.at > after)
    out = []
    for event in session.scalars(query.order_by(InstanceEvent.at, InstanceEvent.id)):
        body = (json.loads(event.data_json or "{}") or {}).get(EVENT) or {}
        out.append(
            StageReport(
                at=event.at,
                actor=event.actor,
                solver=str(body.get("solver") or ""),
                period_start=str(body.get("period_start") or ""),
                period_end=str(body.get("period_end") or ""),
                progress=str(body.get("progress") or ""),
                file=body.get("file") or None,
            )
        )
    return out


def since_last_check(session: Session, instance_id: int) -> list[StageReport]:
    """The reports received since the last milestone check of the instance was completed (all when none was)."""
    last = session.scalar(
        select(InstanceEvent.at)
        .where(
            InstanceEvent.instance_id == instance_id,
            InstanceEvent.kind == "task_completed",
            InstanceEvent.task_spec.in_(CHECK_TASKS),
        )
        .order_by(InstanceEvent.at.desc())
        .limit(1)
    )
    return reports(session, instance_id, after=last)
