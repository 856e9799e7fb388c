"""The non-money lifecycle rules as functions diagrams call (script tasks: a call and an assignment).

Every jurisdiction's diagram calls the same function; what differs between jurisdictions is the policy table's
values passed in. Each function is documented and unit-tested where its rule lives:

- need intake: ``check_notes`` (a registered check's problems as lines, e.g. ``need_intake``),
  ``recommendation_problem`` (002 五(一)2);
- applications: ``application_window``, ``application_listed``, ``applications_recorded``,
  ``eligible_applications``, ``selected_teams`` (``engine.domain.application_intake``; the submitted content is
  recorded in the ``application`` table, ``engine.application_records``); ``application_added`` and
  ``applications_with_facts`` are what the diagrams before that table call (their instances still run);
- how the project comes about: ``route_of_case``, ``contest_selection`` (001 十二(一), ``engine.domain.contest``);
- 赛马: ``race_conclusion``, ``passed_teams`` (``engine.domain.race_rules``);
- implementation: ``next_checkpoint``, ``checkpoint_remind``, ``milestone_verdict``
  (``engine.domain.checkpoints``); ``change_refusal``, ``changes_with`` (``engine.domain.changes``);
- shared stages: ``extension_admission`` (``engine.domain.extension_rules``), ``acceptance_timing``,
  ``termination_consequences`` (``engine.domain.termination_rules``);
- the expert review: ``review_recorded``, ``recorded_ranking`` (each expert's score sheet is recorded in the
  ``review_sheet`` table, ``engine.review_sheets``); ``score_ranking`` is what the diagrams before that table
  call on the sheets they carry (their instances still run);
- reports: ``annual_texts``, ``pilot_figures`` (``engine.domain.report_texts``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from engine import application_records, reminders, review_sheets
from engine.clock import SHANGHAI, current_now, parse_aware
from engine.domain import (
    acceptance_checks,
    application_intake,
    changes,
    checkpoints,
    checks,
    contest,
    extension_rules,
    need_intake,
    race_rules,
    report_texts,
    reports,
    review_scores,
    termination_rules,
    unit_checks,
)
from engine.domain.date_checks import add_months, end_of_day
from engine.scripting import running_script_data


def route_of_case() -> str:
    """The running case's route (001 十二(一)): ``contest`` for a contest-won project, else ``call`` — also
    for a case started before the choice existed (``engine.domain.contest.entry_route_of``)."""
    return contest.entry_route_of(running_script_data())


def _today() -> date:
    return current_now().astimezone(SHANGHAI).date()


def _now_iso() -> str:
    return current_now().astimezone(SHANGHAI).isoformat()


def rule_helpers(session: Session, domain: Mapping[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """The functions, bound to the instance change's session; ``domain`` are the helpers of
    ``engine.domain.record_helpers`` and ``check_helpers`` they record through (ledger, projects, credit, reminders, notices)."""

    def check_notes(name: str, **values: Any) -> list[str]:
        """The problems of the registered check ``name`` on ``values``, one bilingual line each with its
        citation (``[]`` when there are none): the diagram's guard after a form checked before submit."""
        ctx = checks.context_for(session, _today())
        return [p.bilingual() for p in checks.CHECKS[name].problems(values, ctx)]

    def recommendation_problem(recommended: str, deadline: str | None) -> str:
        return need_intake.recommendation_refusal(current_now(), recommended, deadline)

    def application_window(applications_close_on: str | None, scope: str) -> list[str]:
        """``[application_start, application_end, application_offline_reason]`` from now."""
        end = end_of_day(applications_close_on) if applications_close_on else ""
        return application_intake.online_window(_now_iso(), end, scope)

    def application_added(applications: list[dict] | None, received: dict) -> list[dict]:
        """Diagrams before the ``application`` table: the whole application kept in the workflow data."""
        return application_intake.with_application(applications, received, _now_iso())

    def application_listed(project_code: str, applications: list[dict] | None, received: dict) -> list[dict]:
        """Record the application that arrived (its content goes to the ``application`` table; a solver's new
        application replaces its earlier one there) and list its solver: the workflow data keeps the code."""
        entry = application_records.record(
            session,
            project_code,
            received,
            current_now(),
            source="online",
            submitted_by=str(received.get("submitted_by") or "") or None,
        )
        return application_intake.with_application(applications, {"solver": entry.solver}, _now_iso())

    def _with_facts(
        jurisdiction: str, issuer: str, project_code: str, title: str, found: list[dict]
    ) -> list[dict]:
        data, ctx = running_script_data(), checks.context_for(session, _today())
        for a in found:
            a["facts"] = domain["applicant_facts"](
                jurisdiction, issuer, a["solver"], a["partners_list"], a["members_list"], project_code
            )
            # 000 §10(二), 002 二(四): a transfer-type solver taken offline is a local legal person too
            a["facts"]["solver_not_local"] = bool(
                unit_checks.solver_locality_problems(data, a["solver"], ctx.unit)
            )
        for a in found:
            domain["application_register"](
                project_code, jurisdiction, title, issuer, a["solver"], a["members_list"]
            )
        domain["applications_removed"](project_code, [a["solver"] for a in found])
        return found

    def applications_with_facts(
        jurisdiction: str, issuer: str, project_code: str, title: str, applications: list[dict]
    ) -> list[dict]:
        """Diagrams before the ``application`` table: the applications with their member and partner lists
        and eligibility facts; each is registered as an application of its solver (it counts among the
        members' applications, 002 四(二))."""
        found = application_intake.with_code_lists(applications)
        return _with_facts(jurisdiction, issuer, project_code, title, found)

    def applications_recorded(
        jurisdiction: str, issuer: str, project_code: str, title: str, applications: list[dict]
    ) -> list[dict]:
        """The applications the bureau collected, recorded in the ``application`` table (its corrections and
        the offline applications, 000 §12(3)), as the diagram keeps them: ``solver``, the member and partner
        codes (``members_list``, ``partners_list``: the limits and the task book read them) and the
        eligibility ``facts``; each is registered as an application of its solver (002 四(二))."""
        entries = [a for a in applications or [] if isinstance(a, dict) and a.get("solver")]
        now = current_now()
        for a in entries:
            if application_records.has_content(a):
                application_records.record(session, project_code, a, now, source="bureau", replace=False)
        kept = application_records.records(session, project_code, [a["solver"] for a in entries])
        full = [
            application_records.content_of(kept[a["solver"]]) if a["solver"] in kept else dict(a)
            for a in entries
        ]
        found = [
            {k: a[k] for k in ("solver", "members_list", "partners_list")}
            for a in application_intake.with_code_lists(full)
        ]
        return _with_facts(jurisdiction, issuer, project_code, title, found)

    def eligible_applications(
        project_code: str, applications: list[dict], eligibility_results: list[list[dict | None]]
    ) -> list[Any]:
        """``[application_refusals, applications_ok, candidates, candidates_text]``; the refused solvers are
        told why (``applications_refused``)."""
        refusals = application_intake.refusals_of(eligibility_results)
        domain["applications_refused"](project_code, refusals)
        ok = application_intake.eligible(applications, refusals)
        candidates = [a["solver"] for a in ok]
        return [refusals, ok, candidates, ", ".join(candidates)]

    def checkpoint_remind(
        project_code: str,
        jurisdiction: str,
        roles: Sequence[str],
        kind: str,
        milestone: dict | None,
        day: str,
        at: str,
        acc_request_days: int,
        acceptance_source: str,
    ) -> int:
        """Remind ``roles`` of the coming checkpoint (a milestone; the period's end: the acceptance request);
        the period's end always reminds the solver and the bureau."""
        data = running_script_data()
        case_title = str(data.get("title") or data.get("need_title") or "")
        which, zh, en = checkpoints.checkpoint_reminder(
            kind, milestone, at, acc_request_days, acceptance_source, case_title
        )
        who = list(roles) if which == "milestone" else ["solver", "bureau"]
        return domain["remind"](project_code, jurisdiction, who, which, zh, en, at)

    def milestone_verdict_of(
        panel: Any,
        panel_min: int,
        panel_odd: bool,
        panel_source: str,
        passed: str,
        action: str,
        stop_cause: str | None,
        opinion: str | None,
    ) -> list[Any]:
        """``[milestone_problem, termination]`` (``checkpoints.milestone_verdict``); once the check stands
        (passed, or the project stopped) the reminders of this milestone no longer show it as due."""
        found = checkpoints.milestone_verdict(
            panel, panel_min, panel_odd, panel_source, passed, action, stop_cause, opinion
        )
        data = running_script_data()
        checked_until = data.get("checkpoint_at")  # 24:00 of the milestone's day, the reminders' due time
        if not found[0] and checked_until:
            reminders.settle(
                session,
                project=str(data.get("project_code") or ""),
                kind="milestone",
                through=parse_aware(str(checked_until)),
            )
        return found

    def changes_with(
        recorded: list[dict] | None,
        change: dict,
        decision: str,
        opinion: str,
        changes_source: str,
        leader_change_major: bool,
        leader_change_source: str,
    ) -> list[dict]:
        return changes.with_change(
            recorded,
            change,
            decision,
            opinion,
            _now_iso(),
            changes_source,
            leader_change_major,
            leader_change_source,
        )

    def extension_admission(
        project_code: str,
        requested_extension: dict,
        period_end: str,
        extension_count: int,
        ext_max_count: int,
        ext_notice_days: int,
        ext_max_months: int,
        ext_source: str,
    ) -> list[Any]:
        """``[extension_result, extension_refusal, ext_days]``: ``refused`` (the solver is told why) or
        ``pending`` (to the bureau's review)."""
        problems = extension_rules.extension_problems(
            period_end=period_end,
            today=_today(),
            count=extension_count,
            days=requested_extension.get("days"),
            max_count=ext_max_count,
            notice_days=ext_notice_days,
            max_months=ext_max_months,
            source=ext_source,
        )
        refusal = "；".join(p.bilingual() for p in problems)
        if refusal:
            domain["extension_decided"](project_code, "refused", refusal)
        days = int(requested_extension.get("days") or 0)
        return ["refused" if refusal else "pending", refusal, days]

    def acceptance_timing(period_end: str, acc_request_days: int, acceptance_source: str) -> list[Any]:
        return acceptance_checks.acceptance_timing(period_end, _today(), acc_request_days, acceptance_source)

    def termination_consequences(
        project_code: str,
        solvers: list[str],
        termination: dict,
        credit_kind: str | None,
        penalty_years: int,
        termination_source: str,
    ) -> None:
        """After the money is recovered (``recover_on_termination``): the credit consequence for each solver and
        the project closed as terminated or revoked (000 §14-15, 001 八(八), 003 §17)."""
        reason = termination["reason"]
        if credit_kind:
            until = add_months(_today(), int(penalty_years) * 12).isoformat()
            for s in solvers:
                domain["credit_add"](s, credit_kind, termination_source, reason, until)
        domain["project_status"](
            project_code, termination_rules.final_status(termination["cause"]), None, reason
        )

    def pilot_figures(jurisdiction: str, from_year: int | str, to_year: int | str) -> list[Any]:
        """``[per_year, figures, figures_text, funded_text]`` of the pilot years (004 五(三))."""
        per_year = [
            reports.annual_summary(session, jurisdiction, y) for y in range(int(from_year), int(to_year) + 1)
        ]
        return [per_year, *report_texts.pilot_texts(per_year, jurisdiction)]

    def review_recorded(
        project_code: str, expert: str, scores: list[dict] | None, opinion: str | None
    ) -> dict:
        """Record the expert's score sheet (000 §12(4): each panel member scores every candidate on their own)
        in the ``review_sheet`` table — a new sheet of the same expert replaces the earlier one — and hand back
        what the panel keeps of it: who handed it in and how many candidates it scores."""
        sheet = review_sheets.record(session, project_code, expert, scores, opinion, current_now())
        return {"expert": sheet.expert, "scored": len(sheet.scores)}

    def recorded_ranking(project_code: str, reviews: list[dict] | None) -> list[dict]:
        """The panel's ranking ``[{solver, average, count}]`` from the recorded sheets of the experts
        ``reviews`` lists, best first (000 §12(4), 001 八(四), 003 §12(5))."""
        return review_sheets.ranking(session, project_code, reviews)

    return {
        "check_notes": check_notes,
        "recommendation_problem": recommendation_problem,
        "open_application_window": application_window,
        "application_added": application_added,
        "application_listed": application_listed,
        "applications_with_facts": applications_with_facts,
        "applications_recorded": applications_recorded,
        "eligible_applications": eligible_applications,
        "selected_teams": application_intake.selected_teams,
        "route_of_case": route_of_case,
        "contest_selection": contest.contest_selection,
        "race_conclusion": race_rules.race_conclusion,
        "passed_teams": race_rules.passed_teams,
        "next_checkpoint": checkpoints.next_checkpoint,
        "checkpoint_remind": checkpoint_remind,
        "milestone_verdict_of": milestone_verdict_of,
        "change_refusal_of": changes.change_refusal,
        "changes_with": changes_with,
        "extension_admission": extension_admission,
        "acceptance_timing": acceptance_timing,
        "score_ranking": review_scores.score_ranking,
        "review_recorded": review_recorded,
        "recorded_ranking": recorded_ranking,
        "termination_consequences": termination_consequences,
        "annual_texts": report_texts.annual_texts,
        "pilot_figures": pilot_figures,
    }
