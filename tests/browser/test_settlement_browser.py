"""The settlement of a project in Chromium, each step by its own person in Chinese (issue 11):

- Dazu, after acceptance: the commissioned third-party auditor (``third_party_dazu``, 001 十一(一)) uploads the
  report and states the fiscal money used — more than the project received is refused beside the field before
  submit; then the issuer (``issuer_dazu``, 需求单位) sees what it still owes the solver and pays the rest of the
  contract with its proof (001 十(二): 项目验收通过后，需求单位拨付剩余经费给揭榜单位) — a part payment is refused
  beside the field; only then does the district pay its second fiscal half, and the bureau (``bureau_dazu``)
  reads books settled to the fen with the audited remainder.
- Karamay 企业出题, after a milestone: the issuer (``issuer_karamay``) records its payment to the solver with
  proof and the fiscal support follows it (003 §13(2))."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from engine.domain import ledger
from tests.browser.conftest import fast_passwords, screenshot
from tests.browser.journey import ready_task_id
from tests.lifecycle.conftest import PDF, start, world  # noqa: F401 (fixtures)
from tests.lifecycle.drivers import implementing, pass_acceptance

pytestmark = pytest.mark.browser

#: organisation codes a person must never read (the case's business key, e.g. DAZU-T1, is its name)
CODES = re.compile(r"\b(?:DAZU|KARAMAY)-(?:ISS|S\d|P\d)\b")
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _shot(who: Any, name: str) -> None:
    screenshot(who.page, name)


def _submit(who: Any) -> None:
    who.page.click("button[name=action][value=submit]")
    who.page.wait_for_load_state("networkidle")


def _pdf(name: str) -> list[dict[str, Any]]:
    return [{"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}]


def test_001_s10_2_s11_1_dazu_audit_and_issuer_final_payment_in_the_browser(roles: Any, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    flow = pass_acceptance(implementing(start, "dazu", prepayment_proof="预付回单.pdf"))
    fast_passwords(world, "third_party_dazu", "issuer_dazu", "bureau_dazu")

    # the commissioned auditor (001 十一(一))
    auditor = roles("third_party_dazu")
    auditor.open(
        f"/tasks/{ready_task_id(flow, 'fund_audit')}",
        "经费使用审计",
        "审计报告",
        "450,000.00",
        "001 十一(一)",
    )
    page = auditor.page
    assert "fund_audit" not in page.inner_text("main") and not CODES.search(page.inner_text("main"))
    page.set_input_files("#f-fund_audit_report", files=_pdf("经费使用审计报告.pdf"))
    page.fill("#f-fund_audit_used_fen", "500,000")
    page.fill("#f-fund_audit_opinion", "资金使用基本合规")
    _submit(auditor)
    error = page.inner_text("#f-fund_audit_used_fen-error")
    assert "450,000.00" in error and "001 十一(一)" in error
    _shot(auditor, "settle-audit-refused-zh")
    page.set_input_files("#f-fund_audit_report", files=_pdf("经费使用审计报告.pdf"))
    page.fill("#f-fund_audit_used_fen", "420,000")
    _submit(auditor)
    auditor.check("已提交")

    # the issuer pays the rest of the contract with its proof (001 十(二))
    issuer = roles("issuer_dazu")
    issuer.open(
        f"/tasks/{ready_task_id(flow, 'issuer_final_payment')}",
        "发榜方付清余款",
        "尚欠揭榜方",
        "1,800,000.00",
        "3,000,000.00",
        "450,000.00",
        "001 十(二)",
    )
    page = issuer.page
    assert "final_paid_fen" not in page.inner_text("main") and not CODES.search(page.inner_text("main"))
    _shot(issuer, "settle-issuer-final-payment-zh")
    page.fill("#f-final_paid_fen", "1,000,000")
    page.set_input_files("#f-final_payment_proof", files=_pdf("余款转账回单.pdf"))
    _submit(issuer)
    error = page.inner_text("#f-final_paid_fen-error")
    assert "应付 1,800,000.00 元（填写的是 1,000,000.00 元）" in error and "001 十(二)" in error
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 45_000_000  # nothing released yet
    _shot(issuer, "settle-issuer-final-refused-zh")
    page.fill("#f-final_paid_fen", "1,800,000")
    page.set_input_files("#f-final_payment_proof", files=_pdf("余款转账回单.pdf"))
    _submit(issuer)
    issuer.check("已提交")
    flow.s.rollback()
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 90_000_000

    # the bureau reads the settled books
    clerk = roles("bureau_dazu")
    clerk.open(
        f"/instances/{flow.id}", "项目账目", "已结算", "账目平衡", "余款转账回单.pdf", "发榜方验收后付清余款"
    )
    books = clerk.page.inner_text("#books")
    assert "审计时已收财政资金 450,000.00 元，审计确认已使用 420,000.00 元，结余 30,000.00 元" in books
    assert "发榜方已付清合同余款并上传凭证" in books
    assert clerk.page.inner_text("#books [data-figure=issuer-owed]").strip() == "0.00"
    assert clerk.page.inner_text("#books [data-figure=owed]").strip() == "0.00"
    assert clerk.page.inner_text("#books [data-figure=issuer-paid]").strip() == "3,000,000.00"
    assert clerk.page.get_attribute("#books", "data-balanced") == "yes"
    assert not CODES.search(books)
    clerk.page.locator("#books").screenshot(path=str(screenshot(clerk.page, "settle-books-dazu-zh")))
    screenshot(clerk.page, "settle-books-dazu-zh-page")
    path = Path(str(screenshot(clerk.page, "settle-books-dazu-zh-section")))
    clerk.page.locator("#books").screenshot(path=str(path))
    text = clerk.open(f"/instances/{flow.id}?lang=en", "Project books", "Audit of fund use")
    assert "审计" not in clerk.page.inner_text("#books") and "Issuer's final payment after acceptance" in text


def test_003_s13_2_karamay_issuer_records_its_payment_and_the_support_follows(
    roles: Any,
    start: Any,  # noqa: F811
    world: Any,  # noqa: F811
) -> None:
    from tests.lifecycle.test_karamay import TASK_BOOK, at_contract

    flow = at_contract(start, "enterprise_posed")
    milestones = [{"title": "中试", "due_date": "2027-06-30", "indicators": "中试线", "tranche_pct": 30}]
    flow.do("sign_contract", {"period_months": 24, "milestones": milestones, **TASK_BOOK})
    flow.do("issuer_payment", {"issuer_paid_fen": "3,000,000", "payment_proof": PDF})
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 120_000_000  # 30 % of 4,000,000
    flow.at("2027-07-01T09:00:00+08:00")
    flow.do("milestone_check", {"milestone_passed": "yes", "milestone_opinion": "达标"})
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 120_000_000  # waits for the issuer
    fast_passwords(world, "issuer_karamay", "bureau_karamay")
    issuer = roles("issuer_karamay")
    issuer.open(
        f"/tasks/{ready_task_id(flow, 'issuer_progress_payment')}",
        "发榜方登记实施期拨款",
        "10,000,000.00",
        "3,000,000.00",
        "1,200,000.00",
        "003 §13(2)",
    )
    page = issuer.page
    assert "progress_paid_fen" not in page.inner_text("main") and not CODES.search(page.inner_text("main"))
    page.fill("#f-progress_paid_fen", "8,000,000")
    page.set_input_files("#f-progress_payment_proof", files=_pdf("进度款回单.pdf"))
    _submit(issuer)
    error = page.inner_text("#f-progress_paid_fen-error")
    assert "本次至多 7,000,000.00 元" in error and "003 §13(2)" in error
    _shot(issuer, "settle-karamay-progress-refused-zh")
    page.fill("#f-progress_paid_fen", "7,000,000")
    page.set_input_files("#f-progress_payment_proof", files=_pdf("进度款回单.pdf"))
    _shot(issuer, "settle-karamay-progress-payment-zh")
    _submit(issuer)
    issuer.check("已提交")
    flow.s.rollback()
    # 40 % first + 30 % milestone = 70 % of 4,000,000, now that the whole contract is paid
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 280_000_000
    clerk = roles("bureau_karamay")
    clerk.open(
        f"/instances/{flow.id}", "项目账目", "发榜方实施期拨款", "进度款回单.pdf", "按发榜方拨款进度拨付"
    )
    assert clerk.page.inner_text("#books [data-figure=net]").strip() == "2,800,000.00"
    path = screenshot(clerk.page, "settle-books-karamay-zh-section")
    clerk.page.locator("#books").screenshot(path=str(path))


def test_001_s8_8_auditor_states_the_money_used_and_the_termination_recovers_the_rest(
    roles: Any,
    start: Any,  # noqa: F811
    world: Any,  # noqa: F811
) -> None:
    """001 八(八): 项目终止的，应根据财务审计结果，及时将结余资金及用于项目科研以外的财政资金收回 — the commissioned
    auditor (001 十一(一)) states in the browser the fiscal money used; more than the project holds is refused
    beside the field; the recovery is the audited remainder plus the non-research money."""
    from tests.lifecycle.drivers import signed

    flow = signed(start)
    flow.at("2027-03-01T09:00:00+08:00")
    flow.message("termination_request", {"cause": "objective", "reason": "市场变化，技术路线不可行"})
    fast_passwords(world, "third_party_dazu")
    auditor = roles("third_party_dazu")
    auditor.open(
        f"/tasks/{ready_task_id(flow, 'audit')}",
        "终止审计与责任认定",
        "审计确认已使用的财政资金",
        "450,000.00",
        "客观原因无法继续实施",  # the cause by its label, not "objective"
        "请上传审计报告（PDF）：项目终止须根据财务审计结果清算、收回资金。（依据：001 八(八)）",  # before submit
    )
    page = auditor.page
    # the auditor types no code: the row of the project's solver is there, named
    solver = page.locator("#f-audit_unspent-0-solver")
    assert solver.input_value() == "DAZU-S1"
    named = solver.locator("option:checked").inner_text()
    assert named and "DAZU-" not in named, named
    page.fill("#f-audit_unspent-0-used_fen", "500,000")
    page.fill("#f-audit_unspent-0-non_research_fen", "50,000")
    page.fill("#f-liability", "客观原因，无主观过错")
    _submit(auditor)
    assert "450,000.00" in page.inner_text("#f-audit_unspent-error")
    # 001 八(八): 根据财务审计结果 — a Dazu termination's audit report is required, said beside the field
    assert "请上传审计报告" in page.inner_text("#f-audit_report-error")
    _shot(auditor, "settle-termination-audit-refused-zh")
    page.set_input_files("#f-audit_report", files=_pdf("终止审计报告.pdf"))
    page.fill("#f-audit_unspent-0-used_fen", "300,000")
    _submit(auditor)
    auditor.check("已提交")
    flow.s.rollback()
    flow.do("decide", {"termination_decision": "approve"})
    flow.do("gov_consent", {"consent_decision": "approve", "consent_opinion": "同意"})
    assert ledger.balance(flow.s, flow.key)["recovered_fen"] == 20_000_000  # 450,000 − 300,000 + 50,000
