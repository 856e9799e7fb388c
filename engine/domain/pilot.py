"""Zhangye's pilot supports 3–5 projects (004 二: 试点期间根据实际情况支持 3-5 个项目). The limit is on the
projects supported during the pilot period, not per year; the pilot runs from the plan's issue (2021-05-11) until
its evaluation (004 五(三)). The numbers are policy parameters (``pilot_projects_min``/``_max``,
``pilot_period_start``, ``pilot_source`` in ``bpmn/zhangye/policy_zhangye.dmn``); a jurisdiction without them has
no pilot limit.

Counted from indexed rows, never by loading workflows: a challenge counts as supported when its approver's
``approve`` step was completed with ``approval = approve`` in the period (the event log) and it has not ended
without a project (stopped after an objection): it is still running, or its project row exists.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.date_checks import as_instant
from engine.domain.problems import Hint, Problem
from engine.models import instance as status
from engine.models.domain import Project
from engine.models.event import InstanceEvent
from engine.models.instance import ProcessInstance

APPROVE_STEP = "approve"


def supported_count(session: Session, jurisdiction: str, since: Any, exclude: str = "") -> int:
    """Challenges of ``jurisdiction`` approved for support since ``since`` (ISO instant or None), apart from
    the challenge ``exclude`` (the one being decided)."""
    query = (
        select(InstanceEvent.data_json, ProcessInstance.business_key, ProcessInstance.status)
        .join(ProcessInstance, ProcessInstance.id == InstanceEvent.instance_id)
        .where(
            ProcessInstance.jurisdiction == jurisdiction,
            ProcessInstance.process_key.like("%_challenge"),
            InstanceEvent.kind == "task_completed",
            InstanceEvent.task_spec == APPROVE_STEP,
        )
    )
    start = as_instant(since)
    if start is not None:
        query = query.where(InstanceEvent.at >= start)
    approved: dict[str, str] = {}
    for data_json, key, state in session.execute(query):
        if key and key != exclude and json.loads(data_json or "{}").get("approval") == "approve":
            approved[key] = state
    if not approved:
        return 0
    projects = set(
        session.scalars(
            select(Project.code).where(
                Project.code.in_(sorted(approved)), Project.status.not_in(("applying", "selected"))
            )
        )
    )
    return sum(1 for key, state in approved.items() if state == status.RUNNING or key in projects)


Count = Callable[[str, Any, str], int]


def _supported(d: Mapping[str, Any], count: Count) -> int:
    return count(
        str(d.get("jurisdiction") or ""), d.get("pilot_period_start"), str(d.get("project_code") or "")
    )


def quota_problems(d: Mapping[str, Any], count: Count) -> list[Problem]:
    """004 二: approving support beyond the pilot's maximum is refused before submit."""
    most = d.get("pilot_projects_max")
    if most is None or d.get("approval") != "approve":
        return []
    n = _supported(d, count)
    if n < int(most):
        return []
    return [
        Problem(
            "approval",
            f"试点期间已支持 {n} 个项目，已达试点方案规定的上限 {most} 个，不能再批准立项。",
            f"The pilot has already supported {n} projects, its maximum of {most}; no further project can be "
            "approved.",
            d.get("pilot_source"),
        )
    ]


def quota_hints(d: Mapping[str, Any], count: Count, field: str = "approval") -> list[Hint]:
    """The pilot's count so far beside ``field`` (the approver's decision; the evaluation's results), with a
    warning while it is under the minimum."""
    most, least = d.get("pilot_projects_max"), d.get("pilot_projects_min")
    if most is None:
        return []
    n = _supported(d, count)
    zh = f"试点期间已支持 {n} 个项目（试点方案支持 {least}–{most} 个）。"
    en = f"The pilot has supported {n} projects so far (the plan supports {least}–{most})."
    if least is not None and n < int(least):
        zh += f"注意：尚少于 {least} 个。"
        en += f" Note: fewer than {least} so far."
    elif n >= int(most):
        zh += "已达上限，不能再批准。"
        en += " The maximum is reached; no further approval."
    return [Hint(field, zh, en, d.get("pilot_source"))]
