"""The bureau reads a project's books on the instance page (issue 11: the ledger as the bureau's books): per
party what the plan was, what was paid, recovered and is still owed, then who paid whom, why, against which
condition and under which rule — names instead of codes, money in 元, one language at a time. Dazu: the city's
money goes to the issuer (需求单位, 001 十(二)), which pays the solver; after acceptance the issuer pays the solver
the rest of the contract with its proof, and only then does the district pay its second half."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import fast_passwords, screenshot
from tests.lifecycle.conftest import start, world  # noqa: F401 (fixtures)
from tests.lifecycle.drivers import dazu_settlement, implementing, pass_acceptance


def _section(page: Any, name: str) -> Path:
    """The books section alone, as the clerk reads it."""
    path = screenshot(page, name)
    page.locator("#books").screenshot(path=str(path))
    return path


def test_001_s10_2_bureau_reads_the_settled_books_of_a_dazu_project(roles: Any, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    # 001 八(六): Dazu's integrity pledge is signed with the task book; 001 八(八): the acceptance panel has at
    # least 5 members, an odd number
    flow = pass_acceptance(implementing(start, "dazu", prepayment_proof="转账回单.pdf"))
    dazu_settlement(flow)  # 001 十一(一) the audit; 001 十(二) the issuer pays the rest, then the fiscal rest
    fast_passwords(world, "bureau_dazu")
    clerk = roles("bureau_dazu")
    text = clerk.open(f"/instances/{flow.id}", "项目账目", "已结算", "账目平衡", "资金流水")
    books = clerk.page.inner_text("#books")
    assert "DAZU-ISS" not in books and "DAZU-S1" not in books and "bureau" not in books  # names, never codes
    # plan, the issuer's prepayment, its final payment after acceptance (001 十(二)), the contract paid in all
    assert "900,000.00" in books and "1,200,000.00" in books and "1,800,000.00" in books
    assert "3,000,000.00" in books
    assert "转账回单.pdf" in books and "001 十(二)" in books and "发榜方上传付款凭证" in books
    issuer_row = clerk.page.inner_text("#books tr[data-party-role=issuer]")
    assert "900,000.00" in issuer_row  # the whole fiscal support went to the issuer (需求单位)
    solver_row = clerk.page.inner_text("#books tr[data-party-role=solver]")
    assert "3,000,000.00" in solver_row  # the whole contract paid by the issuer after acceptance
    assert clerk.page.inner_text("#books [data-figure=issuer-owed]").strip() == "0.00"
    assert clerk.page.get_attribute("#books", "data-balanced") == "yes"
    assert "Project books" not in text
    screenshot(clerk.page, "books-dazu-zh")
    _section(clerk.page, "books-dazu-zh-section")
    text = clerk.open(f"/instances/{flow.id}?lang=en", "Project books", "Settled", "The books balance")
    books = clerk.page.inner_text("#books")
    assert (
        "项目账目" not in books
        and "发榜方上传付款凭证" not in books
        and "the issuer uploaded its proof" in books
    )
    screenshot(clerk.page, "books-dazu-en")
    _section(clerk.page, "books-dazu-en-section")
