"""Accepting a posted need (受理审查): the call window, the measures' validity and the attachments each
jurisdiction asks for at posting.

Pure functions on plain data. Which rule applies and its citation come from the jurisdiction's policy table
(DMN ``policy_<j>``: ``req_*``, ``call_*``, ``measures_*``, ``min_total_fen``…), passed in by the caller;
nothing here holds a policy number. The same problems serve the need form's check ``need_intake`` (refused
before submit, named beside the field) and the diagram's guard ``check_need`` (``need_intake_refusals``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from engine.domain.date_checks import as_instant, local_minute
from engine.domain.problems import Hint, Problem
from engine.domain.validity import validity_problems

#: The citations of the attachment rules (the rule itself is switched on per jurisdiction by ``req_*``).
PLEDGES_SOURCE = "002 五(二)4"  # Urumqi: pledges of the unit and of the leader at posting
AUDITS_SOURCE = "002 五(二)5"  # Urumqi tech breakthrough: audited reports of the last two years
ETHICS_SOURCE = "002 五(二)9"  # humans or experimental animals: an ethics review


def call_problems(
    now: datetime, opens: Any, closes: Any, call_source: str, field: str = "need_title"
) -> list[Problem]:
    """A need is posted inside the call window (002 五(一)1: opens 2026-04-25 10:00, closes 2026-06-10 19:30;
    001 八(一), 003 §12(1): the annual notice). ``opens``/``closes`` are ISO instants or None (no bound)."""
    start, end = as_instant(opens), as_instant(closes)
    if start is not None and now < start:
        return [
            Problem(
                field,
                f"征集尚未开始（开始时间 {local_minute(start)}），开始后才能提交需求。",
                f"The call has not opened yet (it opens {local_minute(start)} Beijing time); post the need "
                "after it opens.",
                call_source,
            )
        ]
    if end is not None and now > end:
        return [
            Problem(
                field,
                f"申报已截止（截止时间 {local_minute(end)}），不予受理。",
                f"The call closed at {local_minute(end)} Beijing time; late submissions are not accepted.",
                call_source,
            )
        ]
    return []


def attachment_problems(d: Mapping[str, Any]) -> list[Problem]:
    """What the jurisdiction asks for at posting and the need lacks: end user (002 二(一)2(5), 003 §12(1)),
    integrity pledges (002 五(二)4 — Dazu asks for it in the task book instead, 001 八(六)), audited reports
    (002 五(二)5), ethics review (002 五(二)9), minimum total investment (000 §6, 002 五(二)1)."""
    out: list[Problem] = []
    if d.get("req_end_user") and not d.get("issuer_end_user"):
        out.append(
            Problem(
                "issuer_end_user",
                "需求方应为技术的最终用户",
                "the issuer must be the end user of the technology",
                d.get("end_user_source"),
            )
        )
    if d.get("req_pledges") and not (d.get("pledge_unit") and d.get("pledge_leader")):
        field = "pledge_leader" if d.get("pledge_unit") else "pledge_unit"
        out.append(
            Problem(
                field,
                "未上传单位及负责人诚信承诺书，不予受理",
                "integrity pledges of the unit and the leader are required",
                PLEDGES_SOURCE,
            )
        )
    if (
        d.get("req_audits")
        and d.get("category") == "breakthrough"
        and not (d.get("audit_prev") and d.get("audit_last"))
    ):
        field = "audit_last" if d.get("audit_prev") else "audit_prev"
        out.append(
            Problem(
                field,
                "技术攻关类需提供近两年度审计报告",
                "audited reports of the last two years are required",
                AUDITS_SOURCE,
            )
        )
    if d.get("req_ethics") and d.get("ethics_field") and not d.get("ethics_review"):
        out.append(
            Problem(
                "ethics_review",
                "涉及人和实验动物的科技活动须提交科技伦理审查报告",
                "an ethics review is required",
                ETHICS_SOURCE,
            )
        )
    total, minimum = d.get("need_total_fen"), int(d.get("min_total_fen") or 0)
    if isinstance(total, int) and total < minimum:
        out.append(
            Problem(
                "need_total_fen",
                f"项目投入总额不低于 {minimum // 100} 元",
                f"total investment must be at least {minimum // 100} CNY",
                d.get("min_total_source"),
            )
        )
    return out


def need_problems(d: Mapping[str, Any], now: datetime) -> list[Problem]:
    """Every reason a posted need is not accepted, all named (not only the first)."""
    closes = d.get("call_closes") or d.get("notice_call_closes")
    return [
        *validity_problems(
            now, d.get("measures_valid_from"), d.get("measures_valid_until"), d.get("measures_source") or ""
        ),
        *call_problems(now, d.get("call_opens"), closes, str(d.get("call_source") or "")),
        *attachment_problems(d),
    ]


def need_hints(d: Mapping[str, Any]) -> list[Hint]:
    """The requirements of the jurisdiction, shown beside the fields before the issuer types."""
    out: list[Hint] = []
    if d.get("req_end_user"):
        out.append(
            Hint(
                "issuer_end_user",
                "发榜方须为技术的最终用户。",
                "The issuer must be the end user.",
                d.get("end_user_source"),
            )
        )
    if d.get("req_pledges"):
        out.append(
            Hint(
                "pledge_unit",
                "须上传单位及负责人诚信承诺书，缺少则不予受理。",
                "The integrity pledges of the unit and of the leader are required.",
                PLEDGES_SOURCE,
            )
        )
    if d.get("req_audits"):
        out.append(
            Hint(
                "audit_prev",
                "技术攻关类须上传近两年度审计报告。",
                "A tech-breakthrough need comes with the audited reports of the last two years.",
                AUDITS_SOURCE,
            )
        )
    if d.get("req_ethics"):
        out.append(
            Hint(
                "ethics_review",
                "涉及人或实验动物的须上传科技伦理审查报告。",
                "Work involving humans or animals needs an ethics review.",
                ETHICS_SOURCE,
            )
        )
    minimum = int(d.get("min_total_fen") or 0)
    if minimum:
        out.append(
            Hint(
                "need_total_fen",
                f"不低于 {minimum // 100} 元。",
                f"At least {minimum // 100} CNY.",
                d.get("min_total_source"),
            )
        )
    return out


def recommendation_refusal(now: datetime, recommended: str, deadline: Any) -> str:
    """The recommending unit recommends by its deadline (002 五(一)2); '' when the need goes on."""
    end = as_instant(deadline)
    if end is not None and now > end:
        return Problem(
            "recommended",
            f"推荐已截止（截止时间 {local_minute(end)}）",
            f"the recommendation deadline {local_minute(end)} has passed",
            "002 五(一)2",
        ).bilingual()
    if recommended != "yes":
        return "推荐单位未予推荐 / not recommended (002 五(一)2)"
    return ""
