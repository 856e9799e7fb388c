"""One Urumqi 揭榜挂帅 challenge run as a 赛马 (race), in Chromium, in Chinese, as each person in turn, through the
web only (Jiebang issue 12; 000 §12(1), (6), (7); 002 五(二)7):

the bureau opens the year's call → the Urumqi issuer posts a need that asks for a 赛马 (with its plan) → the
district department recommends it → an expert reviews it → the bureau publishes the list → three solver units
apply on the portal → the clock past the close → the bureau records the applications and draws the panel →
the experts score → the bureau selects three teams in race mode, each with its own contract and fiscal support
(000 §12(1), §12(6): the first tranche of each race project ≤ 20 % of its own support) → approval, publicity,
task book → each team's stage deadline → each team reports its stage and reads only its own (never a
competitor's report or money) → each team's assessment goes to one member of the drawn panel, the others are
refused (000 §12(7): the assessment decides who continues) → the issuer's conclusion (an invalid one refused
beside the field before submit) keeps the best team → the bureau approves the exits and recovers the losers'
balance; the books owe the winner only its own rest → the one winner runs to the end of its period and is
accepted.

Every screen is a screenshot ``race-urumqi-NN-*``."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models.domain import Person
from tests.browser.journey import (
    SCHEDULES,
    Journey,
    clock_to_timer,
    import_calendars,
    open_task,
    pdf,
    refused,
    set_clock,
    submit,
)

pytestmark = pytest.mark.browser

NEED_TITLE = "高寒地区风电机组叶片覆冰监测与除冰"
#: the three racing units: (account, unit, the two members named on the application)
TEAMS = (
    ("solver_urumqi", "乌鲁木齐揭榜单位1", ("URUMQI-P1", "URUMQI-P2")),
    ("solver_urumqi_2", "乌鲁木齐揭榜单位2", ("URUMQI-P4", "URUMQI-P5")),
    ("solver_urumqi_3", "乌鲁木齐揭榜单位3", ("URUMQI-P7", "URUMQI-P8")),
)


@pytest.fixture
def racers(people: Any, db_session: Session) -> Any:
    """The demo's contacts of the second and third solver units (web.demo RACE_SOLVERS): URUMQI-P4 speaks for
    揭榜单位2 (solver_urumqi_2), URUMQI-P7 for 揭榜单位3 (solver_urumqi_3)."""
    for username, person in (("solver_urumqi_2", "URUMQI-P4"), ("solver_urumqi_3", "URUMQI-P7")):
        assert db_session.scalars(select(Person).where(Person.code == person)).one().username == username
    return people


def test_000_12_7_urumqi_race_from_the_call_to_one_winner(roles: Any, racers: Any) -> None:
    j = Journey("race-urumqi", "urumqi")
    admin = roles("admin")
    set_clock(admin, "2026-04-20T09:00")

    # 1 the bureau opens the year's call (002 五(一)1: the guide's window)
    bureau = roles("bureau_urumqi")
    bureau.open("/start/urumqi_call", "发布年度需求征集通知")
    bureau.page.click("button.primary")
    bureau.page.wait_for_load_state("networkidle")
    bureau.check("已发起", "乌鲁木齐2026年度揭榜挂帅技术需求征集")
    j.shot(bureau, "bureau-call-opened")

    # 2 the issuer posts a need into the call, asking for a race (000 §12(1), 002 五(二)7)
    set_clock(admin, "2026-04-27T09:00")
    issuer = roles("issuer_urumqi")
    issuer.open("/start/urumqi_challenge", "提交技术需求（揭榜挂帅）", "2026-06-10 19:30 截止")
    issuer.page.fill("#f-title", NEED_TITLE)
    issuer.page.click("button.primary")
    issuer.page.wait_for_load_state("networkidle")
    text = issuer.check("已发起", NEED_TITLE)
    found = re.search(r"（(URUMQI-2026-\d{3})）", text)
    assert found, text
    key = found.group(1)
    instance = urlparse(issuer.page.url).path

    open_task(issuer, key, "填报需求")
    j.no_codes(issuer)
    page = issuer.page
    page.fill("#f-need_title", NEED_TITLE)
    page.select_option("#f-category", "breakthrough")
    page.fill("#f-problem", "高寒高湿环境下叶片覆冰导致发电损失与结构风险")
    page.fill("#f-indicators", "覆冰识别准确率 ≥ 95%，除冰能耗降低 30%")
    page.fill("#f-deadline", "2029-06-30")
    page.fill("#f-ip_terms", "发榜方所有")
    page.fill("#f-need_total_fen", "6,000,000")
    page.select_option("#f-scope", "public")
    page.check("#f-race_wanted")
    page.fill(
        "#f-race_plan", "支持 3 个团队平行攻关；第一阶段完成样机并现场测试；每个团队财政资助 2,000,000 元"
    )
    page.check("#f-issuer_end_user")
    page.check("#f-pledge_unit")
    page.check("#f-pledge_leader")
    for field, name in (
        ("application_form", "需求申请表.pdf"),
        ("audit_prev", "2024年度审计报告.pdf"),
        ("audit_last", "2025年度审计报告.pdf"),
    ):
        if page.locator(f"#f-{field}").count():
            page.set_input_files(f"#f-{field}", files=pdf(name))
    j.shot(issuer, "issuer-need-race")
    submit(issuer)

    # 3 the district department recommends (002 五(一)2)
    recommender = roles("recommender_urumqi")
    open_task(recommender, key, "审核推荐")
    recommender.check(NEED_TITLE)
    j.no_codes(recommender)
    recommender.page.select_option("#f-recommended", "yes")
    j.shot(recommender, "recommender")
    submit(recommender)

    # 4 an expert reviews the need
    expert = roles("expert_urumqi")
    open_task(expert, key, "需求评审")
    expert.check(NEED_TITLE, "拟采用赛马制")
    j.no_codes(expert)
    page = expert.page
    page.fill("#f-importance", "92")
    page.fill("#f-feasibility", "80")
    page.fill("#f-difficulty", "85")
    page.select_option("#f-need_listed_decision", "list")
    page.fill("#f-need_review_opinion", "多条技术路线均有可能，适合赛马")
    j.shot(expert, "expert-need-review")
    submit(expert)

    # 5 the bureau publishes the list with an online window
    open_task(bureau, key, "发布榜单")
    j.no_codes(bureau)
    bureau.page.fill("#f-list_published_on", "2026-04-27")
    if bureau.page.locator("#f-applications_close_on").count():
        bureau.page.fill("#f-applications_close_on", "2026-05-27")
    if bureau.page.locator("#f-channels").count():
        bureau.page.fill("#f-channels", "乌鲁木齐市科技局门户网站")
    j.shot(bureau, "bureau-publish-list")
    submit(bureau)

    # 6 three solver units apply on the portal
    for n, (account, unit, members) in enumerate(TEAMS, start=1):
        solver = roles(account)
        solver.open(f"/portal/challenges/{key}/apply", "揭榜申请", NEED_TITLE, unit)
        page = solver.page
        page.select_option("[name=members]", list(members))
        page.fill("[name=plan]", f"技术路线{n}：{('热气除冰', '超声导波除冰', '疏冰涂层')[n - 1]}")
        page.fill("[name=budget_fen]", "2,000,000")
        page.set_input_files("input[name=plan_file]", files=pdf(f"揭榜方案书{n}.pdf"))
        page.check("input[name=pledge]")
        if n == 1:
            j.shot(solver, "solver-apply")
        page.click("main form button.primary")
        page.wait_for_load_state("networkidle")
        solver.open("/my/applications", "我的申请", key, "已提交，评审中")

    # 7 the clock past the close; the bureau records the three applications, by names
    clock_to_timer(admin, NEED_TITLE, "揭榜期", minutes=60)
    open_task(bureau, key, "受理揭榜申请")
    bureau.check(*(unit for _a, unit, _m in TEAMS))
    j.no_codes(bureau)
    j.shot(bureau, "bureau-collect-applications")
    submit(bureau)

    # 8 the bureau draws the panel at random and confirms it
    open_task(bureau, key, "组建专家组")
    bureau.page.wait_for_url("**/panel")
    bureau.page.fill("#draw-size", "5")
    bureau.page.click("button:has-text('随机抽取')")
    bureau.check("已随机抽取专家组")
    j.no_codes(bureau)
    drawn = [
        row.locator("td").first.inner_text().strip()
        for row in bureau.page.locator("[data-jb-members] tbody tr").all()
    ]
    j.shot(bureau, "bureau-panel-drawn")
    bureau.page.click("button:has-text('确认专家组并提交')")
    bureau.page.wait_for_url("**/tasks")

    # 9 each drawn expert scores the three teams in their own browser
    from web.demo import DEMO_EXPERT_NAMES

    accounts = {
        name: ("expert_urumqi" if i == 1 else f"expert_urumqi_{i:02d}")
        for i, name in enumerate(DEMO_EXPERT_NAMES["urumqi"], start=1)
    }
    for n, name in enumerate(drawn, start=1):
        member = roles(accounts[name])
        open_task(member, key, "专家评分")
        j.no_codes(member)
        page = member.page
        for i, (_a, unit, _m) in enumerate(TEAMS):  # one row per eligible team, already there
            assert page.locator(f"#f-scores-{i} select option:checked").first.inner_text() == unit
            page.locator(f"#f-scores-{i} input[type=number], #f-scores-{i} input[inputmode]").first.fill(
                str(90 - i)
            )
        page.fill("#f-opinion", "三条技术路线各有优势")
        if n == 1:
            j.shot(member, "expert-scores")
        submit(member)

    # 10 the bureau selects the three teams in race mode (000 §12(6), 002 五(二)7)
    open_task(bureau, key, "确定揭榜方与支持金额")
    bureau.check("发榜方在需求中提出了赛马，可选择赛马。")
    j.no_codes(bureau)
    page = bureau.page
    page.select_option("#f-mode", "race")
    page.locator("#f-selected").select_option(label=[unit for _a, unit, _m in TEAMS])
    # 000 §12(1), §12(6): each team signs its own agreement with its own funding — the form says so
    bureau.check("选择赛马时，合同金额和财政支持均按每个团队填写", "每个团队首笔为其财政支持的 20%")
    page.fill("#f-contract_fen", "5,000,000")
    page.fill("#f-fiscal_support_fen", "2,000,000")
    page.fill("#f-stage_due", "2026-11-30")
    page.fill("#f-stage_task", "完成样机并在达坂城风场现场测试，覆冰识别准确率 ≥ 90%")
    page.fill("#f-selection_reason", "三条技术路线均可行，采用赛马制平行攻关")
    j.shot(bureau, "bureau-select-race")
    submit(bureau)

    # 11 the approver approves; the public reads the notice; the clock past the publicity window
    approver = roles("approver_urumqi")
    open_task(approver, key, "审定立项")
    approver.check(*(unit for _a, unit, _m in TEAMS))
    j.no_codes(approver)
    approver.page.select_option("#f-approval", "approve")
    j.shot(approver, "approver")
    submit(approver)
    public = roles(None)
    public.open(f"/portal/notices/{key}", NEED_TITLE, "公示中", *(unit for _a, unit, _m in TEAMS))
    j.shot(public, "public-notice")
    clock_to_timer(admin, NEED_TITLE, "公示中", minutes=60)

    # 12 the bureau signs the task book; each race project's first tranche is ≤ 20 % (000 §12(6))
    open_task(bureau, key, "签订合同/任务书")
    j.no_codes(bureau)
    page = bureau.page
    page.fill("#f-period_months", "24")
    page.fill("#f-ip_ownership", "发榜方所有")
    page.fill("#f-disbursement_plan", "赛马：首期 20%，阶段考核后继续支持的团队拨付后续资金")
    j.shot(bureau, "bureau-task-book")
    submit(bureau)

    # 12a the issuer registers the technology contract; the first tranches wait for it (002 五(二)6)
    open_task(issuer, key, "技术合同登记")
    j.no_codes(issuer)
    page = issuer.page
    today = re.search(r"系统时间：(\d{4}-\d{2}-\d{2})", page.inner_text("footer")).group(1)  # type: ignore[union-attr]
    page.fill("#f-contract_reg_number", "2026650100000456")
    page.fill("#f-contract_reg_date", today)
    page.set_input_files("#f-contract_reg_certificate", pdf("技术合同登记证明.pdf"))
    j.shot(issuer, "issuer-contract-registration")
    submit(issuer)
    bureau.open(instance, "项目账目")
    books = bureau.page.inner_text("#books")
    # the books say what they compute (000 §12(6)): 3 teams × each team's own 2,000,000; the contract per team
    assert "（3 个团队 × 每个团队 2,000,000.00 元）" in books, books
    assert "合同金额（元，每个团队，发榜方拨付该团队）" in books, books
    # 000 §12(7), 003 §13(3): during the race the issuer owes each team its race-stage share (20% of 5,000,000),
    # 3,000,000 in all — not 15,000,000; the other 12,000,000 waits for the stage review
    assert bureau.page.inner_text("#books [data-figure=issuer-owed]").strip() == "3,000,000.00", books
    assert "另有 12,000,000.00 元合同款待阶段考核后" in books and "15,000,000.00" not in books, books
    # the bureau reads every application's arrival, with the unit's name
    history = bureau.page.inner_text(".history")
    assert history.count("收到揭榜申请") == 3 and all(unit in history for _a, unit, _m in TEAMS), history
    j.shot(bureau, "bureau-books-race")

    # 13 each team's stage deadline: each reports its stage
    import_calendars(admin, SCHEDULES)
    clock_to_timer(admin, NEED_TITLE, "阶段考核时间到", minutes=60)
    for n, (account, unit, _m) in enumerate(TEAMS, start=1):
        solver = roles(account)
        open_task(solver, key, "提交阶段报告")
        solver.check(unit, "完成样机")
        j.no_codes(solver)
        solver.page.fill("#f-achieved", f"样机已完成现场测试，识别准确率 {96 - 4 * n}%")
        solver.page.set_input_files("#f-report_file", files=pdf(f"阶段报告{n}.pdf"))
        if n == 1:
            j.shot(solver, "solver-stage-report")
        submit(solver)

    # 13a a competing team reads its own stage report and money, never another team's (000 §12(7))
    second = roles(TEAMS[1][0])
    text = second.open(instance, NEED_TITLE, "识别准确率 88%", "项目账目", expand=True)
    # the open assessments are listed as assigned, without the panel members' names (000 §12(4))
    for other in ("识别准确率 92%", "识别准确率 84%", "阶段报告1.pdf", "阶段报告3.pdf", "指派给"):
        assert other not in text, other
    books = second.page.inner_text("#books")
    assert TEAMS[0][1] not in books and TEAMS[2][1] not in books and TEAMS[1][1] in books, books
    assert "2,000,000.00" in books and "400,000.00" in books, books  # its own plan and first tranche only
    assert "本团队的财政支持" in books and "3 个团队" not in books, books
    # its own application's arrival only — no empty line for a competitor's
    history = second.page.inner_text(".history")
    assert history.count("收到揭榜申请") == 1 and TEAMS[1][1] in history, history
    j.no_codes(second)
    j.shot(second, "solver2-reads-only-its-own")

    # 14 each team's assessment goes to one member of the drawn panel, in the panel's order (000 §12(7)); the
    # unit is named on the task; team 3 misses the target
    units = [unit for _a, unit, _m in TEAMS]
    assessed: dict[str, str] = {}
    for n, name in enumerate(drawn[:3]):
        member = roles(accounts[name])
        task_id = open_task(member, key, "阶段考核")
        j.no_codes(member)
        unit = member.page.inner_text("#f-team_view").strip()
        assert unit == units[n], (name, unit)
        assessed[unit] = task_id
        failed = unit == units[2]
        member.page.select_option("#f-stage_passed", "no" if failed else "yes")
        member.page.fill("#f-stage_score", str(70 if failed else 92 - units.index(unit) * 4))
        member.page.fill("#f-stage_opinion", "识别准确率未达 90%" if failed else "达到考核要求")
        if n == 0:
            j.shot(member, "expert-stage-review")
        if n == 2:  # before it is done: another panel member has no such task and is refused it
            other = roles(accounts[drawn[3]])
            other.open("/tasks", "待办任务")
            assert not other.page.locator("table.queue tbody tr", has_text="阶段考核").count(), drawn[3]
            other.open(f"/tasks/{task_id}", "已指派给他人", "只有被指派的人可以查看和办理", "请联系科技局")
            j.shot(other, "expert-not-assigned-refused")
        submit(member)
    assert sorted(assessed) == sorted(units)

    # 15 the issuer concludes (000 §12(7)): "only one passed" is refused beside the field before submit (two
    # teams met the targets), then the best team is chosen and the others exit on a written application
    open_task(issuer, key, "赛马结论")
    issuer.check("3 个团队中 2 个达到考核要求")
    passed = issuer.page.inner_text("#f-passed_view")  # by name, best score first
    assert passed.index(TEAMS[0][1]) < passed.index(TEAMS[1][1]) and TEAMS[2][1] not in passed, passed
    j.no_codes(issuer)
    page = issuer.page
    page.select_option("#f-race_outcome", "single")
    page.locator("#f-continuing").select_option(label=TEAMS[0][1])
    page.fill("#f-exit_application", "揭榜单位2、揭榜单位3 退出赛马，申请清算")
    refused(issuer, "race_outcome", "本次有 2 家达到", "000 §12(7)")
    j.shot(issuer, "issuer-race-outcome-refused")
    page.select_option("#f-race_outcome", "best")
    j.shot(issuer, "issuer-race-outcome")
    submit(issuer)

    # 16 the bureau approves the exits and clears each losing team's balance (000 §12(6)): the exiting teams
    # are listed by name, one row each
    open_task(bureau, key, "退出审批与清算")
    j.no_codes(bureau)
    page = bureau.page
    unspent = {TEAMS[1][1]: "100,000", TEAMS[2][1]: "250,000"}
    rows = [page.locator(f"#f-exit_clearing-{i} select option:checked").first.inner_text() for i in range(2)]
    assert sorted(rows) == sorted(unspent), rows
    for i, unit in enumerate(rows):
        page.locator(f"#f-exit_clearing-{i} input[inputmode]").first.fill(unspent[unit])
    page.check("#f-exits_approved")
    j.shot(bureau, "bureau-approve-exits")
    submit(bureau)
    text = bureau.open(instance, "项目账目", "赛马结论", "退出审批与清算")
    j.no_codes(bureau)
    j.shot(bureau, "bureau-books-after-race")
    books = bureau.page.inner_text("#books")
    # 000 §12(6): plan 3 × 2,000,000; 3 × 400,000 paid; the losers return 100,000 + 250,000; the winner is still
    # owed the rest of its own support, 1,600,000; the losers' unpaid 2 × 1,600,000 lapses; the issuer owes the
    # winner its own contract of 5,000,000 — not the three teams' 15,000,000
    for figure in (
        "6,000,000.00",
        "1,200,000.00",
        "350,000.00",
        "1,600,000.00",
        "3,200,000.00",
        "5,000,000.00",
    ):
        assert figure in books, (figure, books)
    assert "15,000,000.00" not in books and "账目平衡" in books, books
    assert text
    winner_books = roles(TEAMS[0][0])
    winner_books.open(instance, "项目账目")
    own = winner_books.page.inner_text("#books")
    assert "5,000,000.00" in own and "1,600,000.00" in own and TEAMS[1][1] not in own, own
    j.shot(winner_books, "winner-books")

    # the winner may send stage reports from its project page at any time; a team that exited may not
    roles(TEAMS[0][0]).open(f"/my/projects/{key}", "实施期间可随时提交阶段报告")
    loser = roles(TEAMS[2][0])
    text = loser.open(
        f"/my/projects/{key}", "赛马阶段考核未通过，已退出", "项目不在实施中，目前不能提交阶段报告。"
    )
    assert loser.page.inner_text("main [data-status]").strip() == "赛马阶段考核未通过，已退出"
    for form in ("提交延期申请", "提交终止申请", "提交变更申请"):  # nothing to ask for the winner's project
        assert form not in text, form
    j.shot(loser, "loser-project-exited")

    # 17 the one winner runs to the end of its period (24 months, self-managed under 3 years, 000 §12(7)),
    # requests acceptance and is accepted
    clock_to_timer(admin, NEED_TITLE, "提前提醒", minutes=60)
    clock_to_timer(admin, NEED_TITLE, "节点到期", minutes=60)
    winner = roles(TEAMS[0][0])
    open_task(winner, key, "提出验收申请")
    j.no_codes(winner)
    for field, name in (
        ("self_evaluation", "综合绩效自评价报告.pdf"),
        ("tech_report", "科技报告.pdf"),
        ("final_accounts", "资金决算报告.pdf"),
        ("special_audit", "专项审计报告.pdf"),
    ):
        if winner.page.locator(f"#f-{field}").count():
            winner.page.set_input_files(f"#f-{field}", files=pdf(name))
    j.shot(winner, "winner-acceptance-request")
    submit(winner)
    reviewer = roles("expert_urumqi")
    open_task(reviewer, key, "验收评价")
    j.no_codes(reviewer)
    if reviewer.page.locator("#f-acceptance_panel").count():
        reviewer.page.fill("#f-acceptance_panel", "专家甲, 专家乙, 专家丙, 专家丁, 专家戊")
    reviewer.page.select_option("#f-acceptance_outcome", "pass")
    reviewer.page.fill("#f-acceptance_opinion", "覆冰识别与除冰指标均已达到任务书要求")
    j.shot(reviewer, "expert-acceptance")
    submit(reviewer)
    # 002 五(二)1: the issuer pays the winner the rest of its own contract before the project settles
    open_task(issuer, key, "发榜方支付合同款")
    issuer.page.fill("#f-contract_paid_fen", "5,000,000")
    paid_on = re.search(r"系统时间：(\d{4}-\d{2}-\d{2})", issuer.page.inner_text("footer")).group(1)  # type: ignore[union-attr]
    issuer.page.fill("#f-contract_paid_on", paid_on)
    issuer.page.set_input_files("#f-contract_payment_proof", pdf("合同款转账回单.pdf"))
    j.shot(issuer, "issuer-contract-payment")
    submit(issuer)
    bureau.open(instance, NEED_TITLE, "已办结", "覆冰识别与除冰指标均已达到任务书要求", "已结算")
    j.no_codes(bureau)
    j.shot(bureau, "bureau-completed")
