"""The solver is told how its extension request, its project's termination and its application's eligibility check
ended — with the reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.record_helpers import record_helpers
from engine.models.domain import Person, Project
from engine.models.notification import Notification
from engine.solver_work import applications
from engine.users import add_user


def _notes(session: Session, kind: str) -> list[Notification]:
    """The notifications of ``kind``, once the transaction that made them committed (they are written then)."""
    session.commit()
    return list(
        session.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.id))
    )


@pytest.fixture
def helpers(db_session: Session, people, sim):  # type: ignore[no-untyped-def]
    add_user(db_session, "solver2", roles=["solver"], jurisdiction="urumqi")
    db_session.add_all(
        [
            Person(code="P1", name="张三", organisation="ORG-A", username="solver1"),
            Person(code="P3", name="王五", organisation="ORG-B", username="solver2"),
        ]
    )
    db_session.commit()
    sim.set("2026-11-27T10:00:00+08:00")
    h = record_helpers(db_session)
    h["application_register"]("J-9", "urumqi", "智能巡检", "ISS", "ORG-A", ["P1"])
    h["application_register"]("J-9", "urumqi", "智能巡检", "ISS", "ORG-B", ["P3"])
    return h


def test_a_refused_application_tells_the_unit_why_and_shows_it(
    db_session: Session, helpers, people, deploy
) -> None:  # type: ignore[no-untyped-def]
    from engine.clock import get_clock
    from engine.models.deployment import ProcessVersion
    from engine.models.instance import ProcessInstance
    from engine.models.user import User

    deploy("basic")
    version = db_session.scalar(select(ProcessVersion))
    assert version is not None
    now = get_clock(db_session).now()
    db_session.add(  # the challenge the applications answer (only its index row matters here)
        ProcessInstance(
            process_version_id=version.id,
            process_key="urumqi_challenge",
            version=1,
            business_key="J-9",
            title="智能巡检",
            jurisdiction="urumqi",
            lock_version=1,
            started_at=now,
            updated_at=now,
        )
    )
    db_session.flush()

    refusals = [
        {
            "solver": "ORG-B",
            "rule": "affiliated",
            "source": "002 二(三)5",
            "zh": "存在关联关系",
            "en": "affiliated",
        },
        {
            "solver": "ORG-B",
            "rule": "solver_credit",
            "source": "000 §10",
            "zh": "有失信记录",
            "en": "dishonest",
        },
    ]
    assert helpers["applications_refused"]("J-9", refusals) == 1
    (note,) = _notes(db_session, "application_refused")
    assert note.recipient == "solver2"
    assert "存在关联关系（002 二(三)5）；有失信记录（000 §10）" in note.body_zh
    assert "affiliated (002 二(三)5); dishonest (000 §10)" in note.body_en
    helpers["applications_refused"]("J-9", refusals)  # said twice: one notice
    assert len(_notes(db_session, "application_refused")) == 1
    # the solver's own list says refused, with the reasons; the other unit's application is untouched
    user = db_session.scalar(select(User).where(User.username == "solver2"))
    (mine,) = [a for a in applications(db_session, user) if a.challenge == "J-9"] or [None]
    assert mine is not None and mine.status == "refused"
    assert [r["zh"] for r in mine.refusals] == ["存在关联关系", "有失信记录"]
    other = db_session.scalar(select(Project).where(Project.code.endswith("ORG-A")))
    assert other is not None and other.refusal_json is None and other.status == "applying"


def test_extension_decisions_reach_the_solver_with_the_reason(db_session: Session, helpers, sim) -> None:  # type: ignore[no-untyped-def]
    helpers["project_open"]("J-9", "urumqi", "智能巡检", "ISS", "ORG-A", ["P1"], "2027-12-31")
    helpers["extension_decided"](
        "J-9", "refused", "须在实施周期届满 30 日前提出 / at least 30 days before (003 §19)"
    )
    sim.advance("P1D")
    helpers["extension_decided"]("J-9", "rejected", "理由不充分")
    sim.advance("P1D")
    helpers["extension_decided"]("J-9", "granted", "2028-06-30")
    refused, rejected, granted = _notes(db_session, "extension_decided")
    assert {n.recipient for n in (refused, rejected, granted)} == {"solver1"}
    assert "不予受理" in refused.subject_zh and "003 §19" in refused.body_zh
    assert "未获同意" in rejected.subject_zh and "理由不充分" in rejected.body_zh
    assert "已批准" in granted.subject_zh and "2028-06-30" in granted.body_zh
    assert "was granted" in granted.subject_en
    with pytest.raises(Exception, match="unknown extension result"):
        helpers["extension_decided"]("J-9", "maybe", "")


def test_termination_reaches_the_solver_with_the_reason(db_session: Session, helpers) -> None:  # type: ignore[no-untyped-def]
    helpers["project_open"]("J-9", "urumqi", "智能巡检", "ISS", "ORG-A", ["P1"], "2027-12-31")
    helpers["project_status"]("J-9", "terminated", None, "技术路线不可行")
    (note,) = _notes(db_session, "termination_decided")
    assert note.recipient == "solver1"
    assert "项目已终止：智能巡检" == note.subject_zh and "理由：技术路线不可行" in note.body_zh


def test_an_application_left_off_the_bureaus_list_is_removed_and_stops_counting(
    db_session: Session, helpers
) -> None:  # type: ignore[no-untyped-def]
    """The bureau collected the applications of J-9 without ORG-B's: ORG-B's application is marked removed, its
    unit is told once, and it no longer counts among its members' applications of the year (002 四(二))."""
    from datetime import date

    from engine.domain.eligibility import applicant_facts

    def load_of_p3() -> int:
        facts = applicant_facts(
            db_session,
            jurisdiction="urumqi",
            issuer="ISS",
            solver="ORG-B",
            members=["P3"],
            today=date(2026, 11, 27),
        )
        return int(facts["member_max_load"])

    assert load_of_p3() == 1  # the application to J-9 counts while it is under review
    assert helpers["applications_removed"]("J-9", ["ORG-A"]) == 1
    (note,) = _notes(db_session, "application_removed")
    assert note.recipient == "solver2" and "未将您单位对“智能巡检”的申请列入受理名单" in note.body_zh
    assert helpers["applications_removed"]("J-9", ["ORG-A"]) == 0  # said twice: removed and told once
    assert len(_notes(db_session, "application_removed")) == 1
    rows = {
        p.solver: p.status for p in db_session.scalars(select(Project).where(Project.code.startswith("J-9/")))
    }
    assert rows == {"ORG-A": "applying", "ORG-B": "removed"}
    assert load_of_p3() == 0
