"""The issuer's contract payments at the end of a Urumqi case in Chromium, in Chinese (002 五(二)1: the issuer
pays the solver the 揭榜金额). After a passed acceptance the issuer (``issuer_urumqi``) sees on its task page
what it still owes the solver, records a payment — more than it owes is refused beside the field — and sees the
books change; the case is settled only once the issuer has paid everything, which the bureau (``bureau_urumqi``)
reads as 已结算 with nothing owed."""

from __future__ import annotations

import re
from typing import Any

import pytest

from engine.domain import ledger
from tests.browser.conftest import fast_passwords, screenshot
from tests.browser.journey import ready_task_id
from tests.lifecycle.conftest import start, world  # noqa: F401 (fixtures)
from tests.lifecycle.drivers import accept, implementing

pytestmark = pytest.mark.browser

CODES = re.compile(r"\bURUMQI-(?:ISS|S\d|P\d)\b")
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _pdf(name: str) -> list[dict[str, Any]]:
    return [{"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}]


def _pay(who: Any, amount: str, day: str, proof: str) -> None:
    page = who.page
    page.fill("#f-contract_paid_fen", amount)
    page.fill("#f-contract_paid_on", day)
    page.set_input_files("#f-contract_payment_proof", files=_pdf(proof))
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")


def _figure(who: Any, name: str) -> str:
    return who.page.inner_text(f"#books [data-figure={name}]").strip()


def test_002_5_2_1_urumqi_issuer_pays_the_contract_and_the_books_settle(roles: Any, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    flow = implementing(start, "urumqi")
    flow.at(flow.data["checkpoint_at"])
    accept(flow)
    contract = flow.data["contract_fen"]
    assert contract == 600_000_000  # the case's 6,000,000 元 contract
    fast_passwords(world, "issuer_urumqi", "bureau_urumqi")

    issuer = roles("issuer_urumqi")
    task = f"/tasks/{ready_task_id(flow, 'issuer_contract_payment')}"
    issuer.open(task, "发榜方登记支付揭榜方合同款", "尚欠揭榜方", "6,000,000.00", "付款日期", "付款凭证")
    page = issuer.page
    assert "contract_paid_fen" not in page.inner_text("main") and not CODES.search(page.inner_text("main"))
    screenshot(page, "settle-urumqi-issuer-payment-form-zh")

    # more than it owes is refused beside the field, nothing is booked
    _pay(issuer, "6,000,001", "2028-05-14", "转账回单.pdf")
    error = page.inner_text("#f-contract_paid_fen-error")
    assert "尚应支付揭榜方 6,000,000.00 元" in error and "002 五(二)1" in error
    flow.s.rollback()
    assert ledger.balance(flow.s, flow.key)["issuer_paid_fen"] == 0
    screenshot(page, "settle-urumqi-issuer-payment-refused-zh")

    # a first payment of 4,000,000 元: the books show it and what is still owed
    _pay(issuer, "4,000,000", "2028-05-14", "第一笔转账回单.pdf")
    issuer.check("已提交")
    issuer.open(
        f"/instances/{flow.id}", "项目账目", "实施中，尚未结算", "第一笔转账回单.pdf", "发榜方支付合同款"
    )
    assert _figure(issuer, "issuer-paid") == "4,000,000.00"
    assert _figure(issuer, "issuer-owed") == "2,000,000.00"
    assert "付款日期 2028-05-14" in issuer.page.inner_text("#books")
    issuer.page.locator("#books").screenshot(
        path=str(screenshot(issuer.page, "settle-urumqi-books-part-paid-zh"))
    )

    # the bureau reads the same: not settled while the issuer owes
    clerk = roles("bureau_urumqi")
    clerk.open(f"/instances/{flow.id}", "项目账目", "实施中，尚未结算")
    assert _figure(clerk, "issuer-owed") == "2,000,000.00"
    assert clerk.page.get_attribute("#books [data-settled]", "data-settled") == "no"
    clerk.page.locator("#books").screenshot(
        path=str(screenshot(clerk.page, "settle-urumqi-books-owed-bureau-zh"))
    )

    # the rest: the project is settled, nothing is owed, the books balance
    issuer.open(f"/tasks/{ready_task_id(flow, 'issuer_contract_payment')}", "2,000,000.00", "4,000,000.00")
    _pay(issuer, "2,000,000", "2028-05-14", "第二笔转账回单.pdf")
    issuer.check("已提交")
    clerk.open(f"/instances/{flow.id}", "项目账目", "已结算", "账目平衡", "第二笔转账回单.pdf")
    assert clerk.page.get_attribute("#books [data-settled]", "data-settled") == "yes"
    assert _figure(clerk, "issuer-paid") == "6,000,000.00"
    assert _figure(clerk, "issuer-owed") == "0.00" and _figure(clerk, "owed") == "0.00"
    assert clerk.page.get_attribute("#books", "data-balanced") == "yes"
    assert not CODES.search(clerk.page.inner_text("#books"))
    clerk.page.locator("#books").screenshot(
        path=str(screenshot(clerk.page, "settle-urumqi-books-settled-bureau-zh"))
    )
    text = clerk.open(f"/instances/{flow.id}?lang=en", "Project books", "Settled")
    assert "发榜方" not in clerk.page.inner_text("#books") and "Issuer's contract payment" in text


def test_zhangye_case_ended_with_the_contract_unpaid_reads_not_settled(roles: Any, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Zhangye asks the issuer for no payment before its settlement (004 四(一) names only the ≥ 30% before the
    first subsidy): when the case ends with the contract unpaid, the bureau reads that the project has ended and
    is not settled, and how much the issuer still owes the solver — no 已结算."""
    flow = implementing(start, "zhangye")
    flow.at(flow.data["checkpoint_at"])
    accept(flow)
    assert flow.info()["status"] == "completed"
    owed = flow.data["contract_fen"] - ledger.balance(flow.s, flow.key)["issuer_paid_fen"]
    fast_passwords(world, "bureau_zhangye")
    clerk = roles("bureau_zhangye")
    clerk.open(f"/instances/{ready_instance(flow)}", "项目账目", "项目已结束，尚未结清")
    books = clerk.page.inner_text("#books")
    assert (
        "已结算" not in books and clerk.page.get_attribute("#books [data-settled]", "data-settled") == "owed"
    )
    owed_line = clerk.page.inner_text("#books [data-owed=issuer]")
    assert "尚应支付揭榜方" in owed_line and f"{owed // 100:,}.00" in owed_line, owed_line
    assert not re.search(r"\bZHANGYE-(?:ISS|S\d)\b", books)
    clerk.page.locator("#books").screenshot(
        path=str(screenshot(clerk.page, "settle-zhangye-books-owed-bureau-zh"))
    )


def ready_instance(flow: Any) -> int:
    """The case's instance id, with the flow's session committed so that the web sees it."""
    flow.s.commit()
    return int(flow.id)
