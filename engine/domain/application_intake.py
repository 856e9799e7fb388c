"""The application window and the applications received (揭榜申请), up to the list of eligible candidates.

Pure functions on plain JSON data; the diagrams reach them through ``engine.domain.rule_helpers``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from engine.domain.date_checks import as_instant

OFFLINE_SOURCE = "002 五(二)10, 001 八(二)"


def code_list(text: Any) -> list[str]:
    """``"A, B,,C "`` → ``["A", "B", "C"]``: the organisation or person codes a form field lists."""
    return [part.strip() for part in str(text or "").split(",") if part.strip()]


def online_window(start: str, end: str, scope: str) -> list[str]:
    """``[application_start, application_end, application_offline_reason]`` of the online application window.

    ``end`` is 24:00 of the closing day (000 §12(3)); a window that would already be closed, or a list that is
    not public — classified or restricted lists are not published online (002 五(二)10, 001 八(二)) — has no
    online window (``end`` ``''``) and applications are received offline."""
    if scope != "public":
        reason = (
            "涉密或限定范围的榜单不在网上发布，线下受理 / classified or restricted lists are not published "
            f"online: offline only ({OFFLINE_SOURCE})"
        )
        return [start, "", reason]
    closes, opens = as_instant(end), as_instant(start)
    if closes is not None and opens is not None and closes <= opens:
        return [start, "", ""]
    return [start, end or "", ""]


def with_application(
    applications: Sequence[Mapping[str, Any]] | None, received: Mapping[str, Any], at: str
) -> list[dict[str, Any]]:
    """The applications with ``received`` added at ``at``; a solver's new application replaces its earlier one."""
    entry = {**dict(received), "received_at": at}
    kept = [dict(a) for a in applications or [] if a.get("solver") != entry.get("solver")]
    return [*kept, entry]


def with_code_lists(applications: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each application with ``members_list`` and ``partners_list`` (codes) split from its text fields."""
    return [
        {**a, "members_list": code_list(a.get("members")), "partners_list": code_list(a.get("partners"))}
        for a in applications
    ]


def refusals_of(eligibility_results: Iterable[Iterable[Mapping[str, Any] | None] | None]) -> list[dict]:
    """The refusal rows of the eligibility table (one list per application; empty rows are no refusal)."""
    return [dict(r) for rows in eligibility_results or [] for r in rows or [] if r]


def eligible(
    applications: Iterable[Mapping[str, Any]], refusals: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The applications no eligibility rule refused."""
    refused = {r.get("solver") for r in refusals}
    return [dict(a) for a in applications if a.get("solver") not in refused]


def selected_teams(selected: Any, stage_due: Any, stage_task: Any, panel: Any = None) -> list[Any]:
    """``[solvers, race_teams]`` of the bureau's choice: the chosen codes, and for each the 赛马 stage it runs
    (000 §12(7): one stage task and deadline for every team).

    ``panel`` — the user names of the expert panel drawn for the case (000 §12(4)) — gives each team the panel
    member who assesses its stage (``stage_expert``, the ``assignee`` of race_team.bpmn's assessment): 000
    §12(7) has the stage evaluated by the experts (发榜方联合专家组) but does not say which member assesses which
    team, so the members take the teams in turn, in the panel's order. Without a panel the assessment stays
    with the expert lane."""
    chosen = code_list(selected)
    members = [str(m) for m in panel or [] if m]
    teams = [{"solver": c, "stage_due": stage_due, "stage_task": stage_task or ""} for c in chosen]
    for i, team in enumerate(teams):
        if members:
            team["stage_expert"] = members[i % len(members)]
    return [chosen, teams]
