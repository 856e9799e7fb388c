"""Real Chromium, Chinese UI: the bureau refuses a termination (000 §14 经市科技局审核同意). The solver asks for the
termination on its project page; after the third-party audit the bureau clerk opens 审核终止 from the queue,
chooses 不同意终止 — without a reason the form is refused beside the opinion field, citing the rule — then gives
the reason: the project stays in implementation, the case history shows the decision and its reason, and the
solver reads on its project page that the bureau refused and why."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session

from engine.domain import ledger
from tests.browser.conftest import fast_passwords
from tests.browser.journey import Journey, open_task, refused, submit
from tests.lifecycle.conftest import PDF, start, world  # noqa: F401 (fixtures)
from tests.lifecycle.drivers import FIRST_FEN, implementing, status

pytestmark = pytest.mark.browser

REASON = "关键技术路线仍可调整，继续实施"


def _no_codes(journey: Journey, who: Any, key: str) -> None:
    """Names, never codes (``Journey.no_codes``), but the case's own business key (the lifecycle drivers'
    ``URUMQI-T1``) is its name."""
    found = journey.code.findall(who.page.inner_text("main").replace(key, ""))
    assert not found, f"{who.username} on {who.page.url}: codes shown {found}"


def test_000_14_bureau_refuses_a_termination_with_its_reason_and_the_project_goes_on(
    roles: Any,
    start,  # type: ignore[no-untyped-def]  # noqa: F811
    world: Session,  # noqa: F811
) -> None:
    flow = implementing(start, "urumqi")
    flow.at("2027-03-01T09:00:00+08:00")
    fast_passwords(world, "solver_urumqi", "bureau_urumqi")
    journey = Journey("termination-refused", "urumqi")

    # the solver asks for the termination on its project page
    solver = roles("solver_urumqi")
    solver.open(f"/my/projects/{flow.key}", "终止申请")
    solver.page.select_option("#termination-cause", "objective")
    solver.page.fill("#termination-reason", "市场变化，技术路线不可行")
    solver.page.click("#request-termination button[type=submit]")
    solver.page.wait_for_load_state("networkidle")
    solver.check("申请已提交")
    flow.s.rollback()
    assert flow.ready() == ["audit"]
    # the third-party audit (000 §14 委托第三方出具审计报告) is not this test's screen
    flow.do(
        "audit", {"audit_report": PDF, "audit_unspent": [{"solver": "URUMQI-S1", "unspent_fen": "100,000"}]}
    )
    flow.s.commit()

    clerk = roles("bureau_urumqi")
    open_task(clerk, flow.key, "审核终止")
    clerk.check(
        "审核终止：同意或不同意",
        "客观原因无法继续实施",
        "同意终止，按规定清算追回",
        "不同意终止，项目继续实施",
        "不同意终止的，须写明理由（将告知申请方）。（依据：000 §14）",  # said before submit
    )
    _no_codes(journey, clerk, flow.key)
    # an Urumqi clerk reads Urumqi's procedure only, and the rule the termination table applies, whole
    description = clerk.page.inner_text("p.description")
    assert "按规定清算追回" in description
    assert not re.search("大足|克拉玛依|区政府|发榜方", description), description
    rule = "000 §14：委托第三方出具审计报告并经市科技局审核同意，收回剩余资金"
    assert clerk.page.inner_text("#f-rule_view") == rule
    # what the application left empty reads as not filled in, never as a bare dash
    applications = clerk.page.inner_text("section.case-applications")
    assert "未填写" in applications and "—" not in applications
    journey.shot(clerk, "bureau-decide")

    # the English page: the bare reference of the rule and English words only
    task_url = "/" + clerk.page.url.split("/", 3)[3]  # the path: /tasks/<id>
    clerk.page.click("button[lang=en]")
    clerk.page.wait_for_load_state("networkidle")
    clerk.open(task_url, "Decide on the termination", "Objective causes")
    assert clerk.page.inner_text("#f-rule_view") == "000 §14"
    form_text = clerk.page.inner_text("form[data-jb-task-form]") + clerk.page.inner_text("p.description")
    assert not re.search(r"[\u4e00-\u9fff]", form_text.replace("000 §14", "")), form_text
    assert not re.search("Dazu|Karamay|district government", form_text), form_text
    assert "Not filled in" in clerk.page.inner_text("section.case-applications")
    journey.shot(clerk, "bureau-decide-en")
    clerk.page.click("button[lang=zh-CN]")
    clerk.page.wait_for_load_state("networkidle")
    clerk.open(task_url, "审核终止：同意或不同意")
    clerk.page.select_option("#f-termination_decision", "reject")
    refused(clerk, "termination_opinion", "不同意终止的，须写明理由", "000 §14")
    journey.shot(clerk, "bureau-reason-required")
    flow.s.rollback()
    assert flow.ready() == ["decide"] and status(flow) == "ongoing"

    clerk.page.fill("#f-termination_opinion", REASON)
    submit(clerk, failed="termination-refused-not-submitted")
    flow.s.rollback()
    assert flow.info()["status"] == "running" and status(flow) == "ongoing"
    assert flow.ready() == [] and flow.data["termination_result"] == "refused"
    assert flow.data["checkpoint_kind"] == "period_end"  # waiting again for the end of the period
    assert ledger.balance(flow.s, flow.key)["recovered_fen"] == 0
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == FIRST_FEN["urumqi"]

    # the case history: the bureau's decision and its reason, by name
    clerk.open(f"/instances/{flow.id}", "审核终止", "不同意终止，项目继续实施", REASON, "办理中")
    history = clerk.page.inner_text("section.history")
    assert "不同意终止，项目继续实施" in history and REASON in history
    _no_codes(journey, clerk, flow.key)
    journey.shot(clerk, "bureau-history")

    # the one who asked reads who refused and why, and may ask again
    solver.open("/inbox", "终止申请未获同意", "科技局不同意终止", REASON)
    solver.open(f"/my/projects/{flow.key}", "终止申请：未获同意，项目继续实施", "科技局", REASON)
    assert solver.page.locator("[data-termination-result=refused]").count() == 1
    assert solver.page.locator("#request-termination form").count() == 1
    journey.shot(solver, "solver-project")
