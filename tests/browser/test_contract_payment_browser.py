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
from engine.domain.problems import yuan
from tests.browser.conftest import fast_passwords, screenshot
from tests.browser.journey import ready_task_id
from tests.lifecycle.conftest import DOCS, start, world  # noqa: F401 (fixtures)
from tests.lifecycle.drivers import accept, implementing, passed

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
        f"/instances/{flow.id}",
        "项目账目",
        "验收通过，发榜方支付合同款中，尚未结算",
        "第一笔转账回单.pdf",
        "发榜方支付合同款",
    )
    assert _figure(issuer, "issuer-paid") == "4,000,000.00"
    assert _figure(issuer, "issuer-owed") == "2,000,000.00"
    assert "付款日期 2028-05-14" in issuer.page.inner_text("#books")
    issuer.page.locator("#books").screenshot(
        path=str(screenshot(issuer.page, "settle-urumqi-books-part-paid-zh"))
    )

    # the bureau reads the same: not settled while the issuer owes, and no longer 实施中
    clerk = roles("bureau_urumqi")
    clerk.open(f"/instances/{flow.id}", "项目账目", "验收通过，发榜方支付合同款中，尚未结算")
    assert "实施中" not in clerk.page.inner_text("#books")
    assert _figure(clerk, "issuer-owed") == "2,000,000.00"
    assert clerk.page.get_attribute("#books [data-settled]", "data-settled") == "paying"
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


@pytest.mark.parametrize(
    ("j", "source"),
    [("karamay", "003 §13(2)"), ("zhangye", "004 三(五)")],
)
def test_karamay_and_zhangye_issuers_pay_the_contract_and_the_books_settle(  # type: ignore[no-untyped-def]
    roles: Any,
    start,  # noqa: F811
    world,  # noqa: F811
    j: str,
    source: str,
) -> None:
    """Karamay (003 §13(2): the issuer's technology development contract with the solver) and Zhangye (004 三(五):
    the formal cooperation agreement; a reading to confirm): after a passed acceptance the case waits for the
    issuer. The issuer sees what it owes and the rule, records the payment in two parts; meanwhile the project
    reads 验收通过，发榜方支付合同款中 for the solver and the bureau (not 实施中); then the books settle."""
    flow = passed(start, j)
    owed = flow.data["contract_figures"]["owed_fen"]
    contract = yuan(flow.data["contract_fen"])
    assert owed > 0 and flow.ready() == ["issuer_contract_payment"]
    today = flow.sim.now().date().isoformat()
    fast_passwords(world, f"issuer_{j}", f"bureau_{j}", f"solver_{j}")

    issuer = roles(f"issuer_{j}")
    issuer.open(
        f"/tasks/{ready_task_id(flow, 'issuer_contract_payment')}",
        "发榜方登记支付揭榜方合同款",
        "支付依据",
        source,
        "尚欠揭榜方",
        f"{yuan(owed)}",
        "付款日期",
        "付款凭证",
    )
    assert f"合同金额（元）\n{contract}" in issuer.page.inner_text("main")
    assert not re.search(rf"\b{j.upper()}-(?:ISS|S\d)\b", issuer.page.inner_text("main"))
    screenshot(issuer.page, f"pay-{j}-issuer-payment-form-zh")

    # more than it owes: refused beside the field, with the jurisdiction's rule
    _pay(issuer, yuan(owed + 100), today, "转账回单.pdf")
    error = issuer.page.inner_text("#f-contract_paid_fen-error")
    assert f"尚应支付揭榜方 {yuan(owed)} 元" in error and source in error
    flow.s.rollback()

    # a first part: the project reads what is happening, for the solver and the bureau
    part = owed // 2 // 100 * 100
    _pay(issuer, yuan(part), today, "第一笔转账回单.pdf")
    issuer.check("已提交")
    solver = roles(f"solver_{j}")
    solver.open(f"/my/projects/{flow.key}", "验收通过，发榜方支付合同款中")
    assert "实施中" not in solver.page.inner_text("main dl")
    screenshot(solver.page, f"pay-{j}-solver-project-paying-zh")
    clerk = roles(f"bureau_{j}")
    clerk.open(
        f"/instances/{flow.id}", "项目账目", "验收通过，发榜方支付合同款中，尚未结算", "第一笔转账回单.pdf"
    )
    assert clerk.page.get_attribute("#books [data-settled]", "data-settled") == "paying"
    assert clerk.page.inner_text("[data-stage]").strip() == "发榜方支付合同款"
    assert _figure(clerk, "issuer-owed") == yuan(owed - part)
    screenshot(clerk.page, f"pay-{j}-case-paying-bureau-zh")

    # the rest: settled
    issuer.open(f"/tasks/{ready_task_id(flow, 'issuer_contract_payment')}", yuan(owed - part))
    _pay(issuer, yuan(owed - part), today, "第二笔转账回单.pdf")
    issuer.check("已提交")
    clerk.open(f"/instances/{flow.id}", "项目账目", "已结算", "账目平衡", "第二笔转账回单.pdf")
    assert clerk.page.get_attribute("#books [data-settled]", "data-settled") == "yes"
    assert _figure(clerk, "issuer-owed") == "0.00" and _figure(clerk, "owed") == "0.00"
    assert _figure(clerk, "issuer-paid") == contract
    clerk.page.locator("#books").screenshot(
        path=str(screenshot(clerk.page, f"pay-{j}-books-settled-bureau-zh"))
    )
    solver.open(f"/my/projects/{flow.key}", "已通过验收")


def test_the_issuer_reads_its_karamay_payment_form_in_english(roles: Any, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """The same form in the English UI: English only, the rule by its bare reference."""
    flow = implementing(start, "karamay")
    flow.at(flow.data["checkpoint_at"])
    flow.do("request", DOCS)
    flow.do("user_eval", {"user_rating": "basically"})
    flow.do("review", {"acceptance_outcome": "pass", "acceptance_opinion": "通过"})
    fast_passwords(world, "issuer_karamay")
    issuer = roles("issuer_karamay")
    text = issuer.open(
        f"/tasks/{ready_task_id(flow, 'issuer_contract_payment')}?lang=en",
        "The issuer records its contract payments to the solver",
        "Still owed to the solver",
        "003 §13(2)",
    )
    assert not re.search(r"[\u4e00-\u9fff]", issuer.page.inner_text("main form")), text
    screenshot(issuer.page, "pay-karamay-issuer-payment-form-en")
