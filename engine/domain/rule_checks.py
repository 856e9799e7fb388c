"""Checks of the non-money lifecycle rules, added to the forms' check registry (``engine.domain.check_registry``):

| check | rule |
|---|---|
| ``need_intake`` | the call window (002 五(一)1 opening and close), the measures' validity (000 §18, 003 §23) and the attachments the jurisdiction asks for at posting (002 二(一)2(5), 五(二)4, 五(二)5, 五(二)9; 000 §6) |
| ``race_mode`` | 赛马 only where the need asked for it (000 §12(1), 002 五(二)7, 001 八(四)) |
| ``race_outcome`` | after the race stage only teams that met the targets continue, the outcome matches the teams kept (000 §12(7)), Karamay keeps one (003 §13(3)) |
| ``major_change`` | a new project leader in Dazu is an exception the approver confirms (001 五(二)) |
| ``acceptance_panel`` | the acceptance panel's size (001 八(八): ≥ 5 and odd) |
| ``task_book_pledge`` | the integrity pledge signed with the task book where the policy puts it there (001 八(六)) |
| ``list_review`` | the district government's refusal of the list gives its reason (001 八(二)) |
| ``municipal_matching`` | the district matching support of a municipal-list project within the policy's ratio and cap (001 八(二)) |
| ``unit_locality`` | the issuer is a local legal person where the policy asks (000 §9(一), 001 五(一)1, 002 二(一)1, 003 §8, 004 二) |
| ``pilot_quota`` | a pilot supports at most its number of projects; fewer than its target is shown as a warning (004 二) |
| ``pilot_count`` | the pilot evaluation shows the projects supported against the target, warning under it (004 二) |
| ``contract_registration`` | the technology contract registered after the project is opened (002 五(二)6) |
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.domain import (
    acceptance_checks,
    changes,
    contract_registration,
    need_intake,
    need_selection,
    pilot,
    race_rules,
    unit_checks,
)
from engine.domain.check_registry import no_problems, on_data, register
from engine.domain.problems import Hint, Problem


def _now(c: Any) -> Any:
    if c.now is None:
        raise ValueError("the need intake check needs the engine clock's instant")
    return c.now


def task_book_pledge_problems(d: Mapping[str, Any]) -> list[Problem]:
    """001 八(六): in Dazu the integrity pledge is part of the tri-party task book (not of the posting)."""
    if "integrity_pledge" not in list(d.get("task_book_requires") or []) or d.get("integrity_pledge"):
        return []
    return [
        Problem(
            "integrity_pledge",
            "须随任务书签署诚信承诺书。",
            "The integrity pledge is signed with the task book.",
            d.get("task_book_requires_source"),
        )
    ]


def task_book_pledge_hints(d: Mapping[str, Any]) -> list[Hint]:
    if "integrity_pledge" not in list(d.get("task_book_requires") or []):
        return []
    return [
        Hint(
            "integrity_pledge",
            "本辖区的诚信承诺书随三方任务书签署。",
            "Here the integrity pledge is signed with the tri-party task book.",
            d.get("task_book_requires_source"),
        )
    ]


r, ac, ns = race_rules, acceptance_checks, need_selection
register(
    "need_intake", lambda d, c: need_intake.need_problems(d, _now(c)), lambda d, c: need_intake.need_hints(d)
)
register("race_mode", *on_data(r.race_mode_problems, r.race_mode_hints))
register("race_outcome", *on_data(r.race_outcome_problems, r.race_outcome_hints))
register("major_change", *on_data(changes.major_change_problems, changes.major_change_hints))
register("acceptance_panel", *on_data(ac.acceptance_panel_problems, ac.acceptance_panel_hints))
register("task_book_pledge", *on_data(task_book_pledge_problems, task_book_pledge_hints))
register("list_review", *on_data(ns.list_review_problems))
register("municipal_matching", *on_data(ns.matching_problems, ns.matching_hints))
register(
    "unit_locality",
    lambda d, c: unit_checks.issuer_locality_problems(d, c.unit),
    lambda d, c: unit_checks.locality_hints(d),
)
register(
    "pilot_quota",
    lambda d, c: pilot.quota_problems(d, c.pilot_supported),
    lambda d, c: pilot.quota_hints(d, c.pilot_supported),
)
register(
    "pilot_count",
    no_problems,
    lambda d, c: pilot.quota_hints({**d, "project_code": ""}, c.pilot_supported, "pilot_results"),
)
register(
    "contract_registration",
    lambda d, c: contract_registration.registration_problems(d, c.today),
    lambda d, c: contract_registration.registration_hints(d, c.today),
)
del r, ac, ns
