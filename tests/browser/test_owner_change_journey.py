"""Real Chromium, the process owner's whole change (issue 10, "done means"): in Dazu's approval-and-publicity
stage (bpmn/dazu/stages/dazu_approval.bpmn) the owner renames the district's approval task in the properties
panel, relabels a field of its form in the form editor, lengthens Dazu's publicity in the policy table
(001 八(五): 5 working days → 6) and deploys. Only the processes using a changed file get new versions; a
Dazu challenge waiting at the approval before the deploy stays on its version (old task name, old label, a
5-working-day publicity), one started after runs the change (new name in the approver's queue, new label,
a 6-working-day publicity on the public portal).

Instances are moved to the approval with the engine (the lifecycle drivers); editing, deploying and every
check are done in the browser, as the owner, the district approver, the bureau and the public see them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from engine import instances
from engine.calendar import WorkCalendar
from engine.clock import SHANGHAI, get_clock
from engine.models.deployment import ProcessVersion
from engine.users import add_user
from tests.browser.conftest import PASSWORD, screenshot
from tests.lifecycle.conftest import Flow, application, need, panel, score_all
from tests.lifecycle.drivers import LIST_APPROVED, NEED_PANEL, REVIEW

pytestmark = pytest.mark.browser

STAGE = "bpmn/dazu/stages/dazu_approval.bpmn"
FORM = "bpmn/shared/forms/approve_form.form.json"
POLICY = "bpmn/dazu/policy_dazu.dmn"
OLD_TASK, NEW_TASK = "审定立项", "区政府审定立项"
OLD_LABEL, NEW_LABEL = "意见", "审定意见"

#: the processes using one of the three changed files: the approval stages (the shared form), the
#: challenges calling them, and Dazu's annual call (Dazu's policy table)
CHANGED = [
    "dazu_approval",
    "dazu_call",
    "dazu_challenge",
    "karamay_approval",
    "karamay_challenge",
    "urumqi_approval",
    "urumqi_challenge",
    "zhangye_approval",
    "zhangye_challenge",
]


def _shot(page: Any, name: str, *, full_page: bool = False) -> None:
    screenshot(page, f"owner-change-{name}", full_page=full_page)


def _at_approval(session: Session, key: str) -> Flow:
    """A Dazu challenge driven by the engine to the district's approval (the lifecycle of test_dazu)."""
    inst = instances.start_instance(
        session,
        "dazu_challenge",
        business_key=key,
        data={
            "jurisdiction": "dazu",
            "title": "高纯硅提纯关键技术",
            "issuer_code": "DAZU-ISS",
            "project_code": key,
            "notice_call_closes": "2026-12-31T18:00:00+08:00",
        },
        actor="bureau_dazu",
    )
    flow = Flow(session, None, "dazu", inst.id, key)
    today = get_clock(session).now().astimezone(SHANGHAI).date().isoformat()
    flow.do("post_need", need())
    flow.do("form_need_panel", panel(NEED_PANEL))  # 001 八(二): the need-selection panel
    flow.do("need_review", REVIEW)
    flow.do("municipal_check", {"taken_municipal": "no"})
    flow.do("list_review", LIST_APPROVED)  # 001 八(二): the district government approves the list
    flow.do("publish_list", {"list_published_on": today})
    flow.do("collect_applications", {"applications": [application("DAZU-S1", "DAZU-P1")]})
    flow.do("form_panel", panel(["e1", "e2", "e3", "e4", "e5"]))
    score_all(flow, {"DAZU-S1": 88})
    flow.do(
        "select",
        {
            "mode": "single",
            "selected": "DAZU-S1",
            "contract_fen": "3,000,000",
            "fiscal_support_fen": "900,000",
            "selection_reason": "唯一",
        },
    )
    assert flow.ready() == ["approve"]
    return flow


def _versions(session: Session) -> dict[str, int]:
    session.rollback()  # a fresh read: the pages deploy through the app
    rows = session.execute(select(ProcessVersion.process_key, ProcessVersion.version)).all()
    newest: dict[str, int] = {}
    for key, version in rows:
        newest[key] = max(version, newest.get(key, 0))
    return newest


def _approve(approver: Any, key: str, task_name: str, label: str) -> None:
    """The approver opens the case's task from the work queue: its name and form as the case's version has
    them; approves."""
    approver.open("/tasks", task_name)
    row = approver.page.locator("tr", has_text=key)
    assert row.count() == 1, approver.page.inner_text("main")
    link = row.locator("a", has_text=task_name)
    assert link.count() == 1, row.inner_text()
    link.click()
    approver.page.wait_for_load_state("networkidle")
    assert approver.page.inner_text("h1").strip() == task_name
    field = approver.page.locator('[data-jb-field="approval_opinion"] label')
    assert field.inner_text().strip().rstrip("*") == label


def _submit_approval(approver: Any) -> None:
    page = approver.page
    page.select_option('[data-jb-field="approval"] select', "approve")
    page.fill('[data-jb-field="approval_opinion"] textarea', "同意立项")
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/tasks"), page.inner_text("main")  # done: back to the queue


def _publicity_end(public: Any, key: str) -> datetime:
    public.open(f"/portal/notices/{key}", "公示截止")
    return datetime.fromisoformat(public.page.get_attribute(".notice-page time", "datetime"))


def test_owner_changes_the_dazu_approval_stage_and_only_new_cases_run_it(
    roles: Any, demo_data: Any, db_session: Session
) -> None:
    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    for name in ("approver_dazu", "bureau_dazu"):
        add_user(db_session, name, roles=[], password_hash=fast)
    for name in ("e1", "e2", "e3", "e4", "e5"):  # the panel of the lifecycle drivers
        add_user(db_session, name, roles=["expert"])
    db_session.commit()
    before = _versions(db_session)
    old = _at_approval(db_session, "DAZU-OLD")
    stage_v1 = db_session.scalar(
        select(ProcessVersion.id).where(
            ProcessVersion.process_key == "dazu_approval", ProcessVersion.version == 1
        )
    )

    # 1. the stage diagram in the modeler: rename the approval task in the properties panel
    owner = roles("owner")
    owner.open(f"/modeler/versions/{stage_v1}", wait_for="#canvas-bpmn[data-import=ok]")
    page = owner.page
    page.wait_for_function("() => window.jbModeler && jbModeler.current()")
    assert page.evaluate("jbModeler.current()") == STAGE
    page.wait_for_selector(".bio-properties-panel-container", state="attached")
    _shot(page, "1-stage-opened")
    page.click('.djs-element[data-element-id="approve"]')
    name = page.locator("#bio-properties-panel-name")
    name.wait_for(state="attached")
    if not name.is_visible():  # the panel's "general" group, where the name is, opens on a click
        page.click('[data-group-id="group-general"] .bio-properties-panel-group-header')
    name.wait_for()
    assert name.input_value() == OLD_TASK
    name.fill(NEW_TASK)
    name.press("Tab")
    page.wait_for_function(
        "n => jbModeler.bpmn.get('elementRegistry').get('approve').businessObject.name === n", arg=NEW_TASK
    )
    _shot(page, "2-task-renamed")

    # 2. the task's form in the form editor: the opinion field gets a clearer label
    page.select_option("#file-select", FORM)
    page.wait_for_selector("#form-editor[data-preview=ok]", state="attached")
    field = page.locator('#form-editor .jb-fe-field[data-name="approval_opinion"]')
    assert field.locator('[data-prop="label-zh"]').input_value() == OLD_LABEL
    field.locator('[data-prop="label-zh"]').fill(NEW_LABEL)
    page.wait_for_function(
        "t => document.querySelector('#form-editor [data-fe=preview]').textContent.includes(t)", arg=NEW_LABEL
    )
    assert page.get_attribute("#form-editor", "data-preview") == "ok"
    assert field.locator("legend").inner_text() == f"4. {NEW_LABEL}"  # the field's heading follows its label
    field.scroll_into_view_if_needed()
    _shot(page, "3-form-edited")

    # 3. Dazu's policy table: the publicity length, 5 → 6 working days; deploy as a new version
    page.select_option("#file-select", POLICY)
    cell = page.locator('[data-element-id="p_publicity_length__value"]')
    cell.wait_for()
    owner.check("公示期长度", "001 八(五)", "命中策略：", "条件", "结果", "查看决策关系图")
    assert cell.inner_text().strip() == "5"
    cell.scroll_into_view_if_needed()
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("6")
    page.keyboard.press("Escape")
    _shot(page, "4-policy-edited")
    page.fill("#deploy-note", "审定任务改名，意见栏改为审定意见，大足公示期改为 6 个工作日")
    page.click("#btn-deploy")
    page.wait_for_selector("body[data-deployed]", state="attached")
    assert page.get_attribute("body", "data-deployed") == "ok", page.inner_text("#result")
    created = page.locator("#deploy-new-versions .jb-deployed-item")
    assert sorted(created.nth(i).get_attribute("data-process") for i in range(created.count())) == CHANGED
    # by their names, in Chinese; the unchanged ones counted, listed on request
    owner.check("新版本：", "大足·审定立项与公示 v2", "大足区揭榜挂帅项目 v2", "未变（保留现有版本）：")
    kept = page.locator("#deploy-unchanged .jb-kept-item")
    unchanged = {
        kept.nth(i).get_attribute("data-process"): kept.nth(i).get_attribute("data-version")
        for i in range(kept.count())
    }
    assert f"{len(unchanged)} 个流程" in page.inner_text("#deploy-unchanged summary")
    assert (
        unchanged["dazu_needs"] == "1" and unchanged["publicity"] == "1" and not set(unchanged) & set(CHANGED)
    )
    page.click("#deploy-unchanged summary")
    owner.check("大足·需求征集与发榜 v1", "公示 v1")
    _shot(page, "5-deployed", full_page=True)

    # 4. only the affected processes have new versions: the owner's list of deployed processes
    after = _versions(db_session)
    assert {k for k in after if after[k] != before[k]} == set(CHANGED)
    assert all(after[k] == before[k] + 1 for k in CHANGED)
    owner.open("/modeler/", "已部署流程", "部署历史")
    places = page.locator("table.jb-versions caption").all_inner_texts()
    assert {"大足", "各地共用", "演示"} <= set(places), places  # each group by its Chinese name
    for key, version in after.items():
        newest = page.locator(f'a.open-version[data-process="{key}"]').first
        assert newest.get_attribute("data-version") == str(version), key
    assert page.locator('a.compare-version[data-process="dazu_needs"]').count() == 0
    assert page.locator('a.compare-version[data-process="dazu_approval"][data-version="2"]').count() == 1
    _shot(page, "6-versions-list", full_page=True)

    # 5. a case started after the deploy runs the new version up to the same approval
    new = _at_approval(db_session, "DAZU-NEW")
    bureau = roles("bureau_dazu")
    bureau.open(f"/monitor/instances/{old.id}", "DAZU-OLD", "v1（最新为 v2）")
    _shot(bureau.page, "7-old-case-on-v1")
    text = bureau.open(f"/monitor/instances/{new.id}", "DAZU-NEW", "v2")
    assert "最新为" not in text

    # the approver's queue: the old case under the old name with the old label, the new case renamed
    approver = roles("approver_dazu")
    _approve(approver, "DAZU-OLD", OLD_TASK, OLD_LABEL)
    _shot(approver.page, "8-old-case-task")
    _submit_approval(approver)
    _approve(approver, "DAZU-NEW", NEW_TASK, NEW_LABEL)
    _shot(approver.page, "9-new-case-task")
    _submit_approval(approver)
    approver.open("/tasks")
    _shot(approver.page, "10-queue-after")

    # the publicity each case opened: 5 working days for the old case, 6 for the new (001 八(五))
    public = roles(None)
    old_end = _publicity_end(public, "DAZU-OLD")
    _shot(public.page, "11-old-notice")
    new_end = _publicity_end(public, "DAZU-NEW")
    _shot(public.page, "12-new-notice")
    calendar = WorkCalendar.load(db_session)
    start = get_clock(db_session).now().astimezone(SHANGHAI)
    assert old_end == calendar.window_end_datetime(start, 5, "working_days")
    assert new_end == calendar.window_end_datetime(start, 6, "working_days")
    assert new_end > old_end
