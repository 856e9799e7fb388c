"""What each Karamay person reads on the way from a need to the expert scoring, in Chromium and in Chinese — names
and labels, never the values the forms store (found walking the demo as each role):

- the expert reviewing the need reads the range of each score (0 to 100) before typing, and filters the queue
  by Karamay's own steps only, not by every step of Dazu's, Urumqi's and Zhangye's diagrams;
- the bureau publishing the list reads the scope as 公开, not ``public``, and the case page says what the case
  waits for while nobody has a task (the application window, to the minute);
- the public portal lists the challenge as 行业共性 in 克拉玛依, not ``industry_common`` in ``karamay``;
- the panel expert's scoring form names the expert (the person), not the account ``e1``;
- once the project runs, the paid unit's inbox names the first tranche, the unit and the sum in 元 (not
  ``KARAMAY-ISS``, ``first``, 1600000.00); the solver reads how long an extension may be before typing, and
  once extended, that no second one can be asked for (003 §19) instead of a form refused after submit; the
  bureau reviewing an extension is not asked for Urumqi's audit report (000 §14)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update
from werkzeug.security import generate_password_hash

from engine.models.user import User
from tests.browser.conftest import PASSWORD
from tests.browser.journey import Journey, ready_task_id
from tests.lifecycle.conftest import application, need, panel, start, world  # noqa: F401 (fixtures)
from tests.lifecycle.drivers import REVIEW, implementing

pytestmark = pytest.mark.browser

J = Journey("walk-karamay", "karamay")
P = Journey("walk-karamay-project", "karamay")
OTHER_PLACES = ("大足", "乌鲁木齐", "张掖")


def _no_codes(who: Any, key: str) -> None:
    """Names, never codes, on the page's main part (the case's own business key, KARAMAY-T1, is its name)."""
    found = [c for c in J.code.findall(who.page.inner_text("main")) if c != key]
    assert not found, f"{who.username} on {who.page.url}: codes shown {found}"


def test_karamay_people_read_labels_and_names_not_stored_codes(roles: Any, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    J.n = 0
    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    world.execute(update(User).values(password_hash=fast))
    world.execute(update(User).where(User.username == "e1").values(display_name="韩雪梅"))
    world.commit()
    flow = start("karamay")
    flow.do("post_need", need(category="industry_common", need_title="油田采出水深度处理与回用技术"))

    # the expert reviewing the need: the range before typing; the queue's filters offer Karamay's steps only
    expert = roles("expert_karamay")
    expert.open("/tasks", "需求评审")
    offered = expert.page.locator("select[name=process] option, select[name=stage] option").all_inner_texts()
    assert any("需求评审" in o for o in offered), offered
    assert not [o for o in offered if any(place in o for place in OTHER_PLACES)], offered
    expert.open(f"/tasks/{ready_task_id(flow, 'need_review')}", "需求评审")
    for field in ("importance", "feasibility", "difficulty"):
        assert expert.page.inner_text(f"#f-{field}-range") == "填写 0 至 100 之间的数。"
    J.shot(expert, "expert-need-review-range")
    flow.do("need_review", REVIEW)

    # the bureau publishing the list reads the scope the issuer chose by its label
    bureau = roles("bureau_karamay")
    bureau.open(f"/tasks/{ready_task_id(flow, 'publish_list')}", "发布榜单")
    assert bureau.page.inner_text("#f-scope_view").strip() == "公开"
    _no_codes(bureau, flow.key)
    J.shot(bureau, "bureau-publish-scope")
    flow.do("publish_list", {"list_published_on": "2026-05-06", "applications_close_on": "2026-06-05"})
    # the case page says what it waits for when no one has a task: the application window, through its last day
    # (closing on 5 June is 24:00 of 5 June, not "6 June 00:00")
    bureau.open(f"/instances/{flow.id}", "等待中的期限")
    waiting = bureau.page.inner_text("#waiting")
    assert "揭榜期 · 2026年6月5日 24:00 · 剩余 30 天" in waiting, waiting
    J.shot(bureau, "bureau-case-waiting")

    # the public reads the category and the jurisdiction by name
    public = roles(None)
    public.open("/portal/", "揭榜挂帅榜单")
    row = public.page.locator(f"tr[data-challenge='{flow.key}']").inner_text()
    assert "行业共性" in row and "克拉玛依" in row, row
    assert "industry_common" not in row and "karamay" not in row, row
    J.shot(public, "public-challenge-list")

    # the panel expert's scoring form names the expert
    flow.at("2026-06-06T00:01:00+08:00")  # the applications are closed
    flow.do("collect_applications", {"applications": [application("KARAMAY-S1", "KARAMAY-P1")]})
    flow.do("form_panel", panel(["e1", "e2", "e3"], chair_by_issuer=True))
    scorer = roles("e1")
    scorer.open(f"/tasks/{ready_task_id(flow, 'score', 'e1')}", "专家评分")
    assert scorer.page.inner_text("#f-expert_view").strip() == "韩雪梅"
    assert "填写 0 至 100 之间的数。" in scorer.page.inner_text("#f-scores")
    _no_codes(scorer, flow.key)
    J.shot(scorer, "expert-score-named")


def test_karamay_project_people_read_names_and_their_own_rules(roles: Any, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    P.n = 0
    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    world.execute(update(User).values(password_hash=fast))
    world.commit()
    flow = implementing(start, "karamay")

    # the receiving unit's inbox: the first fiscal tranche (003 §13(1): 40% of 4,000,000) by name and in 元 — in
    # a Karamay 技术攻关 case the issuer receives it
    issuer = roles("issuer_karamay")
    text = issuer.open("/inbox", "首笔财政资金", "1,600,000.00 元", "克拉玛依硅业股份有限公司")
    assert "1600000.00" not in text and "（first）" not in text, text
    _no_codes(issuer, flow.key)
    P.shot(issuer, "issuer-inbox-payment")

    # the solver reads how long an extension may be before typing (003 §19)
    solver = roles("solver_karamay")
    solver.open(f"/my/projects/{flow.key}", "延期申请")
    rule = solver.page.inner_text("#extension-days-rule")
    assert "延期最长 12 个月" in rule and "请填写 1 至" in rule and "003 §19" in rule, rule

    # the bureau reviews an extension with Karamay's fields only
    flow.message("extension_request", {"days": 90, "reason": "关键设备延迟到货"})
    bureau = roles("bureau_karamay")
    text = bureau.open(f"/tasks/{ready_task_id(flow, 'review')}", "审核延期", "关键设备延迟到货", "90")
    assert "第三方审计报告" not in text and not bureau.page.locator("#f-audit_report").count(), text
    P.shot(bureau, "bureau-extension-review")
    flow.do("review", {"extension_decision": "approve", "extension_reason": "客观原因"})
    flow.do("issuer_approve", {"issuer_decision": "approve"})  # 003 §19: the issuer agrees too

    # once extended, the solver reads that no second extension can be asked for, instead of a form refused
    # after typing (003 §19: once)
    solver.open(f"/my/projects/{flow.key}", "延期申请：已批准")
    closed = solver.page.inner_text("#extension-closed")
    assert closed == "延期只能申请 1 次，本项目已经延期过。（依据：003 §19）", closed
    assert not solver.page.locator("#extension-days").count()
    P.shot(solver, "solver-extension-closed")
