"""Checks before submit (forms ``checks``): on the web task page and through the API a submission that breaks
a policy rule is refused before anything happens — the task stays ready, the input is kept, the message stands
beside the field with its citation — and the requirement is shown before the user types."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.api_tokens import create_token
from engine.models.task import HumanTask
from engine.models.user import User
from tests.lifecycle.conftest import Flow, application, need, panel, score_all, start, world  # noqa: F401
from tests.lifecycle.drivers import LIST_APPROVED, NEED_PANEL
from tests.web.conftest import _FAST_HASH, login, post

REVIEW = {"importance": 9, "feasibility": 8, "difficulty": 7, "need_listed_decision": "list"}


def _signable(session: Session) -> None:
    for user in session.scalars(select(User)):
        user.password_hash = _FAST_HASH
    session.commit()


@pytest.fixture
def at_select(start) -> Flow:  # type: ignore[no-untyped-def]  # noqa: F811
    """A Dazu challenge (total investment 8,000,000 元) at 确定揭榜方与支持金额, done by the bureau."""
    flow = start("dazu")
    flow.do("post_need", need())
    flow.do("form_need_panel", panel(NEED_PANEL))
    flow.do("need_review", REVIEW)
    flow.do("municipal_check", {"taken_municipal": "no"})
    flow.do("list_review", LIST_APPROVED)
    flow.do("publish_list", {"list_published_on": "2026-05-06"})
    flow.do("collect_applications", {"applications": [application("DAZU-S1", "DAZU-P1")]})
    flow.do("form_panel", panel(["e1", "e2", "e3", "e4", "e5"]))
    score_all(flow, {"DAZU-S1": 90})
    assert flow.ready() == ["select"]
    _signable(flow.s)
    return flow


def _task(flow: Flow, spec: str) -> HumanTask:
    flow.s.rollback()
    return flow.s.scalars(
        select(HumanTask).where(HumanTask.instance_id == flow.id, HumanTask.task_spec == spec)
    ).one()


CHOICE = {
    "mode": "single",
    "selected": "DAZU-S1",
    "contract_fen": "3,000,000",
    "selection_reason": "评分最高",
}


def test_web_too_much_fiscal_support_refused_beside_the_field_then_accepted(
    client: FlaskClient, at_select: Flow
) -> None:
    task = _task(at_select, "select")
    login(client, "bureau_dazu")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    # the limit is shown before typing: 30% of 8,000,000 = 2,400,000, but at most the cap 1,000,000 (001 十(一))
    assert 'class="jb-help jb-rule" id="f-fiscal_support_fen-rule0"' in page
    assert "最多 1,000,000.00 元" in page and "（依据：001 十(一)）" in page
    lock = re.search(r'name="lock_version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]

    bad = post(
        client,
        f"/tasks/{task.id}",
        {"lock_version": lock, "action": "submit", **CHOICE, "fiscal_support_fen": "1,200,000"},
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    error = re.search(r'<p class="jb-error" id="f-fiscal_support_fen-error">(.*?)</p>', html, re.S)
    assert error and "财政支持最多 1,000,000.00 元" in error.group(1) and "依据：001 十(一)" in error.group(1)
    assert 'value="1,200,000"' in html and 'value="DAZU-S1"' in html and "评分最高" in html  # input kept
    assert "表单有误，尚未提交" in html
    assert _task(at_select, "select").status == "ready" and at_select.ready() == ["select"]
    assert "fiscal_support_fen" not in at_select.data or at_select.data["fiscal_support_fen"] is None

    good = post(
        client,
        f"/tasks/{task.id}",
        {"lock_version": lock, "action": "submit", **CHOICE, "fiscal_support_fen": "1,000,000"},
    )
    assert good.status_code == 302
    assert _task(at_select, "select").status == "completed" and at_select.ready() == ["approve"]
    assert at_select.data["selection_problem"] == ""


def test_requirement_in_english_in_the_english_ui(client: FlaskClient, at_select: Flow) -> None:
    task = _task(at_select, "select")
    login(client, "bureau_dazu")
    page = client.get(f"/tasks/{task.id}?lang=en").get_data(as_text=True)
    assert "At most CNY 1,000,000.00: 30% of the total investment (CNY 8,000,000.00)" in page
    assert "(source: 001 十(一))" in page and "依据" not in page


def test_api_refusal_is_422_with_field_errors_and_the_task_stays_ready(
    client: FlaskClient, at_select: Flow, db_session: Session
) -> None:
    task = _task(at_select, "select")
    token = create_token(db_session, "bureau_dazu", "tests").plaintext
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    data = {**CHOICE, "fiscal_support_fen": "1,000,000.01"}
    res = client.post(f"/api/v1/tasks/{task.id}/complete", json={"data": data}, headers=headers)
    assert res.status_code == 422, res.get_json()
    (msg,) = res.get_json()["errors"]["fiscal_support_fen"]
    assert "at most CNY 1,000,000.00" in msg and msg.endswith("(source: 001 十(一))")
    assert _task(at_select, "select").status == "ready"
    res = client.post(
        f"/api/v1/tasks/{task.id}/complete",
        json={"data": {**CHOICE, "fiscal_support_fen": "900,000"}},
        headers=headers,
    )
    at_select.s.rollback()
    assert res.status_code == 200 and at_select.ready() == ["approve"]


def test_closing_date_before_publication_refused(client: FlaskClient, start) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """000 §12(3): the online window closes on or after the publication day and not in the past (the engine's
    simulated clock is 2026-05-06)."""
    flow = start("dazu")
    flow.do("post_need", need())
    flow.do("form_need_panel", panel(NEED_PANEL))
    flow.do("need_review", REVIEW)
    flow.do("municipal_check", {"taken_municipal": "no"})
    flow.do("list_review", LIST_APPROVED)
    _signable(flow.s)
    task = _task(flow, "publish_list")
    login(client, "bureau_dazu")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "不早于发布日期，且不早于今天（2026-05-06）" in page
    lock = re.search(r'name="lock_version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    form = {"lock_version": lock, "action": "submit", "list_published_on": "2026-05-20"}
    bad = post(client, f"/tasks/{task.id}", {**form, "applications_close_on": "2026-05-10"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="f-applications_close_on-error"' in html
    assert "早于发布日期 2026-05-20" in html and 'value="2026-05-10"' in html
    past = post(
        client,
        f"/tasks/{task.id}",
        {**form, "list_published_on": "2026-05-01", "applications_close_on": "2026-05-05"},
    )
    assert past.status_code == 422 and "已过（今天是 2026-05-06）" in past.get_data(as_text=True)
    assert _task(flow, "publish_list").status == "ready"
    ok = post(client, f"/tasks/{task.id}", {**form, "applications_close_on": "2026-06-20"})
    flow.s.rollback()
    assert ok.status_code == 302 and flow.data["application_end"] == "2026-06-21T00:00:00+08:00"


def test_refused_need_says_what_happens(client: FlaskClient, start) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    flow = start("dazu")
    flow.do("post_need", need())
    flow.do("form_need_panel", panel(["expert_dazu", "e2", "e3", "e4", "e5"]))  # its lead: expert_dazu
    _signable(flow.s)
    task = _task(flow, "need_review")
    login(client, "expert_dazu")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    lock = re.search(r'name="lock_version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    done = post(
        client,
        f"/tasks/{task.id}",
        {"lock_version": lock, "action": "submit", **REVIEW, "need_listed_decision": "reject"},
        follow_redirects=True,
    )
    html = done.get_data(as_text=True)
    assert "已决定不列入榜单" in html and "此流程已结束" in html and "已提交。" not in html
    flow.s.rollback()
    assert flow.info()["status"] == "completed"


def test_need_not_accepted_says_why(client: FlaskClient, start) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """002 五(二)4: without the integrity pledges a Urumqi need is not accepted; the issuer reads the requirement
    before typing and the refusal beside the field before anything is submitted, in its language. 001 八(六):
    Dazu's pledge belongs to the task book, so the same need is accepted there."""
    flow = start("urumqi")
    _signable(flow.s)
    task = _task(flow, "post_need")
    login(client, "issuer_urumqi")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "晚于今天（2026-05-06）" in page  # the deadline's requirement (000 §12(1))
    assert "须上传单位及负责人诚信承诺书，缺少则不予受理。（依据：002 五(二)4）" in page
    lock = re.search(r'name="lock_version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    fields = {
        "need_title": "高纯硅",
        "category": "transfer",
        "problem": "能耗高",
        "indicators": "纯度",
        "ip_terms": "发榜方所有",
        "need_total_fen": "8,000,000",
        "scope": "public",
        "issuer_end_user": "on",
    }
    late = post(
        client,
        f"/tasks/{task.id}",
        {"lock_version": lock, "action": "submit", **fields, "deadline": "2026-05-06"},
    )
    assert late.status_code == 422 and 'id="f-deadline-error"' in late.get_data(as_text=True)
    refused = post(
        client,
        f"/tasks/{task.id}",
        {"lock_version": lock, "action": "submit", **fields, "deadline": "2027-12-31"},
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="f-pledge_unit-error"' in html
    assert "诚信承诺书" in html and "002 五(二)4" in html
    assert "integrity" not in html  # Chinese only in the Chinese UI
    flow.s.rollback()
    assert flow.ready() == ["post_need"]
    dazu = start("dazu")
    dazu.s.commit()
    dazu_task = _task(dazu, "post_need")
    other = client.application.test_client()
    login(other, "issuer_dazu")
    page = other.get(f"/tasks/{dazu_task.id}").get_data(as_text=True)
    assert "须上传单位及负责人诚信承诺书" not in page  # no pledge requirement at posting
    lock = re.search(r'name="lock_version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    done = post(
        other,
        f"/tasks/{dazu_task.id}",
        {"lock_version": lock, "action": "submit", **fields, "deadline": "2027-12-31"},
    )
    assert done.status_code == 302
    dazu.s.rollback()
    assert dazu.ready() == ["form_need_panel"]
