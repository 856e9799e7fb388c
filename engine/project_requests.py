"""Requests a solver makes while its project runs: an extension, a termination or a change (003 §17–19, 001
八(八), 000 §14). Each is checked here before it is sent, with the policy numbers the instance holds (its
policy table's ``ext_notice_days``, ``ext_max_count``, ``ext_max_months``…, never numbers of this module), and
then delivered to the instance as its message (``extension_request``, ``termination_request``,
``change_request``); the diagram checks again and decides. A refused request changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from engine import messages
from engine.access import solvers
from engine.clock import SHANGHAI, get_clock
from engine.domain.changes import CHANGE_KINDS
from engine.domain.extension_rules import extension_problems
from engine.domain.problems import Problem
from engine.errors import InvalidState, ValidationFailed
from engine.messages import find_waiting

TEXT_MAX = 2000


@dataclass(frozen=True)
class Kind:
    message: str
    #: the field the form shows a refusal of the request as a whole beside
    main_field: str


KINDS: dict[str, Kind] = {
    "extension": Kind("extension_request", "days"),
    "termination": Kind("termination_request", "cause"),
    "change": Kind("change_request", "kind"),
}
TERMINATION_CAUSES = ("objective", "subjective", "revocation")


class Refused(ValidationFailed):
    """A request the policy refuses, with a message per field in Chinese and in English."""

    def __init__(self, problems: dict[str, tuple[str, str]]) -> None:
        zh = "；".join(p[0] for p in problems.values())
        en = "; ".join(p[1] for p in problems.values())
        super().__init__(
            f"申请未提交：{zh}",
            f"The request was not sent: {en}",
            details={
                "fields": {k: [v[0]] for k, v in problems.items()},
                "fields_en": {k: [v[1]] for k, v in problems.items()},
            },
        )


def _text(values: Mapping[str, Any], key: str) -> str:
    return str(values.get(key) or "").replace("\r\n", "\n").strip()


def _today(session: Session) -> date:
    return get_clock(session).now().astimezone(SHANGHAI).date()


def _extension_problems(session: Session, data: Mapping[str, Any], days: Any) -> list[Problem]:
    return extension_problems(
        period_end=data["period_end"],
        today=_today(session),
        count=int(data.get("extension_count") or 0),
        days=days,
        max_count=int(data["ext_max_count"]),
        notice_days=int(data["ext_notice_days"]),
        max_months=int(data["ext_max_months"]),
        source=str(data.get("ext_source") or ""),
    )


def extension_rule(session: Session, data: Mapping[str, Any]) -> tuple[Problem | None, bool]:
    """What the solver reads before asking for an extension, and whether any request can be admitted today:
    the number of days allowed while one can (the rule a request of no days breaks), else why none can (the
    only extension was had, or the notice period has begun). ``(None, True)`` for a case without the rule."""
    if not all(key in data for key in ("period_end", "ext_max_count", "ext_notice_days", "ext_max_months")):
        return None, True
    blocked = _extension_problems(session, data, 1)  # one day is within every range: only the count or the
    if blocked:  # notice period refuses it
        return blocked[0], False
    return _extension_problems(session, data, None)[0], True


def check_extension(session: Session, data: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """003 §19, 001 八(八): at least ``ext_notice_days`` before the end, at most ``ext_max_count`` times, for at
    most ``ext_max_months`` calendar months (``engine.domain.extension_rules``, the rule the diagram applies
    again). Returns the payload; raises ``Refused`` with the reason beside the field."""
    problems: dict[str, tuple[str, str]] = {
        p.field: (p.text("zh"), p.text("en")) for p in _extension_problems(session, data, values.get("days"))
    }
    reason = _text(values, "reason")
    if not reason:
        problems["reason"] = ("请写明延期理由。", "Give the reason for the extension.")
    elif len(reason) > TEXT_MAX:
        problems["reason"] = (f"不能超过 {TEXT_MAX} 个字符。", f"At most {TEXT_MAX} characters.")
    if problems:
        raise Refused(problems)
    return {"days": int(values["days"]), "reason": reason}


def check_termination(values: Mapping[str, Any]) -> dict[str, Any]:
    problems: dict[str, tuple[str, str]] = {}
    cause = _text(values, "cause")
    if cause not in TERMINATION_CAUSES:
        problems["cause"] = ("请选择终止原因。", "Choose the cause of the termination.")
    reason = _text(values, "reason")
    if not reason or len(reason) > TEXT_MAX:
        problems["reason"] = (
            f"请写明终止理由（不超过 {TEXT_MAX} 个字符）。",
            f"Give the reason for the termination (at most {TEXT_MAX} characters).",
        )
    if problems:
        raise Refused(problems)
    return {"cause": cause, "reason": reason}


def check_change(values: Mapping[str, Any]) -> dict[str, Any]:
    """003 §17: the issuer and the solver cannot change; 003 §18: a unit name, the leader or the budget."""
    problems: dict[str, tuple[str, str]] = {}
    kind = _text(values, "kind")
    if kind not in CHANGE_KINDS:
        problems["kind"] = (
            "请选择变更事项：单位名称、项目负责人或资金调整（不得变更发榜方、揭榜方）。",
            "Choose what changes: the unit name, the leader or the budget (never the issuer or the solver).",
        )
    for key, zh, en in (("detail", "变更内容", "the change"), ("reason", "变更理由", "the reason")):
        text = _text(values, key)
        if not text or len(text) > TEXT_MAX:
            problems[key] = (
                f"请写明{zh}（不超过 {TEXT_MAX} 个字符）。",
                f"Give {en} (at most {TEXT_MAX} characters).",
            )
    if problems:
        raise Refused(problems)
    return {"kind": kind, "detail": _text(values, "detail"), "reason": _text(values, "reason")}


def accepting(session: Session, challenge: str, kind: str) -> bool:
    """Whether the project's instance waits for this request now (it is running and no request is in review)."""
    return bool(find_waiting(session, KINDS[kind].message, {"business_key": challenge}))


def submit(session: Session, user: Any, challenge: str, kind: str, values: Mapping[str, Any]) -> int:
    """Check and send one request of the user's unit for its project ``challenge``; returns the instance id."""
    from engine.instances import describe

    if kind not in KINDS:
        raise ValidationFailed(f"未知的申请类型：{kind}", f"Unknown request: {kind}")
    project, instance = solvers.own_project(session, user, challenge)
    # a 赛马 team that exited (000 §12(7)) asks nothing for the winner's project
    if project.status != solvers.SELECTED or not accepting(session, challenge, kind):
        raise InvalidState(
            "项目目前不受理此申请：项目不在实施中，或已有申请正在审核，请等审核结束后再提交。",
            "The project does not take this request now: it is not being implemented, or a request is under "
            "review; submit again once it is decided.",
        )
    if kind == "extension":
        payload = check_extension(session, describe(session, instance.id)["data"], values)
    elif kind == "termination":
        payload = check_termination(values)
    else:
        payload = check_change(values)
    from engine.access.principal import principal

    username = principal(user).username
    payload = {**payload, "submitted_by": username}
    return messages.deliver(
        session,
        KINDS[kind].message,
        correlation={"business_key": challenge},
        payload=payload,
        actor=username,
    )
