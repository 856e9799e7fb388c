"""Real Chromium, as the process owner: change one Dazu policy value in the DMN editor, deploy, see that only
the Dazu process got a new version (the heading names it and the new deployment, also after a reload), open
the diff of the two versions; deploy from the old base, see what would be overwritten (processes by name),
confirm, and see the changed element highlighted in the diff."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from engine.models.deployment import Deployment, ProcessVersion
from engine.models.instance import ProcessInstance
from engine.users import add_user
from tests.browser.conftest import PASSWORD, copy_for_readme, screenshot

pytestmark = pytest.mark.browser

DAZU = "bpmn/dazu/policy_dazu.dmn"
DIAGRAM = "bpmn/dazu/dazu_challenge.bpmn"


def _open_modeler(owner: Any, version_id: int) -> Any:
    owner.open(f"/modeler/versions/{version_id}", wait_for="#canvas-bpmn[data-import=ok]")
    page = owner.page
    page.wait_for_function("() => window.jbModeler && jbModeler.current()")
    return page


def test_owner_changes_a_dazu_policy_value_and_compares_versions(
    roles, demo_data: Any, db_session: Session
) -> None:  # type: ignore[no-untyped-def]
    v1 = db_session.scalar(
        select(ProcessVersion.id).where(
            ProcessVersion.process_key == "dazu_challenge", ProcessVersion.version == 1
        )
    )
    owner = roles("owner")
    page = _open_modeler(owner, v1)

    # the policy table: one parameter per row, its Chinese name, value, unit and source
    page.select_option("#file-select", "bpmn/dazu/policy_dazu.dmn")
    cell = page.locator('[data-element-id="p_publicity_length__value"]')
    cell.wait_for()
    owner.check("公示期长度", "公示期单位", "财政资助比例", "001 八(五)", "名称", "取值", "单位", "依据")
    cell.scroll_into_view_if_needed()
    copy_for_readme(screenshot(page, "versions-policy-table", full_page=False), "versions-policy-table")
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("6")
    page.keyboard.press("Escape")
    assert page.evaluate("jbModeler.getXML()").count("<text>6</text>") >= 1

    # deploy: only the Dazu process gets a new version; the others are listed as unchanged
    page.fill("#deploy-note", "大足公示期改为 6 个工作日")
    page.click("#btn-deploy")
    page.wait_for_selector("body[data-deployed=ok]", state="attached")
    created = page.locator("#deploy-new-versions .jb-deployed-item")
    # the Dazu processes reading Dazu's policy table: the annual call and the challenge
    assert [created.nth(i).get_attribute("data-process") for i in range(created.count())] == [
        "dazu_call",
        "dazu_challenge",
    ]
    kept = page.locator("#deploy-unchanged .jb-kept-item")
    unchanged = {
        kept.nth(i).get_attribute("data-process"): kept.nth(i).get_attribute("data-version")
        for i in range(kept.count())
    }
    assert unchanged["karamay_challenge"] == "1" and unchanged["expert_review"] == "1"
    owner.check("新版本：", "大足区揭榜挂帅项目 v2", "未变（保留现有版本）：")
    copy_for_readme(screenshot(page, "versions-deployed"), "versions-deployed")

    # the heading names what the page now edits: v2 of the new deployment, the same after a reload
    db_session.rollback()  # read what the server stored since
    deployment = db_session.scalar(select(func.max(Deployment.id)))
    assert deployment is not None and deployment > 1
    v2 = db_session.scalar(
        select(ProcessVersion.id).where(
            ProcessVersion.process_key == "dazu_challenge", ProcessVersion.version == 2
        )
    )
    heading = page.inner_text("#modeler-heading")
    assert "大足区揭榜挂帅项目 v2" in heading and f"部署 #{deployment}" in heading, heading
    assert "v1" not in heading and "部署 #1 " not in heading + " "
    assert page.url.endswith(f"/modeler/versions/{v2}")
    compare = page.get_attribute("#deploy-new-versions a.jb-compare", "href")
    page = _open_modeler(owner, v2)
    assert page.inner_text("#modeler-heading") == heading
    screenshot(page, "versions-heading-after-deploy")

    # the diff of v1 and v2: the policy value, old → new; the diagrams do not differ
    page.goto(owner.base + compare)
    page.wait_for_selector("body[data-diff=ready]", state="attached")
    owner.check("版本对比", "公示期长度", "流程图没有差异。", DAZU)
    cells = page.locator('#policy-changes tr[data-parameter="publicity_length"] td').all_inner_texts()
    assert cells == ["公示期长度", "5", "6"]
    assert page.locator("#policy-changes tbody tr").count() == 1

    # the old page (v1) again: renaming a task there would revert Dazu's v2 — refused until confirmed
    page = _open_modeler(owner, v1)
    assert page.evaluate("jbModeler.current()") == DIAGRAM
    page.evaluate(
        """() => {
            const el = jbModeler.bpmn.get('elementRegistry').get('stage_needs');
            jbModeler.bpmn.get('modeling').updateLabel(el, '征集需求并发布榜单');
        }"""
    )
    page.click("#btn-deploy")
    page.wait_for_selector("body[data-deployed=stale]", state="attached")
    # the processes deployed since, by name (the key only as a tooltip)
    stale = owner.check("大足区揭榜挂帅项目 v2", DAZU, "仍然部署并覆盖")
    assert "dazu_challenge" not in page.inner_text("#stale-base ul"), stale
    assert page.get_attribute('#stale-base li[data-process="dazu_challenge"]', "title") == "dazu_challenge"
    copy_for_readme(screenshot(page, "versions-stale-base"), "versions-stale-base")
    assert (
        db_session.scalar(
            select(ProcessVersion.id).where(
                ProcessVersion.process_key == "dazu_challenge", ProcessVersion.version == 3
            )
        )
        is None
    )
    page.click("#btn-overwrite")
    page.wait_for_selector("body[data-deployed=ok]", state="attached")
    owner.check("大足区揭榜挂帅项目 v3")

    # v2 → v3: the renamed task is marked changed in both diagrams; the policy value goes back to 5
    owner.open("/versions/dazu_challenge/diff?old=2&new=3", wait_for="body[data-diff=ready]")
    assert page.locator("#canvas-new .djs-element.jb-diff-changed[data-element-id=stage_needs]").count() == 1
    assert page.locator("#canvas-old .djs-element.jb-diff-changed[data-element-id=stage_needs]").count() == 1
    assert page.locator('#element-changes li[data-element="stage_needs"][data-change="changed"]').count() == 1
    cells = page.locator('#policy-changes tr[data-parameter="publicity_length"] td').all_inner_texts()
    assert cells == ["公示期长度", "6", "5"]
    copy_for_readme(screenshot(page, "versions-diff"), "versions-diff")

    # the version list links each version to the comparison with the one before
    owner.open("/modeler/", "与 v2 对比", "与 v1 对比", shot="versions-list")
    page.click('a.compare-version[data-process="dazu_challenge"][data-version="3"]')
    page.wait_for_selector("body[data-diff=ready]", state="attached")
    assert "/versions/dazu_challenge/diff?old=2&new=3" in page.url

    # the bureau previews moving a running Dazu instance to v2: the policy value change, in Chinese
    add_user(
        db_session,
        "bureau_dazu",
        roles=[],
        password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
    )
    db_session.commit()
    instance = db_session.scalar(
        select(ProcessInstance.id).where(ProcessInstance.business_key == "DAZU-2026-001")
    )
    bureau = roles("bureau_dazu")
    bureau.open(
        f"/monitor/instances/{instance}/migrate?version=2", "迁移预览", "可以安全迁移。", "政策参数的变化"
    )
    cells = bureau.page.locator('.jb-plan-policy tr[data-parameter="publicity_length"] td').all_inner_texts()
    assert cells == ["公示期长度", "5", "6"]
    copy_for_readme(screenshot(bureau.page, "versions-migration-preview"), "versions-migration-preview")
