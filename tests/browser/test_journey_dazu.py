"""One whole Dazu 揭榜挂帅 challenge in Chromium, as each person in turn, through the web only (Jiebang issue 12):
the bureau opens the year's call (发起) → a Dazu issuer posts a need into it → the bureau draws the
need-selection panel from the pool and its lead assesses the need (001 八(二)) → the bureau checks the municipal
list → the district government approves the list (001 八(二)) → the bureau publishes it → a solver applies on the portal → the administrator
moves the simulated clock past the closing date → the bureau records the applications and draws the panel at
random → each of the five drawn experts scores in their own browser → the bureau selects (too much fiscal
support refused beside the field with its citation first) → the district government approves → the public
reads the publicity notice → the clock past the publicity window → the bureau signs the task book → the issuer
pays → the clock to the end of the period → the solver requests acceptance → the bureau reviews → the
commissioned auditor audits the fund use → the issuer pays the rest of the contract → the instance is completed.

At every step the person sees their own tasks, a due date in the queue, names (never organisation, person or
variable codes) and the step's result; every step is a screenshot ``journey-dazu-NN-*``."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

import pytest

from engine.deadline_text import last_moment
from tests.browser.conftest import Watched
from tests.browser.journey import (
    PDF,
    SCHEDULES,
    Journey,
    import_calendars,
    open_task,
    queue_row,
    refused,
)
from tests.browser.journey import clock_to_timer as clock_to_deadline
from tests.browser.journey import submit as submit_task
from web.demo import DEMO_EXPERT_NAMES

pytestmark = pytest.mark.browser

NEED_TITLE = "智能网联汽车封闭测试场数字孪生"
#: the demo experts' accounts by name
ACCOUNTS = {
    name: ("expert_dazu" if i == 1 else f"expert_dazu_{i:02d}")
    for i, name in enumerate(DEMO_EXPERT_NAMES["dazu"], start=1)
}
J = Journey("journey-dazu", "dazu")


def no_codes(who: Watched) -> None:
    J.no_codes(who)


def submit(who: Watched, done: str = "已提交") -> str:
    return submit_task(who, done, failed="journey-dazu-failed")


def test_one_dazu_challenge_from_the_call_to_acceptance(roles: Any, people: Any) -> None:
    j = J
    j.n = 0
    # 1 the bureau opens the year's call (发起)
    bureau = roles("bureau_dazu")
    bureau.open("/start", "发起", "发布年度需求征集通知")
    j.shot(bureau, "bureau-start", "01-start")
    bureau.page.click("text=发布年度需求征集通知")
    bureau.page.wait_for_load_state("networkidle")
    bureau.page.fill("#f-notice_call_opens", "2026-09-28T10:00")
    bureau.page.fill("#f-notice_call_closes", "2026-11-30T17:30")
    bureau.page.click("button.primary")
    bureau.page.wait_for_load_state("networkidle")
    bureau.check("已发起", "大足2026年度揭榜挂帅技术需求征集")
    j.shot(bureau, "bureau-call-opened")

    # 2 a Dazu issuer posts a need into the call; it starts a challenge
    issuer = roles("issuer_dazu")
    issuer.open("/start/dazu_challenge", "提交技术需求（揭榜挂帅）", "2026-11-30 17:30 截止")
    assert issuer.page.locator("#f-issuer_code option:checked").inner_text() == "大足硅业股份有限公司"
    issuer.page.fill("#f-title", NEED_TITLE)
    issuer.page.click("button.primary")
    issuer.page.wait_for_load_state("networkidle")
    text = issuer.check("已发起", NEED_TITLE, "填报需求")
    found = re.search(r"已发起：" + NEED_TITLE + r"（(DAZU-2026-\d{3})）", text)
    assert found, text
    key = found.group(1)
    instance = urlparse(issuer.page.url).path
    j.shot(issuer, "issuer-need-started")

    # 3 the issuer fills the need (post_need)
    open_task(issuer, key, "填报需求")
    no_codes(issuer)
    page = issuer.page
    page.fill("#f-need_title", NEED_TITLE)
    page.select_option("#f-category", "breakthrough")
    page.fill("#f-problem", "封闭测试场景难以复现真实道路的极端工况")
    page.fill("#f-indicators", "场景复现误差 ≤ 5%，支持 200 种以上极端工况")
    page.fill("#f-deadline", "2028-12-31")
    page.fill("#f-ip_terms", "发榜方所有")
    page.fill("#f-need_total_fen", "3,000,000")
    page.select_option("#f-scope", "public")
    page.check("#f-issuer_end_user")
    page.check("#f-pledge_unit")
    page.check("#f-pledge_leader")
    page.set_input_files(
        "#f-application_form",
        files=[{"name": "需求申报书.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    j.shot(issuer, "issuer-post-need", "02-post-need")
    submit(issuer)
    j.shot(issuer, "issuer-need-submitted")

    # 4 the bureau draws the need-selection panel from the pool (001 八(二): ≥5, odd); its lead records the
    # panel's assessment
    open_task(bureau, key, "组建需求论证专家组")
    bureau.page.wait_for_url("**/panel")
    bureau.check("政策要求", "专家组不少于 5 人，且人数为奇数。", "001 八(二)")
    bureau.page.fill("#draw-size", "5")
    bureau.page.click("button:has-text('随机抽取')")
    bureau.check("已随机抽取专家组", "专家组成员")
    no_codes(bureau)
    need_panel = [
        row.locator("td").first.inner_text().strip()
        for row in bureau.page.locator("[data-jb-members] tbody tr").all()
    ]
    assert len(need_panel) == 5, need_panel
    j.shot(bureau, "bureau-need-panel-drawn")
    bureau.page.click("button:has-text('确认专家组并提交')")
    bureau.page.wait_for_url("**/tasks")
    bureau.check("已提交")
    expert = roles(ACCOUNTS[need_panel[0]])
    open_task(expert, key, "需求论证")
    expert.check(NEED_TITLE)
    no_codes(expert)
    page = expert.page
    page.fill("#f-importance", "90")
    page.fill("#f-feasibility", "85")
    page.fill("#f-difficulty", "70")
    page.select_option("#f-need_listed_decision", "list")
    page.fill("#f-need_review_opinion", "影响力大、带动性强，建议列入榜单")
    j.shot(expert, "expert-need-review")
    submit(expert)

    # 5 the bureau: not taken into the municipal list; the district government approves the list (001 八(二));
    # the bureau publishes it with an online window
    open_task(bureau, key, "是否纳入市级榜单")
    no_codes(bureau)
    bureau.page.select_option("#f-taken_municipal", "no")
    j.shot(bureau, "bureau-municipal-check")
    submit(bureau)
    approver = roles("approver_dazu")
    open_task(approver, key, "审议项目榜单")
    approver.check(NEED_TITLE, "影响力大、带动性强")
    no_codes(approver)
    approver.page.select_option("#f-list_review", "approve")
    approver.page.fill("#f-list_review_opinion", "同意列入榜单并发布")
    j.shot(approver, "approver-list-review")
    submit(approver)
    open_task(bureau, key, "发布榜单")
    no_codes(bureau)
    bureau.page.fill("#f-channels", "大足区科技局门户网站")
    bureau.check("不早于今天（2026-09-28）")  # the requirement, before typing
    # a publication date in the past (000 §12(2)) is refused beside the field before anything is completed
    bureau.page.fill("#f-list_published_on", "2026-09-27")
    bureau.page.fill("#f-applications_close_on", "2026-10-28")
    refused(bureau, "list_published_on", "已过（今天是 2026-09-28）")
    j.shot(bureau, "bureau-publish-date-refused")
    bureau.page.fill("#f-list_published_on", "2026-09-28")
    j.shot(bureau, "bureau-publish-list")
    submit(bureau)

    # 6 a solver applies on the portal
    solver = roles("solver_dazu")
    solver.open("/portal/", NEED_TITLE)
    solver.open(f"/portal/challenges/{key}/apply", "揭榜申请", NEED_TITLE, "大足揭榜单位1")
    page = solver.page
    page.select_option("[name=members]", ["DAZU-P1", "DAZU-P2"])
    page.fill("[name=plan]", "基于高精地图与实测数据的测试场数字孪生建模")
    page.fill("[name=budget_fen]", "3,000,000")
    page.set_input_files(
        "input[name=plan_file]",
        files=[{"name": "揭榜方案书.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.check("input[name=pledge]")
    j.shot(solver, "solver-apply", "03-solver-applies")
    page.click("main form button.primary")
    page.wait_for_load_state("networkidle")
    solver.open("/my/applications", "我的申请", key, "已提交，评审中")
    j.shot(solver, "solver-applied")

    # 7 the administrator moves the simulated clock past the closing date (web only)
    admin = roles("admin")
    admin.open("/admin/clock/", "模拟时钟", NEED_TITLE)
    admin.page.fill("#clock-to", "2026-10-29T09:00")
    admin.page.click("#clock-set")
    admin.page.wait_for_load_state("networkidle")
    admin.check("模拟时钟已调到 2026-10-29 09:00", "期限已到期并触发")
    j.shot(admin, "admin-clock-applications-closed")

    # 8 the bureau records the applications: the online one is there already, by names
    open_task(bureau, key, "受理揭榜申请")
    bureau.check("大足揭榜单位1", "大足研究员1、大足研究员2", "揭榜方案书.pdf")
    assert bureau.page.locator("#f-applications-0 select").first.locator("option:checked").inner_text() == (
        "大足揭榜单位1"
    )
    no_codes(bureau)
    j.shot(bureau, "bureau-collect-applications")
    submit(bureau)

    # 9 the bureau draws the panel at random from the pool (001 八(四): ≥5, odd) and confirms it
    open_task(bureau, key, "组建专家组")
    bureau.page.wait_for_url("**/panel")
    bureau.check("政策要求", "专家组不少于 5 人，且人数为奇数。", "001 八(四)")
    bureau.page.fill("#draw-size", "5")
    bureau.page.click("button:has-text('随机抽取')")
    bureau.check("已随机抽取专家组", "专家组成员", "回避名单")
    no_codes(bureau)
    drawn = [
        row.locator("td").first.inner_text().strip()
        for row in bureau.page.locator("[data-jb-members] tbody tr").all()
    ]
    assert len(drawn) == 5, drawn
    j.shot(bureau, "bureau-panel-drawn", "04-panel-draw")
    bureau.page.click("button:has-text('确认专家组并提交')")
    bureau.page.wait_for_url("**/tasks")
    bureau.check("已提交")

    # 10 each drawn expert scores in their own browser, and sees only their own scoring
    accounts = ACCOUNTS
    for n, name in enumerate(drawn, start=1):
        member = roles(accounts[name])
        row = queue_row(member, key, "专家评分")
        rows = member.page.locator("table.queue tbody tr", has_text="专家评分").filter(has_text=key)
        assert rows.count() == 1 and f"指派给 {name}" in row.inner_text()
        queue = member.page.inner_text("table.queue")
        for other in drawn:
            assert other == name or other not in queue, f"{name} sees the scoring of {other}"
        if n == 1:
            j.shot(member, "expert-own-queue", "05-expert-queue")
        open_task(member, key, "专家评分")
        member.check(NEED_TITLE, "大足揭榜单位1")
        no_codes(member)
        page = member.page
        page.locator("#f-scores-0 select").first.select_option(label="大足揭榜单位1")
        page.locator("#f-scores-0 input[type=number], #f-scores-0 input[inputmode]").first.fill(str(86 + n))
        page.fill("#f-opinion", "技术路线可行，团队基础扎实")
        if n == 1:
            j.shot(member, "expert-scores")
        submit(member)

    # 11 the bureau selects: too much fiscal support is refused beside the field with its citation first
    select_id = open_task(bureau, key, "确定揭榜方与支持金额")
    bureau.check("最多 900,000.00 元", "001 十(一)")
    no_codes(bureau)
    page = bureau.page
    page.select_option("#f-mode", "single")
    page.locator("#f-selected").select_option(label="大足揭榜单位1")
    page.fill("#f-contract_fen", "3,000,000")
    page.fill("#f-fiscal_support_fen", "950,000")
    page.fill("#f-selection_reason", "专家评分最高，技术路线成熟")
    refused(bureau, "fiscal_support_fen", "财政支持最多 900,000.00 元", "（依据：001 十(一)）")
    assert page.input_value("#f-fiscal_support_fen") == "950,000"
    j.shot(bureau, "bureau-select-refused", "06-select-refused")
    queue_row(bureau, key, "确定揭榜方与支持金额")  # nothing completed: still the bureau's
    page.goto(f"{bureau.base}/tasks/{select_id}")
    page.fill("#f-fiscal_support_fen", "900,000")
    j.shot(bureau, "bureau-select")
    submit(bureau)

    # 12 the district government approves
    open_task(approver, key, "审定立项")
    approver.check("大足揭榜单位1", "900,000.00")
    no_codes(approver)
    approver.page.select_option("#f-approval", "approve")
    approver.page.fill("#f-approval_opinion", "同意立项")
    j.shot(approver, "approver-approve")
    submit(approver)

    # 13 the public reads the publicity notice on the portal
    public = roles(None)
    public.open("/portal/", "公示公告", NEED_TITLE)
    public.open(f"/portal/notices/{key}", NEED_TITLE, "大足揭榜单位1", "3,000,000.00", "900,000.00", "公示中")
    no_codes(public)
    j.shot(public, "public-notice", "07-public-notice")

    # 14 the administrator moves the clock past the end of the publicity window (001 八(五): 5 working days)
    end = clock_to_timer(admin, "公示中", minutes=60)
    j.shot(admin, "admin-clock-publicity-over")
    public.open(f"/portal/notices/{key}", NEED_TITLE)
    assert "公示中" not in public.page.inner_text("main")

    # 15 the bureau signs the task book: the confidentiality agreement is required in Dazu (001 八(六))
    open_task(bureau, key, "签订合同/任务书")
    bureau.check("本辖区须签订保密协议。（依据：001 八(六)）")
    no_codes(bureau)
    page = bureau.page
    page.fill("#f-period_months", "24")
    page.fill("#f-ip_ownership", "发榜方所有，揭榜方享有非商业使用权")
    page.fill("#f-disbursement_plan", "财政资金任务书签订后拨付 50%，结题后拨付 50%")
    page.check("#f-confidentiality")
    page.check("#f-integrity_pledge")  # 001 八(六): Dazu's integrity pledge belongs to the task book
    j.shot(bureau, "bureau-task-book", "08-task-book")
    submit(bureau)

    # 16 the issuer pays the solver its 40% first (001 十(二))
    open_task(issuer, key, "发榜方拨付揭榜方")
    no_codes(issuer)
    issuer.page.fill("#f-issuer_paid_fen", "1,200,000")
    issuer.page.set_input_files(
        "#f-payment_proof", files=[{"name": "付款凭证.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    j.shot(issuer, "issuer-payment")
    submit(issuer)
    # Dazu: the city's money goes to the issuer (需求单位, 001 十(二)), which pays the solver — the solver has
    # received no fiscal money itself, only the issuer's 1,200,000; the bureau's books show the first 50% tranche
    solver.open("/my/projects", key, "实施中", "1,200,000.00")
    row = solver.page.locator(f"tr[data-project='{key}']")
    assert row.locator("[data-fiscal]").inner_text().strip() == "0.00"
    assert "1,200,000.00" in row.inner_text()
    j.shot(solver, "solver-project-running")
    bureau.open(instance, "项目账目")
    assert "450,000.00" in bureau.page.inner_text("#books tr[data-party-role=issuer]")
    # the publicity window ends with a day (001 八(五): 5 working days), at 24:00 of a day in November
    last_day, at = last_moment(end)
    assert (last_day.year, last_day.month, at) == (2026, 11, "24:00"), end

    # 17 the project runs two years: the administrator imports the holiday schedules of 2027 and 2028 (working-day
    # due dates need them), then moves the clock to the end of the period
    import_calendars(admin, SCHEDULES)
    j.shot(admin, "admin-calendar-imported")
    # (first the reminder 14 days before the end, then the end itself: boundary timers of 实施中)
    reminder = clock_to_timer(admin, "提前提醒", minutes=60)
    period_end = clock_to_timer(admin, "节点到期", minutes=60)
    reminder_day, period_day = last_moment(reminder)[0], last_moment(period_end)[0]
    assert (reminder_day.year, reminder_day.month, period_day.year, period_day.month) == (
        2028,
        10,
        2028,
        11,
    ), (
        reminder,
        period_end,
    )
    j.shot(admin, "admin-clock-period-end")

    # 18 the solver requests acceptance with the four reports
    open_task(solver, key, "提出验收申请")
    no_codes(solver)
    page = solver.page
    for field, name in (
        ("self_evaluation", "综合绩效自评价报告.pdf"),
        ("tech_report", "科技报告.pdf"),
        ("final_accounts", "资金决算报告.pdf"),
        ("special_audit", "专项审计报告.pdf"),
    ):
        page.set_input_files(
            f"#f-{field}", files=[{"name": name, "mimeType": "application/pdf", "buffer": PDF}]
        )
    j.shot(solver, "solver-acceptance-request", "09-acceptance-request")
    submit(solver)

    # 19 the acceptance panel reviews: passed
    reviewer = roles("expert_dazu")
    open_task(reviewer, key, "验收评价")
    no_codes(reviewer)
    # 001 八(八): ≥ 5, odd, picked from the district's expert pool by name (stored as their accounts)
    panel = reviewer.page.locator("#f-acceptance_panel option").all_inner_texts()
    assert len(panel) >= 5 and all("（" in name for name in panel)
    reviewer.page.select_option("#f-acceptance_panel", [f"expert_dazu_{i:02d}" for i in (2, 3, 4, 5, 7)])
    reviewer.page.select_option("#f-acceptance_outcome", "pass")
    reviewer.page.fill("#f-acceptance_opinion", "各项指标均已达到任务书要求，同意通过验收")
    j.shot(reviewer, "expert-acceptance-review")
    submit(reviewer)

    # 20 the third-party auditor the bureau commissioned audits the fund use (001 十一(一))
    auditor = roles("third_party_dazu")
    open_task(auditor, key, "经费使用审计")
    no_codes(auditor)
    auditor.page.set_input_files(
        "#f-fund_audit_report",
        files=[{"name": "经费使用审计报告.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    auditor.page.fill("#f-fund_audit_used_fen", "450,000")
    auditor.page.fill("#f-fund_audit_opinion", "财政资金使用合规")
    j.shot(auditor, "auditor-fund-audit")
    submit(auditor)

    # 21 the issuer pays the solver the rest of the contract with its proof (001 十(二)); the district's second
    # half follows it
    open_task(issuer, key, "发榜方付清余款")
    no_codes(issuer)
    issuer.check("尚欠揭榜方", "1,800,000.00")
    issuer.page.fill("#f-final_paid_fen", "1,800,000")
    issuer.page.set_input_files(
        "#f-final_payment_proof",
        files=[{"name": "余款付款凭证.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    j.shot(issuer, "issuer-final-payment")
    submit(issuer)

    # 22 the instance is completed: the bureau sees it, with the whole history
    text = bureau.open(instance, NEED_TITLE, "已办结", "验收评价", "各项指标均已达到任务书要求")
    assert re.search(r"当前环节\s*—", text), "nothing left to do"
    no_codes(bureau)
    j.shot(bureau, "bureau-instance-completed", "10-completed")
    # the second half of the fiscal support is paid after acceptance (001 十(二)) — to the issuer, not the solver
    assert "900,000.00" in bureau.page.inner_text("#books tr[data-party-role=issuer]")
    solver.open("/my/projects", key, "已通过验收", "2028-11-05", "3,000,000.00")
    row = solver.page.locator(f"tr[data-project='{key}']")
    assert row.locator("[data-fiscal]").inner_text().strip() == "0.00"
    j.shot(solver, "solver-project-accepted")


def clock_to_timer(admin: Watched, name: str, minutes: int) -> datetime:
    return clock_to_deadline(admin, NEED_TITLE, name, minutes)
