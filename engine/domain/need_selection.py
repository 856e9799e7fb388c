"""Dazu's 遴选发榜 after a need is accepted (001 八(二)): the need-selection panel's lead, the district
government's review of the list, and the matching support (配套支持) for a project the municipal list takes.

Policy numbers (the panel's size, the matching ratio and cap) come from the decision ``list_rules_dazu``
(bpmn/dazu/list_rules_dazu.dmn) and are passed in with the task data; nothing here holds one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine.domain.disbursement import Booking
from engine.domain.ledger import BUREAU
from engine.domain.problems import Hint, Note, Problem, yuan

#: the ledger tranche of the district's matching support for a municipal-list project
MATCHING_TRANCHE = "municipal_matching"


def panel_lead(experts: Sequence[Mapping[str, Any]]) -> str:
    """The user name of the panel member who records the panel's 论证意见: the chair, else the first member
    (001 八(二): the panel assesses the needs; one opinion per need is recorded for the panel)."""
    for e in experts:
        if e.get("chair") and e.get("name"):
            return str(e["name"])
    for e in experts:
        if e.get("name"):
            return str(e["name"])
    return ""


def not_listed_note(d: Mapping[str, Any]) -> Note | None:
    """Why a need that passed intake did not reach the district list (the panel did not recommend it, or the
    district government returned the list), with the reviewer's words and the rule's source; None when it was
    listed, refused at intake or moved to the municipal list."""
    if d.get("need_refusals"):
        return None
    if d.get("need_listed_decision") and d.get("need_listed_decision") != "list":
        opinion = str(d.get("need_review_opinion") or "").strip()
        return Note(
            "need_review_opinion",
            "需求论证专家组未将该需求列入榜单" + (f"：{opinion}" if opinion else "。"),
            "The need-selection panel did not put the need on the list"
            + (f": {opinion}" if opinion else "."),
            "001 八(二)",
        )
    if d.get("taken_municipal") == "no" and d.get("list_review") and d.get("list_review") != "approve":
        opinion = str(d.get("list_review_opinion") or "").strip()
        return Note(
            "list_review_opinion",
            "区政府审议未通过项目榜单" + (f"：{opinion}" if opinion else "。"),
            "The district government did not approve the list" + (f": {opinion}" if opinion else "."),
            "001 八(二)",
        )
    return None


def not_listed_reason(d: Mapping[str, Any], lang: str = "zh") -> str:
    """``not_listed_note`` as the user reads it in ``lang`` ('' when there is none)."""
    note = not_listed_note(d)
    return note.text(lang) if note else ""


def list_review_problems(d: Mapping[str, Any]) -> list[Problem]:
    """001 八(二): a list the district government does not approve goes back with its reason."""
    if d.get("list_review") == "approve" or str(d.get("list_review_opinion") or "").strip():
        return []
    return [
        Problem(
            "list_review_opinion",
            "不同意发布时须写明理由，理由将告知需求单位。",
            "Give the reason when the list is not approved; the issuer is told.",
            "001 八(二)",
        )
    ]


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else 0


def matching_limit_fen(d: Mapping[str, Any]) -> int | None:
    """The most the district may give (fen) for the municipal award ``municipal_award_fen`` under the policy's
    ratio (``matching_ratio_pct`` of the award) and cap (``matching_cap_fen``); None when the bureau set
    neither (0 = no fixed number: the amount the district decided is entered as it is)."""
    ratio, cap = _int(d.get("matching_ratio_pct")), _int(d.get("matching_cap_fen"))
    limits = []
    if ratio > 0:
        limits.append(_int(d.get("municipal_award_fen")) * ratio // 100)
    if cap > 0:
        limits.append(cap)
    return min(limits) if limits else None


def matching_problems(d: Mapping[str, Any]) -> list[Problem]:
    """001 八(二): 对获市级榜单发布的项目，区财政按照有关政策给予配套支持 — the matching support needs the
    municipal award and stays within the policy's ratio and cap."""
    source = d.get("matching_source")
    if d.get("municipal_published") != "yes":
        if _int(d.get("matching_fen")) > 0:
            return [
                Problem(
                    "matching_fen",
                    "市级榜单未发布该项目，区级不给予配套支持。",
                    "The municipal list did not publish the project: no district matching support.",
                    source,
                )
            ]
        return []
    problems: list[Problem] = []
    award = _int(d.get("municipal_award_fen"))
    if award <= 0:
        problems.append(
            Problem(
                "municipal_award_fen",
                "请填写市级立项支持金额。",
                "Enter the municipal award.",
                source,
            )
        )
    limit = matching_limit_fen(d)
    if limit is not None and _int(d.get("matching_fen")) > limit:
        problems.append(
            Problem(
                "matching_fen",
                f"区级配套最多 {yuan(limit)} 元。",
                f"The district matching support is at most {yuan(limit)} yuan.",
                source,
            )
        )
    return problems


def matching_hints(d: Mapping[str, Any]) -> list[Hint]:
    ratio, cap = _int(d.get("matching_ratio_pct")), _int(d.get("matching_cap_fen"))
    parts_zh, parts_en = [], []
    if ratio > 0:
        parts_zh.append(f"不超过市级支持的 {ratio}%")
        parts_en.append(f"at most {ratio}% of the municipal award")
    if cap > 0:
        parts_zh.append(f"不超过 {yuan(cap)} 元")
        parts_en.append(f"at most {yuan(cap)} yuan")
    if parts_zh:
        zh = "区级配套" + "，".join(parts_zh) + "。"
        en = "District matching support " + ", ".join(parts_en) + "."
    else:
        zh = "政策未规定配套比例与上限：按区里决定的配套金额填写。"
        en = "No fixed ratio or cap: enter the amount the district decided."
    return [Hint("matching_fen", zh, en, d.get("matching_source"))]


def matching_plan_fen(d: Mapping[str, Any]) -> int:
    """The district's fiscal support of a municipal-list project: its matching support (0 when the municipal
    list did not publish it) — the plan of the project's books."""
    return _int(d.get("matching_fen")) if d.get("municipal_published") == "yes" else 0


def matching_booking(d: Mapping[str, Any]) -> list[Booking]:
    """The ledger movement of the district's matching support: fiscal money from the bureau to the issuer
    (the project unit of the municipal project), with the municipal award as its condition; [] when the
    municipal list did not publish the project or nothing is given."""
    amount = _int(d.get("matching_fen"))
    if d.get("municipal_published") != "yes" or amount <= 0:
        return []
    issuer = str(d.get("issuer_code") or "")
    return [
        Booking(
            kind="disbursement",
            payer=BUREAU,
            party=issuer,
            solver="",  # no solver of the district: the municipal list's project
            amount_fen=amount,
            source=str(d.get("matching_source") or "001 八(二)"),
            tranche=MATCHING_TRANCHE,
            reason=f"市级揭榜挂帅项目区级配套（市级支持 {yuan(_int(d.get('municipal_award_fen')))} 元）",
            condition={
                "municipal_published": "yes",
                "municipal_award_fen": str(_int(d.get("municipal_award_fen"))),
            },
        )
    ]
