"""Which fields of an instance's data a viewer sees: one declarative table, applied in one place.

Every face filters case data through :func:`filter_data` (the workflow data of the instance page, the task page's
context, the API's instance and task data, the CLI's ``instance``) and :func:`filter_events` (the timelines, the
API's and the CLI's ``events``). A *path* names a value: top-level keys as they are (``applications``), nested
keys after a dot (``objection.contact``), list items as ``[]`` (``applications.[].facts``). ``FIELD_RULES`` maps
path patterns (``fnmatch``: ``*`` also crosses dots, ``?`` is one character) to a class, the first match wins;
an unlisted path is ``CASE``. ``CLASS_AUDIENCES`` says who sees each class.

Records — dicts inside the data — carry their owner: a record with ``solver`` belongs to that organisation (an
application, a ranking row, a race team; the viewer's organisations come from ``Person.username``), one with
``expert`` to that user (an expert's review). Where a class is not visible to the viewer but is in
``OWN_RECORDS``, the viewer's own records stay (a solver sees its own application among the applications; an
expert sees its own review). A record of another solver is hidden from anyone below ``COMPETITION`` wherever it
is (a message payload, a list of any class) — except from the people of the issuer the record is addressed to
(``issuer`` in the record: a stage report). An event a viewer caused (they are its actor) is theirs to read in
full.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from fnmatch import translate
from functools import lru_cache
from typing import Any

from engine.access.principal import Audience


class FieldClass(StrEnum):
    #: published: the call, the list, the publicity notice and the policy numbers
    PUBLIC = "public"
    #: the case file: every reader of the instance
    CASE = "case"
    #: who sits on the expert panel
    PANEL = "panel"
    #: who applied and with what (plans, budgets, members, the ranking)
    COMPETITION = "competition"
    #: an expert's own scores and opinions
    SCORES = "scores"
    #: credit records and eligibility findings of units and people
    CREDIT = "credit"
    #: the identity of a member of the public who objected (the portal promises not to publish it)
    IDENTITY = "identity"
    #: working values of diagram scripts (loop variables that hold a copy of someone's record)
    INTERNAL = "internal"


_READERS = frozenset({Audience.OVERSIGHT, Audience.APPROVER, Audience.REVIEWER, Audience.PARTY})
_STAFF = frozenset({Audience.OVERSIGHT, Audience.APPROVER, Audience.REVIEWER})

CLASS_AUDIENCES: Mapping[FieldClass, frozenset[Audience]] = {
    FieldClass.PUBLIC: _READERS | {Audience.PUBLIC},
    FieldClass.CASE: _READERS,
    FieldClass.PANEL: _STAFF,
    FieldClass.COMPETITION: _STAFF,
    FieldClass.SCORES: frozenset({Audience.OVERSIGHT}),
    FieldClass.CREDIT: frozenset({Audience.OVERSIGHT, Audience.APPROVER}),
    FieldClass.IDENTITY: frozenset({Audience.OVERSIGHT}),
    FieldClass.INTERNAL: frozenset({Audience.OVERSIGHT}),
}
#: Classes of which a viewer outside the audience still sees its own records.
OWN_RECORDS = frozenset({FieldClass.COMPETITION, FieldClass.SCORES})


@dataclass(frozen=True)
class FieldRule:
    pattern: str
    field_class: FieldClass
    why: str


def _rules(field_class: FieldClass, why: str, *patterns: str) -> list[FieldRule]:
    return [FieldRule(p, field_class, why) for p in patterns]


FIELD_RULES: tuple[FieldRule, ...] = (
    *_rules(
        FieldClass.IDENTITY,
        "an objector's name and contact: the portal publishes neither",
        "objection.name",
        "objection.contact",
        "objections.[].name",
        "objections.[].contact",
        "*objection*.name",
        "*objection*.contact",
    ),
    *_rules(
        FieldClass.CREDIT,
        "credit records and eligibility facts of units and people (002 四, 000 §8–10)",
        "*facts",
        "*_credit",
        "eligibility_results",
        "application_refusals",
        "refusal",
        "credit_*",
        "acceptance_credit",
    ),
    *_rules(
        FieldClass.SCORES,
        # 000 §12(4): each panel member scores on their own — a member sees only their own review (OWN_RECORDS),
        # before and after the panel closes; the ranking (COMPETITION) exists only once every member has scored
        "one expert's scores and opinions",
        "reviews",
        "review",
        "scores",
        "opinion",
        "importance",
        "feasibility",
        "difficulty",
        "need_review_opinion",
        "stage_score",
        "stage_scores",
        "team_result",
        "race_results",
    ),
    *_rules(
        FieldClass.COMPETITION,
        "who applied and with what: plans, budgets, members, the ranking and the choice's reasons",
        "applications",
        "applications_ok",
        "application",
        "application_received",
        "candidates",
        "candidates_text",
        "review_ranking",
        "recommended_solvers",
        "third_party_review",
        "cost_opinion",
        "project_budget_fen",
        "selection_reason",
        "selection_problem",
        "race_problem",
        "few_teams_reason",
        # 000 §12(7): the race's standing and who is in it — a competing team sees neither the other teams'
        # members nor which of them passed the stage (its own result is its own record in race_results)
        "members_all",
        "race_passed",
    ),
    *_rules(
        FieldClass.PANEL,
        "who reviews: the expert panel (000 §12(4))",
        "experts",
        "chairs",
        "panel",
        "expert",
        "panel_problem",
        # the panel member who assesses a 赛马 team's stage (engine.domain.application_intake.selected_teams)
        "*stage_expert",
    ),
    *_rules(
        FieldClass.PANEL,
        "who a task was reassigned to and from (engine.reassign): an expert's name is the panel's",
        "to",
        "from",
        "to_name",
        "from_name",
    ),
    *_rules(
        FieldClass.INTERNAL,
        "loop variables of diagram scripts: copies of one record among many",
        "?",
        "team",
        "received",
        "chosen",
    ),
    *_rules(
        FieldClass.PUBLIC,
        "published with the call, the list or the publicity notice",
        "title",
        "jurisdiction",
        "project_code",
        "need_title",
        "category",
        "problem",
        "indicators",
        "deadline",
        "scope",
        "need_total_fen",
        "list_published_on",
        "applications_close_on",
        "application_start",
        "application_end",
        "notice_call_closes",
        "notice_title",
        "notice_body",
        "challenge_title",
        "challenge_summary",
        "publicity_start",
        "publicity_end",
        "*_source",
    ),
)

#: What a record's owner field names.
SOLVER_OWNER = "solver"
#: a solver's record that also names ``issuer`` is addressed to that issuer: its people read it too (a stage
#: report, engine.stage_reports), competitors still do not
ISSUER_ADDRESSEE = "issuer"
EXPERT_OWNER = "expert"


def race_team_owner(task_data: Mapping[str, Any]) -> dict[str, str]:
    """The owner of what a task of one 赛马 team records (its stage report, its stage assessment: the task runs
    with ``team`` in its data, race_team.bpmn): that team, addressed to the issuer — so the event log shows it
    to the team, the issuer and the staff, never to the competing teams (000 §12(7)). Empty for other tasks."""
    team = task_data.get("team")
    solver = team.get(SOLVER_OWNER) if isinstance(team, Mapping) else None
    if not isinstance(solver, str) or not solver:
        return {}
    issuer = task_data.get("issuer_code")
    return {
        SOLVER_OWNER: solver,
        **({ISSUER_ADDRESSEE: issuer} if isinstance(issuer, str) and issuer else {}),
    }


def record_visible(record: Mapping[str, Any], viewer: FieldViewer) -> bool:
    """Whether the viewer may see one owned record outside the case data (a ledger movement for a team): the
    same owner rule as inside it."""
    return _owner_visible(record, viewer, own=False) is not False


@lru_cache(maxsize=1)
def _rules_pattern() -> re.Pattern[str]:
    """The rules' patterns as one regular expression, one named group per rule in the rules' order: a path
    is matched once instead of once per rule (a fresh process classifies every path it meets the first time)."""
    return re.compile("|".join(f"(?P<r{i}>{translate(rule.pattern)})" for i, rule in enumerate(FIELD_RULES)))


@lru_cache(maxsize=4096)
def classify(path: str) -> FieldClass:
    """The class of the value at ``path`` (first matching rule; ``CASE`` when none matches)."""
    found = _rules_pattern().match(path)
    if found is None:
        return FieldClass.CASE
    # the alternatives are tried in order, so the rule whose group matched is the first rule that matches
    matched = next(name for name, value in found.groupdict().items() if value is not None)
    return FIELD_RULES[int(matched[1:])].field_class


@dataclass(frozen=True)
class FieldViewer:
    """What the field filter needs to know about a viewer of one instance."""

    audience: Audience
    username: str | None = None
    #: the organisation codes the viewer's account is linked to (``Person.username``)
    organisations: frozenset[str] = frozenset()

    def sees(self, field_class: FieldClass) -> bool:
        return self.audience in CLASS_AUDIENCES[field_class]


_HIDDEN = object()


def _owner_visible(record: Mapping[str, Any], viewer: FieldViewer, own: bool) -> bool | None:
    """None: the record has no owner; else whether the viewer may see it."""
    solver = record.get(SOLVER_OWNER)
    expert = record.get(EXPERT_OWNER)
    if isinstance(solver, str) and solver:
        addressee = record.get(ISSUER_ADDRESSEE)  # a solver's record addressed to the issuer (a stage report)
        to_viewer = isinstance(addressee, str) and addressee in viewer.organisations
        return own or solver in viewer.organisations or to_viewer or viewer.sees(FieldClass.COMPETITION)
    if isinstance(expert, str) and expert and "scores" in record:
        return own or expert == viewer.username or viewer.sees(FieldClass.SCORES)
    return None


def _is_owned(record: Any, viewer: FieldViewer, path: str = "") -> bool:
    if not isinstance(record, Mapping):
        return False
    solver, expert = record.get(SOLVER_OWNER), record.get(EXPERT_OWNER)
    # one expert's score of an application names the solver it scores, but it is the expert's record: the
    # scored unit never reads the individual scores (000 §12(4)), only its place in the ranking
    scored = path == "scores.[]" or path.endswith(".scores.[]")
    return (not scored and isinstance(solver, str) and solver in viewer.organisations) or (
        viewer.username is not None and expert == viewer.username
    )


def _walk(value: Any, path: str, viewer: FieldViewer, own: bool, only_own: bool) -> Any:
    if isinstance(value, Mapping):
        if only_own and not _is_owned(value, viewer, path):
            return _HIDDEN
        if _owner_visible(value, viewer, own) is False:
            return _HIDDEN
        out: dict[str, Any] = {}
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            field_class = classify(child)
            if own or viewer.sees(field_class):
                kept = _walk(item, child, viewer, own, only_own=False)
            elif field_class in OWN_RECORDS:
                kept = _walk(item, child, viewer, own, only_own=True)
                if isinstance(item, Mapping | list) and not kept and kept is not _HIDDEN:
                    kept = _HIDDEN  # nothing of the viewer's own in it: say nothing at all
            else:
                kept = _HIDDEN
            if kept is not _HIDDEN:
                out[key] = kept
        return out
    if isinstance(value, list | tuple):
        items = [_walk(item, f"{path}.[]", viewer, own, only_own) for item in value]
        return [item for item in items if item is not _HIDDEN]
    if only_own:
        return _HIDDEN
    return value


def filter_data(data: Mapping[str, Any] | None, viewer: FieldViewer, *, own: bool = False) -> dict[str, Any]:
    """The part of ``data`` (an instance's or a task's data, or an event's) the viewer may see."""
    if not data:
        return {}
    kept = _walk(data, "", viewer, own, only_own=False)
    return kept if isinstance(kept, dict) else {}


def filter_event(event: Mapping[str, Any], viewer: FieldViewer) -> dict[str, Any]:
    """One event (``engine.instances.event_json``) as the viewer may see it: its data filtered like instance
    data (a message's payload under the message's name, so ``objection.contact`` rules apply to it) and its
    actor shown to oversight only, or to the actor themself."""
    out = dict(event)
    own = viewer.username is not None and event.get("actor") == viewer.username
    data = event.get("data")
    if isinstance(data, Mapping):
        if event.get("kind") == "message_received" and isinstance(data.get("payload"), Mapping):
            name = str(data.get("message") or "message")
            shown = filter_data({name: data["payload"]}, viewer, own=own)
            out["data"] = {
                **{k: v for k, v in data.items() if k != "payload"},
                **({"payload": shown[name]} if name in shown else {}),
            }
        else:
            out["data"] = filter_data(data, viewer, own=own)
    if not (own or viewer.audience == Audience.OVERSIGHT):
        out["actor"] = None
    return out


def _others_record(event: Mapping[str, Any], viewer: FieldViewer) -> bool:
    """The event records what another solver did or had done to it (a competing 赛马 team's stage report or
    assessment, ``race_team_owner``; another applicant's application, a message whose payload is that
    solver's record): not even that it happened is shown — a team sees its own application arrive, never an
    empty one of a competitor."""
    data = event.get("data")
    if not isinstance(data, Mapping) or (
        viewer.username is not None and event.get("actor") == viewer.username
    ):
        return False
    payload = data.get("payload") if event.get("kind") == "message_received" else None
    record = payload if isinstance(payload, Mapping) else data
    return _owner_visible(record, viewer, own=False) is False


def filter_events(events: Iterable[Mapping[str, Any]], viewer: FieldViewer) -> list[dict[str, Any]]:
    return [filter_event(e, viewer) for e in events if not _others_record(e, viewer)]
