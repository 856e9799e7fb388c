"""Checks of the non-money lifecycle rules, registered with the forms' checks (``engine.domain.checks``):

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

from collections.abc import Callable, Mapping
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


def checks(check: Callable[..., Any]) -> tuple[Any, ...]:
    """The checks of this module as ``check(name, problems, hints)`` (``engine.domain.checks.Check``)."""
    return (
        check(
            "need_intake",
            lambda d, c: need_intake.need_problems(d, _now(c)),
            lambda d, c: need_intake.need_hints(d),
        ),
        check(
            "race_mode",
            lambda d, c: race_rules.race_mode_problems(d),
            lambda d, c: race_rules.race_mode_hints(d),
        ),
        check(
            "race_outcome",
            lambda d, c: race_rules.race_outcome_problems(d),
            lambda d, c: race_rules.race_outcome_hints(d),
        ),
        check(
            "major_change",
            lambda d, c: changes.major_change_problems(d),
            lambda d, c: changes.major_change_hints(d),
        ),
        check(
            "acceptance_panel",
            lambda d, c: acceptance_checks.acceptance_panel_problems(d),
            lambda d, c: acceptance_checks.acceptance_panel_hints(d),
        ),
        check(
            "task_book_pledge",
            lambda d, c: task_book_pledge_problems(d),
            lambda d, c: task_book_pledge_hints(d),
        ),
        check(
            "list_review",
            lambda d, c: need_selection.list_review_problems(d),
            lambda d, c: [],
        ),
        check(
            "municipal_matching",
            lambda d, c: need_selection.matching_problems(d),
            lambda d, c: need_selection.matching_hints(d),
        ),
        check(
            "unit_locality",
            lambda d, c: unit_checks.issuer_locality_problems(d, c.unit),
            lambda d, c: unit_checks.locality_hints(d),
        ),
        check(
            "pilot_quota",
            lambda d, c: pilot.quota_problems(d, c.pilot_supported),
            lambda d, c: pilot.quota_hints(d, c.pilot_supported),
        ),
        check(
            "pilot_count",
            lambda d, c: [],
            lambda d, c: pilot.quota_hints({**d, "project_code": ""}, c.pilot_supported, "pilot_results"),
        ),
        check(
            "contract_registration",
            lambda d, c: contract_registration.registration_problems(d, c.today),
            lambda d, c: contract_registration.registration_hints(d),
        ),
    )
