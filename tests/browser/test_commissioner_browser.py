"""The Zhangye bureau clerk, in Chromium and in Chinese, picks the task book's 驻企特派员 by name from the staff of
the jurisdiction's bureau and counties' offices (004 五(一): 由项目所在县区指定专人担任), never types one: a forged
choice of an enterprise's researcher comes back beside the field with the rule; the case record names the person
in Chinese and in English; a case of the version before the picker shows its typed name as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from werkzeug.security import generate_password_hash

from engine.bundle import collect_paths
from engine.deploy import deploy_bundle
from engine.models.user import User
from tests.browser.conftest import PASSWORD
from tests.browser.journey import Journey, ready_task_id, refused, submit
from tests.lifecycle.conftest import BPMN, start, world  # noqa: F401 (fixtures)
from tests.lifecycle.test_commissioner import BOOK, ZHANGYE_STAFF, at_contract, text_commissioner_bundle

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[3] / "notes" / "shots" / "people"
J = Journey("people-commissioner", "zhangye", also=SHOTS if SHOTS.parent.is_dir() else None)


def _fast_passwords(session: Any) -> None:
    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    session.execute(update(User).values(password_hash=fast))
    session.commit()


def _record_value(text: str, label: str) -> str:
    """The value the case record shows under ``label``."""
    rows = text.splitlines()
    return rows[rows.index(label) + 1]


def test_the_bureau_picks_the_commissioner_by_name(roles: Any, start, world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _fast_passwords(world)
    # a case of the version before the picker: its clerk typed the commissioner's name
    deploy_bundle(world, collect_paths([text_commissioner_bundle(tmp_path)]))
    old = at_contract(start)
    deploy_bundle(world, collect_paths([BPMN]))
    old.do("sign_contract", {**BOOK, "commissioner": "特派员甲"})
    flow = at_contract(start)

    bureau = roles("bureau_zhangye")
    bureau.open(f"/tasks/{ready_task_id(flow, 'sign_contract')}", "项目任务书", "驻企特派员")
    help_text = bureau.page.inner_text("form[data-jb-task-form]")
    assert "由项目所在县区指定专人担任驻企特派员" in help_text and "004 五(一)" in help_text
    # the staff of Zhangye's bureau and counties' offices by name and office, nobody else; a select, not a text
    offered = bureau.page.locator("#f-commissioner option").all_inner_texts()
    assert sorted(offered[1:]) == sorted(ZHANGYE_STAFF.values()), offered
    assert bureau.page.get_attribute("#f-commissioner", "data-jb-picker") == "bureau_staff"
    assert "ZHANGYE-G" not in bureau.page.inner_text("main")  # names, never the staff's codes
    J.shot(bureau, "zhangye-bureau-task-book-commissioner")
    bureau.page.fill("#f-period_months", "24")
    bureau.page.fill("#f-ip_ownership", "约定")
    bureau.page.fill("#f-disbursement_plan", "50/50")
    # a forged choice (an enterprise's researcher) is refused beside the field, with the rule
    bureau.page.evaluate(
        """() => { const s = document.querySelector('#f-commissioner');
                   s.add(new Option('伪造', 'ZHANGYE-P1')); s.value = 'ZHANGYE-P1'; }"""
    )
    error = refused(bureau, "commissioner", "张掖研究员1", "004 五(一)", "请从列表中选择")
    assert "不是本辖区科技局或县区党政机关的工作人员" in error, error
    J.shot(bureau, "zhangye-bureau-commissioner-refused")
    bureau.page.select_option("#f-commissioner", "ZHANGYE-G3")
    submit(bureau)
    flow.s.rollback()  # the page wrote through its own connection
    assert flow.data["commissioner"] == "ZHANGYE-G3"

    # the case record names the person, in Chinese and in English; the old case its typed name
    text = bureau.open(f"/instances/{flow.id}", "驻企特派员")
    assert _record_value(text, "驻企特派员") == "陈立华" and "ZHANGYE-G3" not in text
    J.shot(bureau, "zhangye-bureau-record-commissioner")
    text = bureau.open(f"/instances/{old.id}", "驻企特派员")
    assert _record_value(text, "驻企特派员") == "特派员甲"
    J.shot(bureau, "zhangye-bureau-record-old-version")
    text = bureau.open(f"/instances/{flow.id}?lang=en", "Service commissioner")
    assert _record_value(text, "Service commissioner") == "陈立华" and "ZHANGYE-G3" not in text
    J.shot(bureau, "zhangye-bureau-record-commissioner-en")


def test_the_task_book_in_english(roles: Any, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _fast_passwords(world)
    flow = at_contract(start)
    bureau = roles("bureau_zhangye")
    bureau.open(f"/tasks/{ready_task_id(flow, 'sign_contract')}?lang=en", "Service commissioner")
    form = bureau.page.inner_text("form[data-jb-task-form]")
    assert "The county of the project names one of its staff" in form and "004 五(一)" in form, form
    assert "由项目所在县区" not in form
    J.shot(bureau, "zhangye-bureau-task-book-commissioner-en")
