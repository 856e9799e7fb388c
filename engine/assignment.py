"""Work assigned to people, not only to roles: the diagram's declaration, read when a task becomes ready.

A user or manual task may carry two extension properties (``spiffworkflow:property``) that a process owner
reads and edits in the diagram:

* ``assignee`` — an expression over the task's data whose value is the user name who must do the task, e.g.
  ``expert`` in the expert's scoring task (the multi-instance element variable: one panel member each);
* ``candidateOrganisation`` — an expression whose value is the code of the organisation whose linked users
  (``Person.username`` → ``Person.organisation``) may do the task, e.g. ``issuer_code`` on issuer tasks.

``engine.indexes.rebuild`` — the one door that writes the task index, inside the instance's transaction —
calls :func:`resolve` for each task that has just become ready and stores the result on its ``HumanTask`` row
(``assignee`` with ``assigned_by = "process"``, ``candidate_org``). ``engine.access.rows`` enforces it on every
face. A value that is missing (the variable is not set, or empty) leaves the task to the lane's role, as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.lint import properties_of
from engine.models.domain import Organisation

ASSIGNEE_PROPERTY = "assignee"
CANDIDATE_ORG_PROPERTY = "candidateOrganisation"
#: ``HumanTask.assigned_by`` values
BY_CLAIM = "claim"
BY_PROCESS = "process"
BY_BUREAU = "bureau"


@dataclass(frozen=True)
class Assignment:
    assignee: str | None = None
    candidate_org: str | None = None


def declared(task_spec: Any) -> dict[str, str]:
    """The assignment expressions a task declares (property name → expression)."""
    props = properties_of(task_spec)
    return {
        name: str(props[name]).strip()
        for name in (ASSIGNEE_PROPERTY, CANDIDATE_ORG_PROPERTY)
        if str(props.get(name) or "").strip()
    }


def _value(script_engine: Any, task: Any, expression: str) -> str | None:
    try:
        value = script_engine.evaluate(task, expression)
    except Exception:  # a variable not (yet) in the data: the lane's role decides
        return None
    if value is None:
        return None
    text = str(value).strip()
    return text[:64] or None


def resolve(script_engine: Any, task: Any) -> Assignment:
    """Evaluate the task's declared assignment over its data (a SpiffWorkflow task that is ready)."""
    found = declared(task.task_spec)
    if not found:
        return Assignment()
    return Assignment(
        assignee=_value(script_engine, task, found[ASSIGNEE_PROPERTY])
        if ASSIGNEE_PROPERTY in found
        else None,
        candidate_org=_value(script_engine, task, found[CANDIDATE_ORG_PROPERTY])
        if CANDIDATE_ORG_PROPERTY in found
        else None,
    )


def user_name(session: Session, username: str | None) -> str:
    """What to call an account's holder, as every list calls them (``engine.directory.account_names``: the
    linked person's name, else the account's display name); its user name when it has neither or does not
    exist."""
    if not username:
        return ""
    from engine.directory import account_names  # here: engine.directory imports the access policy, which
    # imports this module

    return account_names(session, [username]).get(username, username)


def organisation_name(session: Session, code: str | None) -> str:
    if not code:
        return ""
    name = session.scalar(select(Organisation.name).where(Organisation.code == code))
    return name or code


def names_of(session: Session, rows: Iterable[Any]) -> dict[str, str]:
    """Display names of the assignees and candidate organisations of task rows, keyed by their codes (one query
    each, for a page of the queue)."""
    users = {r.assignee for r in rows if r.assignee}
    orgs = {r.candidate_org for r in rows if r.candidate_org}
    found: dict[str, str] = {}
    if users:  # the linked person's name, else the account's display name, else the user name
        # (imported here: engine.directory imports the access policy, which imports this module)
        from engine.directory import account_names

        named = account_names(session, users)
        found.update({f"user:{u}": named.get(u, u) for u in users})
    if orgs:
        for code, name in session.execute(
            select(Organisation.code, Organisation.name).where(Organisation.code.in_(sorted(orgs)))
        ):
            found[f"org:{code}"] = name
    return found
