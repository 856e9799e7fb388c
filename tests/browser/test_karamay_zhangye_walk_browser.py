"""What Karamay and Zhangye people read on screens a walk through the demo found wrong, in Chromium and in Chinese:

- the issuer posting a need and the bureau publishing the list read the requirement of each date with their
  own place's article (Karamay 003 §12(1), §12(3), §12(4); Zhangye 004 三(二), 三(三)), not Urumqi's
  measures (000 §12);
- the bureau forming a Karamay panel reads who has claimed the task by name (not the account
  ``bureau_karamay``), and the panel rules' source once, not ``003 §12(5)；003 §12(5)``;
- the bureau signing a Karamay task book reads the period's and the milestones' rules with Karamay's articles
  (003 §12(7), §12(8)), not the policy edition ``003 (2025)`` nor Urumqi's 000 §12(7);
- the bureau choosing the solver reads no empty "提示：未填写" above the form (the note only appears when the
  diagram sent the choice back with a problem)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from werkzeug.security import generate_password_hash

from engine.models.user import User
from tests.browser.conftest import PASSWORD
from tests.browser.journey import Journey, karamay_to_panel, karamay_to_recommendation, ready_task_id, refused
from tests.lifecycle.conftest import application, need, panel, start, world  # noqa: F401 (fixtures)
from tests.lifecycle.drivers import MONEY, REVIEW, end_of_publicity, to_approve

pytestmark = pytest.mark.browser

J = Journey("walk-karamay-zhangye", "karamay")

#: each place's articles for the need's time nodes, the list's publication and the online application window
#: (Zhangye's issuer picks the team itself, 004 三(四): its list has no online window)
ARTICLES: dict[str, tuple[str, str, str | None]] = {
    "karamay": ("003 §12(1)", "003 §12(3)", "003 §12(4)"),
    "zhangye": ("004 三(二)", "004 三(三)", None),
}


def _fast_passwords(session: Any) -> None:
    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    session.execute(update(User).values(password_hash=fast))
    session.commit()


@pytest.mark.parametrize("place", ["karamay", "zhangye"])
def test_need_and_list_dates_cite_the_places_own_measures(roles: Any, start, world, place: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _fast_passwords(world)
    need_article, publish_article, window_article = ARTICLES[place]
    flow = start(place)

    issuer = roles(f"issuer_{place}")
    issuer.open(f"/tasks/{ready_task_id(flow, 'post_need')}", "填报需求")
    deadline = issuer.page.inner_text("#f-deadline-rule0")
    assert need_article in deadline and "000" not in deadline, deadline
    J.shot(issuer, f"{place}-issuer-need-deadline-source")
    flow.do("post_need", need())
    flow.do("need_review", REVIEW)

    bureau = roles(f"bureau_{place}")
    bureau.open(f"/tasks/{ready_task_id(flow, 'publish_list')}", "发布榜单")
    published = bureau.page.inner_text("#f-list_published_on-rule0")
    assert publish_article in published and "000" not in published, published
    if window_article is None:
        assert bureau.page.locator("#f-applications_close_on").count() == 0
    else:
        closes = bureau.page.inner_text("#f-applications_close_on-rule0")
        assert window_article in closes and "000" not in closes, closes
    # a refused date names the same article
    bureau.page.fill("#f-list_published_on", "2026-01-05")
    error = refused(bureau, "list_published_on", "已过", publish_article)
    assert "000" not in error, error  # the jurisdiction's own article, not the general measures'
    J.shot(bureau, f"{place}-bureau-publish-dates-source")


def test_karamay_panel_page_names_the_claimant_and_cites_once(roles: Any, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _fast_passwords(world)
    world.execute(
        update(User).where(User.username == "bureau_karamay").values(display_name="克拉玛依市科技局 高建国")
    )
    world.commit()
    flow = start("karamay")
    karamay_to_panel(flow)

    bureau = roles("bureau_karamay")
    bureau.open(f"/tasks/{ready_task_id(flow, 'form_panel')}/panel", "组建专家组", "未认领")
    bureau.page.get_by_role("button", name="认领").first.click()
    bureau.page.wait_for_load_state("networkidle")
    meta = bureau.page.inner_text(".task-meta")
    assert "认领人：克拉玛依市科技局 高建国" in meta, meta
    assert "bureau_karamay" not in bureau.page.inner_text("main")
    source = bureau.page.inner_text("#panel-rules-source")
    assert source.count("003 §12(5)") == 1, source
    J.shot(bureau, "karamay-bureau-panel-claimed")


def test_karamay_selection_shows_no_empty_note(roles: Any, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _fast_passwords(world)
    flow = start("karamay")
    karamay_to_recommendation(flow)
    contract, _fiscal = MONEY["karamay"]
    flow.do(
        "third_party_recommend",
        {"recommended_solvers": "KARAMAY-S1", "project_budget_fen": contract, "cost_opinion": "合理"},
    )
    assert flow.ready() == ["select"]

    bureau = roles("bureau_karamay")
    bureau.open(f"/tasks/{ready_task_id(flow, 'select')}", "确定揭榜方与支持金额", "合格揭榜方")
    form = bureau.page.inner_text("form[data-jb-task-form]")
    assert "提示" not in form and "未填写" not in form, form
    assert bureau.page.locator("#f-problem_view").count() == 0
    J.shot(bureau, "karamay-bureau-select-no-empty-note")


def test_karamay_task_book_cites_the_period_and_milestone_articles(roles: Any, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _fast_passwords(world)
    flow = start("karamay")
    to_approve(flow)
    flow.do("approve", {"approval": "approve"})
    due = datetime.fromisoformat(end_of_publicity(flow))
    flow.at((due + timedelta(minutes=1)).isoformat())
    assert flow.ready() == ["sign_contract"]

    bureau = roles("bureau_karamay")
    bureau.open(f"/tasks/{ready_task_id(flow, 'sign_contract')}", "项目任务书")
    period = bureau.page.inner_text("#f-period_months-rule0")
    assert "24–36 个月" in period and "003 §12(7)" in period and "2025" not in period, period
    (milestones,) = [
        line
        for line in bureau.page.inner_text("form[data-jb-task-form]").splitlines()
        if line.startswith("里程碑日期晚于签订日")
    ]
    assert milestones.endswith("（依据：003 §12(8)）"), milestones
    # 003 §12(8): the project is led by a chief expert — the policy requires the field here, so it is marked
    # required (red asterisk) and says why, before the clerk types
    chief = bureau.page.locator('label[for="f-chief_expert"]')
    assert chief.locator(".jb-required").is_visible(), chief.inner_text()
    assert "本辖区须明确首席专家。（依据：003 §12(8)）" in bureau.page.inner_text("#f-chief_expert-rule0")
    assert bureau.page.get_attribute("#f-chief_expert", "required") is not None
    # the solver names its chief expert from its own people: the clerk picks a name, never types one
    offered = bureau.page.locator("#f-chief_expert option").all_inner_texts()
    assert offered[1:] == [f"克拉玛依研究员{i}（克拉玛依揭榜单位1）" for i in (1, 2, 3)], offered
    J.shot(bureau, "karamay-bureau-task-book-articles")
    bureau.open(f"/tasks/{ready_task_id(flow, 'sign_contract')}?lang=en", "Chief expert")
    assert "The solver names one chief expert" in bureau.page.inner_text("form[data-jb-task-form]")
    J.shot(bureau, "karamay-bureau-task-book-en")
    # once signed, the case's record names the chief expert, in Chinese and in English
    flow.do(
        "sign_contract",
        {
            "period_months": 24,
            "ip_ownership": "约定",
            "disbursement_plan": "三阶段",
            "chief_expert": "KARAMAY-P2",
        },
    )
    for path, label in (
        (f"/instances/{flow.id}", "首席专家"),
        (f"/instances/{flow.id}?lang=en", "Chief expert"),
    ):
        text = bureau.open(path, label)
        rows = text.splitlines()
        at = rows.index(label)
        assert rows[at + 1] == "克拉玛依研究员2" and "KARAMAY-P2" not in text, rows[at : at + 2]
