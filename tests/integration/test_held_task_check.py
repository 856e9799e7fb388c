"""``engine.access.rows.may_act_on_task`` asks the database the held-task rule (``held_task_clause``) through a
statement built once per set of grants, the user's name a parameter: users with the same grants get their own
answers, and an anonymous principal still gets the rule's own SQL."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import instances, tasks
from engine.access import may_act_on_task, principal
from engine.access import rows as access_rows
from engine.access.principal import ANONYMOUS, Principal
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from engine.users import add_user


def _first_issuer_task(session: Session) -> tuple[HumanTask, ProcessInstance]:
    inst = instances.start_instance(
        session, "publicity_demo", actor="bureau1", data={"jurisdiction": "urumqi"}
    )
    row = session.scalars(select(HumanTask).where(HumanTask.instance_id == inst.id)).one()
    return row, inst


def test_two_issuers_with_the_same_grants_share_the_statement_not_the_answer(
    db_session: Session,
    deploy,
    people,  # type: ignore[no-untyped-def]
) -> None:
    deploy("basic")
    add_user(db_session, "issuer2", roles=["issuer"], jurisdiction="urumqi")
    row, inst = _first_issuer_task(db_session)
    one, two = (
        Principal("issuer1", frozenset({("issuer", "urumqi")})),
        Principal("issuer2", frozenset({("issuer", "urumqi")})),
    )
    access_rows._HELD.clear()
    # nobody has a hand in the issuer lane of an instance the bureau started: either issuer may do its task
    assert may_act_on_task(db_session, one, row, inst) and may_act_on_task(db_session, two, row, inst)
    built = dict(access_rows._HELD)
    assert list(built) == [(frozenset({("issuer", "urumqi")}), "id")]
    tasks.claim(db_session, row.id, actor="issuer2")
    # the claim is a hand in the lane: only the claimant still holds the task (same statement, other name)
    assert not may_act_on_task(db_session, one, row, inst)
    assert may_act_on_task(db_session, two, row, inst)
    assert all(access_rows._HELD[key] is stmt for key, stmt in built.items())


def test_an_anonymous_principal_is_asked_the_rule_itself(db_session: Session, deploy, people) -> None:  # type: ignore[no-untyped-def]
    deploy("basic")
    row, _inst = _first_issuer_task(db_session)
    nameless_issuer = Principal(None, frozenset({("issuer", "urumqi")}))
    # the rule's own SQL for no name (``completed_by IS NOT NULL``), not the named statement with NULL bound
    assert access_rows._holds_task(db_session, nameless_issuer, "id", row.id)
    tasks.claim(db_session, row.id, actor="issuer1")
    assert not access_rows._holds_task(db_session, nameless_issuer, "id", row.id)
    assert not access_rows._holds_task(db_session, principal(ANONYMOUS), "id", row.id)
