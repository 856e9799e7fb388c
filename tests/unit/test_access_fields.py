"""The declarative field rules of the access policy (engine.access.fields), case by case."""

from __future__ import annotations

from engine.access.fields import FieldClass, FieldViewer, classify, filter_data, filter_event, filter_events
from engine.access.principal import Audience, Principal
from engine.access.starting import declared_start_roles

DATA = {
    "title": "高纯硅",
    "problem": "能耗高",
    "applications": [
        {"solver": "S1", "plan": "p1", "facts": {"solver_credit": {"punished": False}}},
        {"solver": "S2", "plan": "p2", "facts": {"solver_credit": {"punished": True}}},
    ],
    "candidates": ["S1", "S2"],
    "reviews": [{"expert": "e1", "scores": [{"solver": "S1", "score": 90}], "opinion": "ok"}],
    "objection": {"text": "不符", "name": "张三", "contact": "139"},
    "a": {"solver": "S2", "plan": "p2"},
    "contract_fen": 100,
}
SOLVER1 = FieldViewer(Audience.PARTY, "solver1", frozenset({"S1"}))


def test_a_solver_sees_its_own_application_only_without_credit_facts() -> None:
    shown = filter_data(DATA, SOLVER1)
    assert shown["applications"] == [{"solver": "S1", "plan": "p1"}]
    assert "candidates" not in shown and "reviews" not in shown and "a" not in shown
    assert shown["objection"] == {"text": "不符"}
    assert shown["title"] == "高纯硅" and shown["contract_fen"] == 100


def test_a_solver_never_reads_an_experts_individual_scores_of_its_own_application() -> None:
    # 000 §12(4): the expert's scoring event names the unit it scores; the unit reads its ranking, not the scores
    scoring = {"kind": "task_completed", "actor": "e1", "data": {"scores": [{"solver": "S1", "score": 90}]}}
    assert filter_event(scoring, SOLVER1)["data"] == {}
    author = FieldViewer(Audience.REVIEWER, "e1")
    assert filter_event(scoring, author)["data"] == scoring["data"]
    ranking = {"review_ranking": [{"solver": "S1", "average": 90}, {"solver": "S2", "average": 80}]}
    assert filter_data(ranking, SOLVER1) == {"review_ranking": [{"solver": "S1", "average": 90}]}
    race = {"race_results": [{"solver": "S1", "passed": True}, {"solver": "S2", "passed": False}]}
    # a race team still reads its own stage result
    assert filter_data(race, SOLVER1) == {"race_results": [{"solver": "S1", "passed": True}]}


def test_a_party_without_own_records_learns_nothing_of_the_list() -> None:
    shown = filter_data(DATA, FieldViewer(Audience.PARTY, "issuer1", frozenset({"ISS"})))
    assert "applications" not in shown and "objection" in shown


def test_an_expert_sees_applications_and_its_own_review_only() -> None:
    mine = filter_data(DATA, FieldViewer(Audience.REVIEWER, "e1"))
    assert [a["plan"] for a in mine["applications"]] == ["p1", "p2"]
    assert all("facts" not in a for a in mine["applications"])
    assert mine["reviews"][0]["opinion"] == "ok"
    other = filter_data(DATA, FieldViewer(Audience.REVIEWER, "e2"))
    assert "reviews" not in other and "name" not in other["objection"]


def test_oversight_sees_everything_and_the_public_only_published_fields() -> None:
    assert filter_data(DATA, FieldViewer(Audience.OVERSIGHT, "bureau")) == DATA
    assert filter_data(DATA, FieldViewer(Audience.PUBLIC)) == {"title": "高纯硅", "problem": "能耗高"}


def test_message_payloads_follow_the_rules_under_the_message_name() -> None:
    event = {
        "kind": "message_received",
        "actor": None,
        "data": {"message": "objection", "payload": {"text": "x", "name": "张三", "contact": "139"}},
    }
    assert filter_event(event, SOLVER1)["data"] == {"message": "objection", "payload": {"text": "x"}}
    application = {
        "kind": "message_received",
        "actor": "solver2",
        "data": {"message": "application", "payload": {"solver": "S2", "plan": "p2"}},
    }
    shown = filter_event(application, SOLVER1)
    assert shown["data"] == {"message": "application"} and shown["actor"] is None
    assert (
        filter_event(application, FieldViewer(Audience.PARTY, "solver2"))["data"]["payload"]["plan"] == "p2"
    )


def test_the_portal_reads_only_public_fields() -> None:
    portal_keys = ["title", "notice_title", "notice_body", "publicity_start", "publicity_end", "category"]
    portal_keys += ["challenge_title", "challenge_summary", "application_start", "application_end"]
    assert {key: classify(key) for key in portal_keys} == dict.fromkeys(portal_keys, FieldClass.PUBLIC)


def test_start_roles_come_from_the_start_lane_or_the_property() -> None:
    class Start:
        pass

    from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent

    class Lane(StartEvent):
        def __init__(self, lane: str | None, props: dict[str, str]) -> None:
            self.lane, self.extensions = lane, {"properties": props}

    class Spec:
        def __init__(self, *specs: object) -> None:
            self.task_specs = {str(i): s for i, s in enumerate(specs)}

    assert declared_start_roles(Spec(Lane("科技局 (bureau)", {}), Start())) == {"bureau"}
    assert declared_start_roles(Spec(Lane("科技局 (bureau)", {"startRoles": "solver, issuer"}))) == {
        "solver",
        "issuer",
    }
    assert declared_start_roles(Spec(Lane(None, {}))) == frozenset()
    assert declared_start_roles(Spec(Lane("科技局 (bureau)", {"startRoles": ""}))) == frozenset()
    p = Principal("u", frozenset({("bureau", "urumqi")}))
    assert p.audience("urumqi") == Audience.OVERSIGHT and p.audience("dazu") == Audience.PARTY


def test_another_solvers_record_is_hidden_under_any_key() -> None:
    """A key the table does not list (here a race's teams, or a new one) still never shows another unit's
    record to a party; reviewers see every team."""
    data = {"race_teams": [{"solver": "S1", "stage_task": "样机"}, {"solver": "S2", "stage_task": "中试"}]}
    assert filter_data(data, SOLVER1) == {"race_teams": [{"solver": "S1", "stage_task": "样机"}]}
    assert filter_data(data, FieldViewer(Audience.REVIEWER, "e1")) == data


def test_another_applicants_application_is_left_out_of_the_timeline_not_shown_empty() -> None:
    """A team's timeline holds its own application's arrival, not an empty line for a competitor's; oversight
    reads every one with the unit."""
    arrivals = [
        {
            "kind": "message_received",
            "actor": None,
            "data": {"message": "application", "payload": {"solver": s}},
        }
        for s in ("S1", "S2")
    ]
    assert [e["data"]["payload"]["solver"] for e in filter_events(arrivals, SOLVER1)] == ["S1"]
    issuer = FieldViewer(Audience.PARTY, "issuer1", frozenset({"ISS"}))
    assert filter_events(arrivals, issuer) == []
    bureau = filter_events(arrivals, FieldViewer(Audience.OVERSIGHT, "bureau"))
    assert [e["data"]["payload"]["solver"] for e in bureau] == ["S1", "S2"]
