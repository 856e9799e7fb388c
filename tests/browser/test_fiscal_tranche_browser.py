"""The bureau clerk of Karamay (``bureau_karamay``) pays a 行业共性 project's fiscal money in three stages (003 §13(1))
in Chromium: the task page shows the stage, the undertaker by name, the approved support, what is paid and
what is left, with the amount prefilled in 元 from the policy table; more than the stage allows is refused
beside the field with the rule and nothing is booked; the prefilled amount is paid and the case's books show
the tranche by name and in 元 — in Chinese and in English."""

from __future__ import annotations

import re
from typing import Any

import pytest

from engine.domain import ledger
from tests.browser.conftest import fast_passwords, screenshot
from tests.browser.journey import ready_task_id
from tests.lifecycle.conftest import start, world  # noqa: F401 (fixtures)
from tests.lifecycle.test_karamay import TASK_BOOK, at_contract
from tests.lifecycle.test_karamay_tranches import MILESTONE

pytestmark = pytest.mark.browser

CODES = re.compile(r"\bKARAMAY-(?:ISS|S\d|P\d)\b")


def _submit(page: Any, amount: str) -> None:
    page.fill("#f-tranche_paid_fen", amount)
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")


def test_003_s13_1_bureau_clerk_pays_the_approval_tranche(roles: Any, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    flow = at_contract(start)
    flow.do("sign_contract", {"period_months": 24, **TASK_BOOK, "milestones": [MILESTONE]})
    assert flow.ready() == ["pay_fiscal_tranche"]
    fast_passwords(world, "bureau_karamay")

    clerk = roles("bureau_karamay")
    task = f"/tasks/{ready_task_id(flow, 'pay_fiscal_tranche')}"
    clerk.open(
        task,
        "拨付财政资金（分阶段）",
        "立项阶段",
        "收款单位（项目承担单位）",
        "核定财政资助（元）",
        "4,000,000.00",
        "尚未拨付（元）",
        "本次至多",
    )
    page = clerk.page
    # the amount is prefilled in 元 from the rule (40 % of 4,000,000 元), never in fen
    assert page.input_value("#f-tranche_paid_fen") == "1600000.00"
    main = page.inner_text("main")
    assert "揭榜单位" in main and not CODES.search(main) and "160000000" not in main
    screenshot(page, "payment3-tranche-task-zh")

    clerk.open(
        f"{task}?lang=en",
        "Pay a fiscal tranche (staged)",
        "Approval",
        "Left to pay (CNY)",
        "The approval stage: pay CNY 0.01 to 1,600,000.00 now",
    )
    screenshot(clerk.page, "payment3-tranche-task-en")
    clerk.open(f"{task}?lang=zh", "拨付财政资金（分阶段）")
    page = clerk.page

    # the milestone's share before its stage: refused beside the field, nothing booked, the input kept
    _submit(page, "2,800,000")
    error = page.inner_text("#f-tranche_paid_fen-error")
    assert "立项阶段累计至多拨付财政资金的 40%，本次至多 1,600,000.00 元" in error and "003 §13(1)" in error
    assert page.input_value("#f-tranche_paid_fen") == "2,800,000"
    flow.s.rollback()
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 0
    screenshot(page, "payment3-tranche-refused-zh")

    _submit(page, "1,600,000")
    clerk.check("已提交")
    flow.s.rollback()
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 160_000_000

    # the case's payment record names the tranche and the undertaker, in 元
    clerk.open(f"/instances/{flow.id}", "项目账目", "立项阶段财政资金", "1,600,000.00")
    books = clerk.page.inner_text("#books")
    assert not CODES.search(books) and "stage_approval" not in books
    clerk.page.locator("#books").screenshot(path=str(screenshot(clerk.page, "payment3-case-books-zh")))
    clerk.open(f"/instances/{flow.id}?lang=en", "Project books", "Fiscal tranche at approval", "1,600,000.00")
    clerk.page.locator("#books").screenshot(path=str(screenshot(clerk.page, "payment3-case-books-en")))
