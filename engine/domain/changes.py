"""Changes while a project runs (变更): which are admissible, which are major, and the change record.

003 §17: the issuer and the solver cannot be changed; 003 §18: the unit name, the project leader or a major
budget adjustment change with approval. 001 五(二): in Dazu the project leader may not leave during the
project (原则上不得调离或辞去), so a change of leader is an exception the approver confirms as such. Which
jurisdiction treats the leader so is the policy table's ``leader_change_major`` (cited by
``leader_change_source``). Pure functions on plain data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine.domain.problems import Hint, Problem

CHANGE_KINDS = ("unit_name", "leader", "budget")
PARTIES = ("issuer", "solver")


def change_refusal(change: Mapping[str, Any], parties_fixed_source: str) -> str:
    """Why a change request is not admissible ('' when it is), bilingual with its citation."""
    kind = change.get("kind")
    if kind in PARTIES:
        return (
            "不得变更发榜方、揭榜方；无法实施的可申请终止或撤销 / the issuer and the solver cannot be changed; "
            f"request a termination or revocation instead ({parties_fixed_source})"
        )
    if kind not in CHANGE_KINDS:
        return "变更类型应为单位名称、项目负责人或资金调整 / the change is a unit name, the leader or a budget adjustment"
    return ""


def is_major(change: Mapping[str, Any], leader_change_major: bool) -> bool:
    """A change of the project leader where the leader may not leave (001 五(二))."""
    return bool(leader_change_major) and change.get("kind") == "leader"


def major_change_problems(d: Mapping[str, Any]) -> list[Problem]:
    """Approving a major change needs the approver's confirmation that it is the exception (001 五(二))."""
    change = d.get("change") or {}
    if not isinstance(change, Mapping) or not is_major(change, bool(d.get("leader_change_major"))):
        return []
    if d.get("change_decision") != "approve" or d.get("leader_exception"):
        return []
    return [
        Problem(
            "leader_exception",
            "项目负责人在揭榜攻关期间原则上不得调离或辞去职位：批准更换须确认属于特殊情况，并在审核意见中写明理由。",
            "The project leader may not leave during the project as a rule: to approve a new leader, confirm "
            "that this is an exception and give the reason in the opinion.",
            d.get("leader_change_source"),
        )
    ]


def major_change_hints(d: Mapping[str, Any]) -> list[Hint]:
    change = d.get("change") or {}
    if not isinstance(change, Mapping) or not is_major(change, bool(d.get("leader_change_major"))):
        return []
    return [
        Hint(
            "leader_exception",
            "更换项目负责人属重大变更：负责人原则上不得调离或辞去职位。",
            "A new project leader is a major change: the leader may not leave as a rule.",
            d.get("leader_change_source"),
        )
    ]


def with_change(
    recorded: Sequence[Mapping[str, Any]] | None,
    change: Mapping[str, Any],
    decision: str,
    opinion: str,
    at: str,
    changes_source: str,
    leader_change_major: bool,
    leader_change_source: str,
) -> list[dict[str, Any]]:
    """The project's change record with this decision added (a major change keeps its own citation)."""
    major = is_major(change, leader_change_major)
    entry = {
        "kind": change.get("kind"),
        "detail": change.get("detail", ""),
        "reason": change.get("reason", ""),
        "decision": decision,
        "opinion": opinion,
        "at": at,
        "source": f"{changes_source}; {leader_change_source}" if major else changes_source,
        "major": major,
    }
    return [*(dict(r) for r in recorded or []), entry]
