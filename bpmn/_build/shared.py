"""Shared call activities: expert review panel, 赛马 team stage, extension, termination, acceptance."""

from __future__ import annotations

from bpmngen import Process

NS = "http://jiebang.example/bpmn/shared"


def L(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def expert_review() -> tuple[Process, dict]:
    p = Process(
        "expert_review",
        "专家评审 Expert review panel",
        "Shared expert panel. Inputs: candidates (list of solver codes), panel_min, panel_odd, chair_from_issuer, "
        "panel_source (policy table of the jurisdiction). Panel rules: Dazu ≥5 and odd (001 八(二), 八(四), "
        "八(八)); Karamay chair recommended by the issuer (003 §12(5)). Every expert scores every candidate "
        "(multi-instance, one task per expert); scores are kept per expert (reviews) and averaged per "
        "candidate (review_ranking, best first). Output: reviews, review_ranking.",
        NS,
    )
    p.lane("bureau", "科技局")
    p.lane("expert", "评审专家")
    p.node("start", "start", "开始评审", "bureau", 0)
    p.node("xgw", "panel_again", "组建专家组", "bureau", 1, max_loops=10)
    p.node(
        "user",
        "form_panel",
        "组建专家组 Form the panel",
        "bureau",
        2,
        form="panel_form",
        instructions="按政策要求确定专家组成员（人数、奇数、组长）。",
    )
    p.node(
        "script",
        "check_panel",
        "校验专家组 Check the panel",
        "bureau",
        3,
        script=(
            "panel = [e['name'] for e in experts]\n"
            "reviews = []\n"
            "chairs = [e for e in experts if e['chair']]\n"
            "panel_problem = ''\n"
            "if len(panel) < panel_min:\n"
            "    panel_problem = f'专家组不少于 {panel_min} 人 / the panel needs at least {panel_min} experts ({panel_source})'\n"
            "elif panel_odd and len(panel) % 2 == 0:\n"
            "    panel_problem = f'专家组人数须为奇数 / the panel size must be odd ({panel_source})'\n"
            "elif chair_from_issuer and (len(chairs) != 1 or chairs[0]['recommended_by'] != 'issuer'):\n"
            "    panel_problem = f'专家组组长须由发榜方推荐 / the chair must be recommended by the issuer ({panel_source})'\n"
            "elif len(set(panel)) != len(panel):\n"
            "    panel_problem = '专家重复 / an expert appears twice'\n"
        ),
        doc="Panel rules from the jurisdiction's policy table (001 八(二)/八(四)/八(八): ≥5, odd; 003 §12(5): chair from the issuer).",
    )
    p.node("xgw", "panel_ok", "专家组符合要求？", "bureau", 4)
    # a review run again (e.g. after an extended window) starts with an empty output collection
    p.node(
        "call",
        "score",
        "专家评分 Score the candidates",
        "expert",
        5,
        called="expert_scoring",
        mi={"input": "panel", "item": "expert", "output": "reviews", "out_item": "review"},
        doc="One scoring per panel member; each expert scores every candidate (000 §12(4), 003 §12(5)).",
    )
    p.node(
        "script",
        "aggregate",
        "汇总评分 Aggregate the scores",
        "bureau",
        6,
        script=(
            "collected = {}\n"
            "for r in reviews:\n"
            "    for s in r['scores']:\n"
            "        collected.setdefault(s['solver'], []).append(s['score'])\n"
            "review_ranking = sorted(\n"
            "    [{'solver': k, 'average': round(sum(v) / len(v), 2), 'count': len(v)} for k, v in collected.items()],\n"
            "    key=lambda x: -x['average'])\n"
            "del collected\n"
        ),
    )
    p.node("end", "end", "评审完成", "bureau", 7)
    p.chain("start", "panel_again", "form_panel", "check_panel", "panel_ok")
    p.flow("panel_ok", "panel_again", "不符合，重新组建", cond="panel_problem != ''")
    p.flow("panel_ok", "score", "符合", default=True)
    p.chain("score", "aggregate", "end")
    forms = {
        "panel_form": {
            "id": "panel_form",
            "title": L("组建专家组", "Form the expert panel"),
            "fields": [
                {
                    "name": "panel_rule",
                    "type": "readonly",
                    "source": "panel_source",
                    "label": L("政策依据", "Policy"),
                },
                {
                    "name": "panel_problem_view",
                    "type": "readonly",
                    "source": "panel_problem",
                    "label": L("上次组建的问题", "Problem with the last panel"),
                },
                {
                    "name": "experts",
                    "type": "group",
                    "required": True,
                    "min_items": 1,
                    "max_items": 31,
                    "label": L("专家组成员", "Panel members"),
                    "fields": [
                        {
                            "name": "name",
                            "type": "text",
                            "required": True,
                            "max_length": 64,
                            "label": L("专家用户名", "Expert user name"),
                        },
                        {
                            "name": "organisation",
                            "type": "text",
                            "max_length": 200,
                            "label": L("单位", "Organisation"),
                        },
                        {
                            "name": "field",
                            "type": "text",
                            "max_length": 100,
                            "label": L("领域（管理/一线/同行技术）", "Field (management / industry / peer)"),
                        },
                        {
                            "name": "recommended_by",
                            "type": "select",
                            "required": True,
                            "label": L("推荐方", "Recommended by"),
                            "options": [
                                {"value": "bureau", "label": L("科技局", "Bureau")},
                                {"value": "issuer", "label": L("发榜方", "Issuer")},
                                {"value": "third_party", "label": L("第三方机构", "Third party")},
                            ],
                        },
                        {"name": "chair", "type": "checkbox", "label": L("组长", "Chair")},
                    ],
                },
            ],
        },
        "expert_score": {
            "id": "expert_score",
            "title": L("专家评分", "Expert scoring"),
            "fields": [
                {
                    "name": "expert_view",
                    "type": "readonly",
                    "source": "expert",
                    "label": L("评审专家", "Expert"),
                },
                {
                    "name": "candidates_view",
                    "type": "readonly",
                    "source": "candidates_text",
                    "label": L("评审对象", "Candidates"),
                },
                {
                    "name": "scores",
                    "type": "group",
                    "required": True,
                    "min_items": 1,
                    "max_items": 50,
                    "label": L("评分", "Scores"),
                    "fields": [
                        {
                            "name": "solver",
                            "type": "text",
                            "required": True,
                            "max_length": 64,
                            "label": L("揭榜方代码", "Solver code"),
                        },
                        {
                            "name": "score",
                            "type": "number",
                            "required": True,
                            "min": 0,
                            "max": 100,
                            "decimals": 1,
                            "label": L(
                                "得分（资质、可行性、满意度等）",
                                "Score (qualification, feasibility, satisfaction…)",
                            ),
                        },
                        {
                            "name": "comment",
                            "type": "text",
                            "max_length": 1000,
                            "label": L("意见", "Comment"),
                        },
                    ],
                },
                {
                    "name": "opinion",
                    "type": "text",
                    "multiline": True,
                    "max_length": 5000,
                    "label": L("总体意见", "Overall opinion"),
                },
            ],
        },
    }
    return p, forms


def expert_scoring() -> tuple[Process, dict]:
    p = Process(
        "expert_scoring",
        "专家个人评分 One expert's scores",
        "One panel member scores every candidate; the scores are kept under the expert's name. Input: expert. "
        "Output: review {expert, scores, opinion}.",
        NS,
    )
    p.lane("expert", "评审专家")
    p.node("start", "start", "开始", "expert", 0)
    p.node("user", "score", "专家评分 Score the candidates", "expert", 1, form="expert_score")
    p.node(
        "script",
        "keep",
        "记录评分",
        "expert",
        2,
        script="review = {'expert': expert, 'scores': scores, 'opinion': opinion}",
    )
    p.node("end", "end", "完成", "expert", 3)
    p.chain("start", "score", "keep", "end")
    return p, {}


def race_team() -> tuple[Process, dict]:
    p = Process(
        "race_team",
        "赛马团队阶段考核 Race team stage",
        "One 赛马 team's race stage (000 §12(7), 003 §12(8)3): its own milestone (stage task, deadline, "
        "indicators, assessment method); at the stage deadline the team reports and experts assess it. "
        "Input: team {solver, stage_due, stage_task, indicators}. Output: team_result {solver, passed, score}.",
        NS,
    )
    p.lane("solver", "揭榜方")
    p.lane("expert", "评审专家")
    p.node("start", "start", "赛马开始", "solver", 0)
    p.node(
        "timer",
        "stage_due",
        "阶段考核时间到",
        "solver",
        1,
        timer="end_of_day(team['stage_due'])",
        doc="Stage deadline from the task book (000 §12(7)).",
    )
    p.node("user", "stage_report", "提交阶段报告 Stage report", "solver", 2, form="stage_report")
    p.node("user", "stage_review", "阶段考核 Stage review", "expert", 3, form="stage_review")
    p.node(
        "script",
        "result",
        "记录考核结果",
        "expert",
        4,
        script=(
            "team_result = {'solver': team['solver'], 'passed': stage_passed == 'yes', 'score': stage_score}"
        ),
    )
    p.node("end", "end", "阶段结束", "expert", 5)
    p.chain("start", "stage_due", "stage_report", "stage_review", "result", "end")
    forms = {
        "stage_report": {
            "id": "stage_report",
            "title": L("赛马阶段报告", "Race stage report"),
            "fields": [
                {
                    "name": "team_view",
                    "type": "readonly",
                    "source": "team.solver",
                    "label": L("揭榜方", "Solver"),
                },
                {
                    "name": "stage_task_view",
                    "type": "readonly",
                    "source": "team.stage_task",
                    "label": L("阶段任务", "Stage task"),
                },
                {
                    "name": "achieved",
                    "type": "text",
                    "multiline": True,
                    "required": True,
                    "max_length": 5000,
                    "label": L("指标完成情况", "Indicators achieved"),
                },
                {
                    "name": "report_file",
                    "type": "file",
                    "accept": [".pdf"],
                    "label": L("阶段报告", "Stage report"),
                },
            ],
        },
        "stage_review": {
            "id": "stage_review",
            "title": L("赛马阶段考核", "Race stage review"),
            "fields": [
                {
                    "name": "team_view",
                    "type": "readonly",
                    "source": "team.solver",
                    "label": L("揭榜方", "Solver"),
                },
                {
                    "name": "achieved_view",
                    "type": "readonly",
                    "source": "achieved",
                    "format": "multiline",
                    "label": L("完成情况", "Achieved"),
                },
                {
                    "name": "stage_passed",
                    "type": "select",
                    "required": True,
                    "label": L("是否达到考核要求", "Target met"),
                    "options": [
                        {"value": "yes", "label": L("达到", "Met")},
                        {"value": "no", "label": L("未达到", "Not met")},
                    ],
                },
                {
                    "name": "stage_score",
                    "type": "number",
                    "required": True,
                    "min": 0,
                    "max": 100,
                    "decimals": 1,
                    "label": L("得分", "Score"),
                },
                {
                    "name": "stage_opinion",
                    "type": "text",
                    "multiline": True,
                    "max_length": 5000,
                    "label": L("考核意见", "Opinion"),
                },
            ],
        },
    }
    return p, forms


def extension() -> tuple[Process, dict]:
    p = Process(
        "extension",
        "延期申请 Extension request",
        "Shared extension handling. Inputs: extension {days, reason} (message payload), period_end (ISO date), "
        "extension_count, and from the jurisdiction's policy table ext_notice_days, ext_max_count, ext_max_days, "
        "ext_needs_approver, ext_source. Rules: request ≥30 days before the end, once, ≤1 year (003 §19); "
        "Dazu ≤1 year with district-government approval (001 八(八)); Urumqi objective causes with a third-party "
        "audit and bureau approval (000 §14). A late, second or too long request is refused with the reason. "
        "Output: extension_result (granted/refused/rejected), extension_refusal, period_end, extension_count.",
        NS,
    )
    p.lane("bureau", "科技局")
    p.lane("approver", "审批机关")
    p.node("start", "start", "收到延期申请", "bureau", 0)
    p.node(
        "script",
        "check",
        "核对延期条件 Check the rules",
        "bureau",
        1,
        script=(
            "ext_days = int(extension.get('days') or 0)\n"
            "days_left = days_between(today(), period_end)\n"
            "extension_refusal = ''\n"
            "if extension_count >= ext_max_count:\n"
            "    extension_refusal = f'延期只能申请 {ext_max_count} 次，已经延期过 / only {ext_max_count} extension(s) allowed, already used ({ext_source})'\n"
            "elif days_left < ext_notice_days:\n"
            "    extension_refusal = f'须在实施周期届满 {ext_notice_days} 日前（{add_days(period_end, -ext_notice_days)} 前）提出 / must be filed at least {ext_notice_days} days before the end {period_end} ({ext_source})'\n"
            "elif ext_days < 1 or ext_days > ext_max_days:\n"
            "    extension_refusal = f'延期期限最长 {ext_max_days} 天 / an extension is at most {ext_max_days} days ({ext_source})'\n"
            "extension_result = 'refused' if extension_refusal else 'pending'\n"
        ),
        doc="003 §19: ≥30 days before the end, once, ≤1 year; 001 八(八): ≤1 year.",
    )
    p.node("xgw", "admissible", "符合申请条件？", "bureau", 2)
    p.node("user", "review", "审核延期 Review the request", "bureau", 3, form="extension_review", row=0)
    p.node("xgw", "bureau_ok", "科技局同意？", "bureau", 4)
    p.node("xgw", "needs_gov", "需报审批机关？", "bureau", 5)
    p.node(
        "user",
        "gov_approve",
        "审批延期 Approve the extension",
        "approver",
        6,
        form="extension_approval",
        doc="Dazu: the district government approves (001 八(八)).",
    )
    p.node("xgw", "gov_ok", "批准？", "approver", 7)
    p.node(
        "script",
        "grant",
        "延期生效 Apply",
        "bureau",
        8,
        script=(
            "period_end = add_days(period_end, ext_days)\n"
            "extension_count = extension_count + 1\n"
            "extension_result = 'granted'\n"
            "project_status(project_code, 'ongoing', period_end)\n"
        ),
    )
    p.node(
        "script",
        "reject",
        "记录不同意 Record the rejection",
        "bureau",
        8,
        row=1,
        script="extension_result = 'rejected'",
    )
    p.node("xgw", "merge", "合并", "bureau", 9)
    p.node("end", "end", "延期处理完毕", "bureau", 10)
    p.chain("start", "check", "admissible")
    p.flow("admissible", "merge", "不予受理（说明理由）", cond="extension_refusal != ''")
    p.flow("admissible", "review", "受理", default=True)
    p.chain("review", "bureau_ok")
    p.flow("bureau_ok", "reject", "不同意", cond="extension_decision != 'approve'")
    p.flow("bureau_ok", "needs_gov", "同意", default=True)
    p.flow("needs_gov", "gov_approve", "是", cond="ext_needs_approver")
    p.flow("needs_gov", "grant", "否", default=True)
    p.chain("gov_approve", "gov_ok")
    p.flow("gov_ok", "grant", "批准", cond="gov_decision == 'approve'")
    p.flow("gov_ok", "reject", "不批准", default=True)
    p.flow("grant", "merge")
    p.flow("reject", "merge")
    p.flow("merge", "end")
    decision = {
        "name": "",
        "type": "select",
        "required": True,
        "label": L("决定", "Decision"),
        "options": [
            {"value": "approve", "label": L("同意", "Approve")},
            {"value": "reject", "label": L("不同意", "Reject")},
        ],
    }
    forms = {
        "extension_review": {
            "id": "extension_review",
            "title": L("审核延期申请", "Review an extension request"),
            "fields": [
                {
                    "name": "reason_view",
                    "type": "readonly",
                    "source": "extension.reason",
                    "label": L("延期理由", "Reason"),
                },
                {
                    "name": "days_view",
                    "type": "readonly",
                    "source": "ext_days",
                    "label": L("申请延期天数", "Days requested"),
                },
                {
                    "name": "end_view",
                    "type": "readonly",
                    "source": "period_end",
                    "format": "date",
                    "label": L("当前实施期截止", "Current end of the period"),
                },
                {
                    "name": "audit_report",
                    "type": "file",
                    "accept": [".pdf"],
                    "label": L(
                        "第三方审计报告（乌鲁木齐 000 §14）", "Third-party audit report (Urumqi 000 §14)"
                    ),
                },
                dict(decision, name="extension_decision"),
                {
                    "name": "extension_reason",
                    "type": "text",
                    "multiline": True,
                    "required": True,
                    "max_length": 2000,
                    "label": L("审核意见", "Opinion"),
                },
            ],
        },
        "extension_approval": {
            "id": "extension_approval",
            "title": L("审批延期", "Approve an extension"),
            "fields": [
                {
                    "name": "reason_view",
                    "type": "readonly",
                    "source": "extension.reason",
                    "label": L("延期理由", "Reason"),
                },
                {
                    "name": "bureau_view",
                    "type": "readonly",
                    "source": "extension_reason",
                    "label": L("科技局意见", "Bureau's opinion"),
                },
                dict(decision, name="gov_decision"),
                {
                    "name": "gov_reason",
                    "type": "text",
                    "multiline": True,
                    "max_length": 2000,
                    "label": L("意见", "Opinion"),
                },
            ],
        },
    }
    return p, forms


def termination() -> tuple[Process, dict]:
    p = Process(
        "termination",
        "项目终止/撤销 Termination or revocation",
        "Shared termination. Inputs: termination {cause: objective|subjective|revocation, reason}; from the "
        "jurisdiction's termination table: recovery_mode (unspent | unspent_and_non_research | all), credit_kind "
        "('' or misconduct), penalty_years, termination_source; project_code, solvers, jurisdiction. "
        "Objective cause: audit, recover the unspent balance (000 §14, 001 八(八) also non-research money, "
        "003 §17 issuer returns the balance). Subjective cause: experts fix liability, recover fiscal money, "
        "misconduct record (000 §15, 001 八(八)). Revocation recovers all disbursed fiscal money (003 §17). "
        "Every recovery is a ledger entry. Output: recovered_fen.",
        NS,
    )
    p.lane("bureau", "科技局")
    p.lane("third_party", "第三方机构")
    p.node("start", "start", "终止申请", "bureau", 0)
    p.node(
        "user",
        "audit",
        "审计与责任认定 Audit and liability",
        "third_party",
        1,
        form="termination_audit",
        doc="000 §14 third-party audit; 000 §15 technical, financial and legal experts fix liability.",
    )
    p.node("user", "decide", "审核终止 Approve the termination", "bureau", 2, form="termination_decision")
    p.node(
        "script",
        "recover",
        "清算追回 Recover the money",
        "bureau",
        3,
        script=(
            "recovered_fen = 0\n"
            "for s in solvers:\n"
            "    held = ledger_balance(project_code, s)['held_fen']\n"
            "    row = [u for u in audit_unspent if u['solver'] == s]\n"
            "    unspent = row[0]['unspent_fen'] if row else 0\n"
            "    non_research = row[0]['non_research_fen'] or 0 if row else 0\n"
            "    if recovery_mode == 'all':\n"
            "        amount = held\n"
            "    elif recovery_mode == 'unspent_and_non_research':\n"
            "        amount = min(held, unspent + non_research)\n"
            "    else:\n"
            "        amount = min(held, unspent)\n"
            "    if amount > 0:\n"
            "        ledger_recover(project_code, s, amount, termination['reason'], termination_source, jurisdiction)\n"
            "        recovered_fen = recovered_fen + amount\n"
            "    if credit_kind:\n"
            "        credit_add(s, credit_kind, termination_source, termination['reason'], add_months(today(), penalty_years * 12))\n"
            "project_status(project_code, 'revoked' if termination['cause'] == 'revocation' else 'terminated')\n"
        ),
    )
    p.node("end", "end", "已终止", "bureau", 4)
    p.chain("start", "audit", "decide", "recover", "end")
    forms = {
        "termination_audit": {
            "id": "termination_audit",
            "title": L("终止审计与责任认定", "Termination audit and liability"),
            "fields": [
                {
                    "name": "cause_view",
                    "type": "readonly",
                    "source": "termination.cause",
                    "label": L("终止原因类别", "Cause"),
                },
                {
                    "name": "reason_view",
                    "type": "readonly",
                    "source": "termination.reason",
                    "label": L("说明", "Reason"),
                },
                {
                    "name": "audit_report",
                    "type": "file",
                    "accept": [".pdf"],
                    "label": L("审计报告", "Audit report"),
                },
                {
                    "name": "audit_unspent",
                    "type": "group",
                    "required": True,
                    "label": L("各揭榜方结余", "Unspent per solver"),
                    "fields": [
                        {
                            "name": "solver",
                            "type": "text",
                            "required": True,
                            "max_length": 64,
                            "label": L("揭榜方", "Solver"),
                        },
                        {
                            "name": "unspent_fen",
                            "type": "money",
                            "required": True,
                            "label": L("结余资金（元）", "Unspent (CNY)"),
                        },
                        {
                            "name": "non_research_fen",
                            "type": "money",
                            "label": L(
                                "用于科研以外的财政资金（元）", "Fiscal money not used for research (CNY)"
                            ),
                        },
                    ],
                },
                {
                    "name": "liability",
                    "type": "text",
                    "multiline": True,
                    "max_length": 5000,
                    "label": L("责任认定（技术、财务、法律）", "Liability (technical, financial, legal)"),
                },
            ],
        },
        "termination_decision": {
            "id": "termination_decision",
            "title": L("审核终止", "Approve the termination"),
            "fields": [
                {
                    "name": "cause_view",
                    "type": "readonly",
                    "source": "termination.cause",
                    "label": L("终止原因类别", "Cause"),
                },
                {
                    "name": "rule_view",
                    "type": "readonly",
                    "source": "termination_source",
                    "label": L("依据", "Rule"),
                },
                {
                    "name": "termination_confirmed",
                    "type": "checkbox",
                    "required": True,
                    "label": L(
                        "经审核同意终止，按规定清算追回", "Approved: clear and recover as the rules require"
                    ),
                },
                {
                    "name": "termination_opinion",
                    "type": "text",
                    "multiline": True,
                    "max_length": 2000,
                    "label": L("意见", "Opinion"),
                },
            ],
        },
    }
    return p, forms


def acceptance() -> tuple[Process, dict]:
    p = Process(
        "acceptance",
        "结题验收 Acceptance",
        "Shared acceptance. Inputs: period_end, acc_request_days, needs_user_eval, acceptance_source. The solver "
        "requests acceptance within 30 days after the period (003 §12(9)1) with self-evaluation, S&T report, "
        "final accounts and special audit; the issuer gives a user technical evaluation first where required "
        "(003 §12(9)2); the result is pass / 结题 closed / fail (003 §12(9)3; 004 三(六)). Output: "
        "acceptance_outcome, acceptance_fail_cause, acceptance_late.",
        NS,
    )
    p.lane("solver", "揭榜方")
    p.lane("issuer", "发榜方")
    p.lane("expert", "验收专家组")
    p.node("start", "start", "实施期满", "solver", 0)
    p.node("user", "request", "提出验收申请 Request acceptance", "solver", 1, form="acceptance_request")
    p.node(
        "script",
        "timing",
        "核对申请期限",
        "solver",
        2,
        script=(
            "acceptance_late = days_between(period_end, today()) > acc_request_days\n"
            "acceptance_note = f'验收申请晚于实施期满后 {acc_request_days} 日 / requested later than {acc_request_days} days after the end ({acceptance_source})' if acceptance_late else ''\n"
        ),
    )
    p.node("xgw", "needs_eval", "需用户技术评价？", "solver", 3)
    p.node("user", "user_eval", "用户技术评价 User technical evaluation", "issuer", 4, form="user_evaluation")
    p.node("xgw", "merge", "", "expert", 5)
    p.node("xgw", "review_again", "验收评价", "expert", 6, max_loops=10)
    p.node("user", "review", "验收评价 Acceptance review", "expert", 7, form="acceptance_review")
    p.node(
        "script",
        "check_review",
        "核对结论 Check the conclusion",
        "expert",
        8,
        script=(
            "acceptance_problem = ''\n"
            "if acceptance_outcome == 'fail' and not acceptance_fail_cause:\n"
            "    acceptance_problem = '验收不通过须认定原因（客观/非客观）/ a failed acceptance needs its cause (003 §20, 004 三(六))'\n"
            "elif acceptance_outcome == 'fail' and acceptance_fail_cause == 'objective' and acceptance_recover_fen is None:\n"
            "    acceptance_problem = '客观原因不通过须填写追回金额（可为0）/ an objective failure needs the amount to recover, 0 allowed (004 三(六))'\n"
            "elif acceptance_outcome != 'fail':\n"
            "    acceptance_fail_cause = None\n"
        ),
        doc="A failure names its cause, which decides the recovery (003 §20, 004 三(六)).",
    )
    p.node("xgw", "review_ok", "结论完整？", "expert", 9)
    p.node("end", "end", "验收结束", "expert", 10)
    p.chain("start", "request", "timing", "needs_eval")
    p.flow("needs_eval", "user_eval", "是", cond="needs_user_eval")
    p.flow("needs_eval", "merge", "否", default=True)
    p.chain("user_eval", "merge", "review_again", "review", "check_review", "review_ok")
    p.flow("review_ok", "review_again", "不完整", cond="acceptance_problem != ''")
    p.flow("review_ok", "end", "完整", default=True)
    doc_file = {"type": "file", "accept": [".pdf"], "required": True}
    forms = {
        "acceptance_request": {
            "id": "acceptance_request",
            "title": L("验收申请", "Acceptance request"),
            "fields": [
                {
                    "name": "end_view",
                    "type": "readonly",
                    "source": "period_end",
                    "format": "date",
                    "label": L("实施期截止", "End of the period"),
                },
                dict(
                    doc_file, name="self_evaluation", label=L("综合绩效自评价报告", "Self-evaluation report")
                ),
                dict(doc_file, name="tech_report", label=L("科技报告", "S&T report")),
                dict(doc_file, name="final_accounts", label=L("资金决算报告", "Final accounts")),
                dict(doc_file, name="special_audit", label=L("专项审计报告", "Special audit report")),
            ],
        },
        "user_evaluation": {
            "id": "user_evaluation",
            "title": L("用户技术评价", "User technical evaluation"),
            "fields": [
                {
                    "name": "user_rating",
                    "type": "select",
                    "required": True,
                    "label": L("评价", "Rating"),
                    "options": [
                        {"value": "satisfied", "label": L("满意", "Satisfied")},
                        {"value": "basically", "label": L("基本满意", "Basically satisfied")},
                        {"value": "unsatisfied", "label": L("不满意", "Unsatisfied")},
                    ],
                },
                {
                    "name": "user_report",
                    "type": "file",
                    "accept": [".pdf"],
                    "label": L("用户技术评价报告", "Report"),
                },
            ],
        },
        "acceptance_review": {
            "id": "acceptance_review",
            "title": L("验收评价", "Acceptance review"),
            "fields": [
                {
                    "name": "note_view",
                    "type": "readonly",
                    "source": "acceptance_note",
                    "label": L("提示", "Note"),
                },
                {
                    "name": "problem_view",
                    "type": "readonly",
                    "source": "acceptance_problem",
                    "label": L("上次提交的问题", "Problem with the last submission"),
                },
                {
                    "name": "user_view",
                    "type": "readonly",
                    "source": "user_rating",
                    "label": L("用户评价", "User rating"),
                },
                {
                    "name": "acceptance_outcome",
                    "type": "select",
                    "required": True,
                    "label": L("验收结论", "Outcome"),
                    "options": [
                        {"value": "pass", "label": L("通过", "Pass")},
                        {"value": "closed", "label": L("结题", "Closed (结题)")},
                        {"value": "fail", "label": L("不通过", "Fail")},
                    ],
                },
                {
                    "name": "acceptance_fail_cause",
                    "type": "select",
                    "label": L("不通过原因", "Cause of failure"),
                    "options": [
                        {"value": "objective", "label": L("客观原因", "Objective")},
                        {"value": "non_objective", "label": L("非客观原因", "Non-objective")},
                    ],
                },
                {
                    "name": "acceptance_recover_fen",
                    "type": "money",
                    "label": L(
                        "追回金额（元，客观原因不通过时填写）", "Amount to recover (CNY, objective failure)"
                    ),
                },
                {
                    "name": "acceptance_opinion",
                    "type": "text",
                    "multiline": True,
                    "required": True,
                    "max_length": 5000,
                    "label": L("验收意见", "Opinion"),
                },
            ],
        },
    }
    return p, forms
