"""The solver (揭榜方) of a case reads its own case — as a party: its own records only, never another
applicant's application or an expert's own scores — in every jurisdiction and as a 赛马 team, on every face
(the engine's policy that the web, the API and the CLI ask). A solver applies by a message to the challenge
(the portal), so it never "takes part" in the instance the way a task's doer does; its grant is its unit's
application that became the project (``engine.access.solvers.own_case_clause``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import policy
from engine.access.principal import Audience
from engine.access.rows import can_read_instance, readable_clause
from engine.errors import Forbidden
from engine.models.domain import Person
from engine.models.instance import ProcessInstance
from engine.users import add_user, get_user

from .conftest import Flow
from .drivers import JURISDICTIONS, implementing
from .test_urumqi import race, to_contract


def _link(session: Session, person: str, username: str, jurisdiction: str) -> Any:
    """A solver account for the person ``person`` (so for that person's unit)."""
    user = add_user(session, username, roles=["solver"], jurisdiction=jurisdiction)
    session.scalars(select(Person).where(Person.code == person)).one().username = username
    session.commit()
    return user


def _listed(session: Session, user: Any) -> set[int]:
    return set(session.scalars(select(ProcessInstance.id).where(readable_clause(user))))


def _cli_instance(db_url: str, monkeypatch: pytest.MonkeyPatch, iid: int, actor: str) -> Any:
    from engine.cli import cli

    monkeypatch.setenv("JIEBANG_DATABASE_URL", db_url)
    return CliRunner().invoke(cli, ["instance", str(iid), "--as", actor, "--json"])


@pytest.mark.parametrize("j", JURISDICTIONS)
def test_the_selected_solver_reads_its_running_project_on_every_face(
    start: Any, j: str, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow: Flow = implementing(start, j)
    s = flow.s
    instance = s.get(ProcessInstance, flow.id)
    solver = get_user(s, f"solver_{j}")  # linked to <J>-P1 of <J>-S1, the selected unit; it did no task
    viewer = policy.instance_viewer(s, solver, instance)
    assert viewer.audience == Audience.PARTY
    assert flow.id in _listed(s, solver)
    data = policy.data_view(flow.data, viewer)
    assert "reviews" not in data and "scores" not in data  # the experts' own scores stay theirs
    assert data["period_end"] == flow.data["period_end"]  # the project as it runs

    answer = _cli_instance(flow_db := db_url, monkeypatch, flow.id, f"solver_{j}")
    assert answer.exit_code == 0, answer.output
    assert json.loads(answer.output)["data"]["period_end"] == flow.data["period_end"]

    # a unit that did not win (here: did not apply) reads nothing of the case, and is not told who may
    other = _link(s, f"{j.upper()}-P4", f"other_{j}", j)  # <J>-S2
    assert not can_read_instance(s, other, instance) and flow.id not in _listed(s, other)
    with pytest.raises(Forbidden) as refused:
        policy.instance_viewer(s, other, instance)
    assert f"other_{j}" not in str(refused.value) and str(flow.id) not in refused.value.zh
    answer = _cli_instance(flow_db, monkeypatch, flow.id, f"other_{j}")
    assert isinstance(answer.exception, Forbidden) and "您不能查看这个项目案卷" in answer.exception.zh

    # the solver role of another jurisdiction does not carry the grant across
    moved = f"{'dazu' if j != 'dazu' else 'urumqi'}"
    s.scalars(select(Person).where(Person.code == f"{j.upper()}-P2")).one().username = "elsewhere"
    add_user(s, "elsewhere", roles=["solver"], jurisdiction=moved)
    s.commit()
    assert not can_read_instance(s, get_user(s, "elsewhere"), instance)


def test_an_applicant_that_was_not_selected_does_not_read_the_case(start: Any) -> None:
    flow = start("urumqi")
    to_contract(flow)  # S1, S2 and S3 apply; S1 is selected
    loser = _link(flow.s, "URUMQI-P5", "loser_s2", "urumqi")  # a person of S2
    assert not can_read_instance(flow.s, loser, flow.s.get(ProcessInstance, flow.id))


def test_000_12_7_every_race_team_reads_the_case_but_only_its_own_team(start: Any) -> None:
    """A 赛马 team's people read the case while they race and after they leave it (000 §12(7): the exited
    team's project ends, it still reads its record) — each only its own team's plan and money."""
    flow = race(start, "best", "URUMQI-S1", {})
    s = flow.s
    instance = s.get(ProcessInstance, flow.id)
    # colleagues of each team's contact: they did no task of the case
    for person, name, unit in (
        ("URUMQI-P2", "racer1b", "URUMQI-S1"),
        ("URUMQI-P5", "racer2b", "URUMQI-S2"),
        ("URUMQI-P8", "racer3b", "URUMQI-S3"),
    ):
        user = _link(s, person, name, "urumqi")
        viewer = policy.instance_viewer(s, user, instance)
        assert flow.id in _listed(s, user)
        shown = policy.data_view(flow.data, viewer)
        rivals = {"URUMQI-S1", "URUMQI-S2", "URUMQI-S3"} - {unit}
        records = [a for a in shown.get("applications") or [] if isinstance(a, dict)]
        assert [a.get("solver") for a in records] == [unit]  # its own application, not the rivals'
        money, _rows = policy.money_view(shown, [], viewer)
        assert not rivals & set(money.get("solvers") or [])
        assert "reviews" not in shown and "stage_scores" not in shown


def test_nobody_signed_in_reads_no_case_by_taking_part(start: Any) -> None:
    """An anonymous reader took part in nothing: an open, unassigned task (no doer, no assignee) must not make
    its case readable to a request without a name."""
    from engine.access.principal import ANONYMOUS

    flow: Flow = start("dazu")
    assert flow.ready()  # the case has an open task nobody completed or holds
    assert _listed(flow.s, ANONYMOUS) == set()
    assert not can_read_instance(flow.s, ANONYMOUS, flow.s.get(ProcessInstance, flow.id))
