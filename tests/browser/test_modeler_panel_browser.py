"""Real Chromium, as the process owner: in Dazu's challenge diagram the properties panel (in Chinese) changes
a user task's form; lint while drawing marks the task when its form is removed and clears the mark when one
is chosen again; the form editor changes a field's label with a live preview from the server's renderer and
shows the deployment's form checks beside the field; one deployment takes both changes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models.deployment import DeploymentFile, ProcessVersion
from tests.browser.conftest import copy_for_readme, screenshot

pytestmark = pytest.mark.browser

FORM_FILE = "bpmn/shared/forms/need_post.form.json"
FORM_SELECT = "#bio-properties-panel-jb-formKey"


def _form_key(page: Any, element: str) -> str | None:
    return page.evaluate(
        """id => {
            const bo = jbModeler.bpmn.get('elementRegistry').get(id).businessObject;
            const ext = bo.extensionElements;
            const props = ext ? ext.values.filter(v => v.$type === 'spiffworkflow:Properties') : [];
            const found = props.flatMap(p => p.values || []).find(p => p.name === 'formKey');
            return found ? found.value : null;
        }""",
        element,
    )


def _lint_messages(page: Any, element: str) -> str:
    selector = f'.djs-overlays[data-container-id="{element}"] .bjsl-overlay'
    if not page.query_selector(selector):
        return ""
    return page.eval_on_selector(selector, "e => e.textContent")


def _open_dazu(owner: Any, db_session: Session) -> Any:
    """Dazu's first stage, needs and list (bpmn/dazu/stages/dazu_needs.bpmn), where the issuer posts the need."""
    pv = db_session.scalar(
        select(ProcessVersion).where(ProcessVersion.process_key == "dazu_needs", ProcessVersion.version == 1)
    )
    assert pv is not None
    owner.open(f"/modeler/versions/{pv.id}", wait_for="#canvas-bpmn[data-import=ok]")
    page = owner.page
    page.wait_for_selector(".bio-properties-panel-container", state="attached")
    return page


def test_owner_sets_a_form_sees_lint_edits_a_form_and_deploys(
    roles: Any, demo_data: Any, db_session: Session
) -> None:
    owner = roles("owner")
    page = _open_dazu(owner, db_session)
    # no problem on the shipped task to begin with
    page.wait_for_selector(".bjsl-button", state="attached")
    assert _lint_messages(page, "post_need") == ""

    # the properties panel, in Chinese: the task's form is a select of the bundle's forms
    page.evaluate(
        """() => { const r = jbModeler.bpmn.get('elementRegistry');
                   jbModeler.bpmn.get('canvas').scrollToElement(r.get('post_need'), { top: 300, left: 300 }); }"""
    )
    page.click('.djs-element[data-element-id="post_need"]')
    page.wait_for_selector(FORM_SELECT)
    panel = page.inner_text("#properties-panel")
    assert "表单" in panel and "常规" in panel, panel
    assert "Form" not in panel.replace("form.json", "")
    assert page.eval_on_selector(FORM_SELECT, "s => s.value") == "need_post"
    options = page.eval_on_selector_all(f"{FORM_SELECT} option", "os => os.map(o => o.value)")
    assert "need_review" in options and "" in options

    # removing the form: lint marks the task, with its Chinese name and a Chinese message
    page.select_option(FORM_SELECT, "")
    page.evaluate(
        """() => { const c = jbModeler.bpmn.get('canvas'); c.zoom(1.0);
                   c.scrollToElement(jbModeler.bpmn.get('elementRegistry').get('post_need'), { top: 200, left: 250 }); }"""
    )
    page.wait_for_selector('.djs-overlays[data-container-id="post_need"] .bjsl-overlay', state="attached")
    message = _lint_messages(page, "post_need")
    assert "填报需求" in message and "用户任务没有表单" in message, message
    page.hover('.djs-overlays[data-container-id="post_need"] .bjsl-overlay')
    shot = screenshot(page, "modeler-lint", full_page=False)
    copy_for_readme(shot, "modeler-lint")

    # a form the bundle does not hold (as in an imported diagram) is a problem too
    page.evaluate(
        """() => { const m = jbModeler.bpmn; const el = m.get('elementRegistry').get('post_need');
                   const p = m.get('moddle').create('spiffworkflow:Property', { name: 'formKey', value: 'no_such_form' });
                   const props = m.get('moddle').create('spiffworkflow:Properties', { values: [p] });
                   const ext = m.get('moddle').create('bpmn:ExtensionElements', { values: [props] });
                   m.get('modeling').updateProperties(el, { extensionElements: ext }); }"""
    )
    page.wait_for_function(
        """() => (document.querySelector('.djs-overlays[data-container-id="post_need"] .bjsl-overlay') || {})
                 .textContent?.includes('no_such_form')"""
    )
    assert "不在部署包中" in _lint_messages(page, "post_need")

    # choosing another form clears the problem
    page.select_option(FORM_SELECT, "need_review")
    page.wait_for_function(
        """() => !document.querySelector('.djs-overlays[data-container-id="post_need"] .bjsl-overlay')"""
    )
    assert _form_key(page, "post_need") == "need_review"
    shot = screenshot(page, "modeler-properties-panel", full_page=False)
    copy_for_readme(shot, "modeler-properties-panel")

    # a timer: its expression, with the working-day helper explained (the applications stage)
    page.evaluate("n => jbModeler.open(n)", "bpmn/dazu/stages/dazu_applications.bpmn")
    page.evaluate(
        """() => { const m = jbModeler.bpmn; const el = m.get('elementRegistry').get('window_closes');
                   m.get('canvas').scrollToElement(el, { top: 200, left: 250 }); m.get('selection').select(el); }"""
    )
    page.wait_for_selector("#bio-properties-panel-jb-timer")
    assert page.eval_on_selector("#bio-properties-panel-jb-timer", "e => e.value") == "application_end"
    assert "working_days" in page.inner_text("#properties-panel") and "工作日" in page.inner_text(
        "#properties-panel"
    )
    screenshot(page, "modeler-timer", full_page=False)

    # the files: one select grouped by jurisdiction and kind, forms included
    groups = page.eval_on_selector_all("#file-select optgroup", "gs => gs.map(g => g.label)")
    assert "大足 · 流程图" in groups and "各地共用 · 表单" in groups, groups

    # the form editor: change the first field's Chinese label, the preview follows
    page.select_option("#file-select", FORM_FILE)
    page.wait_for_selector("#form-editor[data-preview=ok]", state="attached")
    first = '#form-editor .jb-fe-field[data-field="0"]'
    page.fill(f'{first} [data-prop="label-zh"]', "")
    page.wait_for_selector(f"{first} .jb-fe-error:not([hidden])")
    assert "label" in page.inner_text(f"{first} .jb-fe-error") or "标签" in page.inner_text(
        f"{first} .jb-fe-error"
    )
    assert page.get_attribute("#form-editor", "data-preview") == "problems"
    page.fill(f'{first} [data-prop="label-zh"]', "需求名称（简短）")
    page.wait_for_function(
        """() => document.querySelector('#form-editor [data-fe=preview]').textContent.includes('需求名称（简短）')"""
    )
    assert page.get_attribute("#form-editor", "data-preview") == "ok"
    assert page.is_hidden(f"{first} .jb-fe-error")
    # move the second field up, then add a field and remove it again
    page.click('#form-editor .jb-fe-field[data-field="1"] [data-action="up"]')
    assert page.get_attribute('#form-editor .jb-fe-field[data-field="0"]', "data-name") == "category"
    page.click('#form-editor .jb-fe-field[data-field="0"] [data-action="down"]')
    assert page.get_attribute('#form-editor .jb-fe-field[data-field="0"]', "data-name") == "need_title"
    shot = screenshot(page, "modeler-form-editor", full_page=False)
    copy_for_readme(shot, "modeler-form-editor")

    # deploy: the diagram's new form and the edited form go out together
    page.fill("#deploy-note", "改用评审表单，缩短需求名称标签")
    page.click("#btn-deploy")
    page.wait_for_selector("body[data-deployed]", state="attached")
    assert page.get_attribute("body", "data-deployed") == "ok", page.inner_text("#result")
    db_session.rollback()
    new = db_session.scalar(
        select(ProcessVersion).where(ProcessVersion.process_key == "dazu_needs", ProcessVersion.version == 2)
    )
    assert new is not None
    spec = json.loads(new.spec_json)["spec"]["task_specs"]
    assert spec["post_need"]["extensions"]["properties"]["formKey"] == "need_review"
    form = db_session.scalar(
        select(DeploymentFile).where(
            DeploymentFile.deployment_id == new.deployment_id, DeploymentFile.name == FORM_FILE
        )
    )
    assert form is not None
    fields = json.loads(form.content)["fields"]
    assert fields[0]["label"] == {"zh": "需求名称（简短）", "en": "Title"}
    assert [f["name"] for f in fields[:2]] == ["need_title", "category"]


def test_panel_lint_and_form_editor_speak_english_in_the_english_ui(
    roles: Any, demo_data: Any, db_session: Session
) -> None:
    owner = roles("owner")
    owner.page.click("header form button[lang=en]")
    owner.page.wait_for_load_state("networkidle")
    page = _open_dazu(owner, db_session)
    page.evaluate(
        """() => { const m = jbModeler.bpmn; const el = m.get('elementRegistry').get('post_need');
                   m.get('canvas').scrollToElement(el); m.get('selection').select(el); }"""
    )
    page.wait_for_selector(FORM_SELECT)
    panel = page.inner_text("#properties-panel")
    assert "Form" in panel and "General" in panel and "USER TASK" in panel.upper(), panel
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in panel.replace("填报需求", "")), panel
    page.select_option(FORM_SELECT, "")
    page.wait_for_selector('.djs-overlays[data-container-id="post_need"] .bjsl-overlay', state="attached")
    assert "the user task has no form" in _lint_messages(page, "post_need")
    page.select_option("#file-select", FORM_FILE)
    page.wait_for_selector("#form-editor[data-preview=ok]", state="attached")
    editor = page.inner_text("#form-editor")
    assert "Chinese label" in editor and "Preview" in editor and "The form is valid." in editor
    assert "Add field" in editor
    screenshot(page, "modeler-form-editor-en", full_page=False)
