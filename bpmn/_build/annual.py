"""Urumqi's annual summary 总结评价 (000 §12(8)): compile the year's figures, the bureau writes the summary, the
joint meeting (联席会议) reviews it — returning it with an opinion as often as needed — and the approved report is
stored in the instance's data (``annual_report``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bpmngen import Process

NS = "http://jiebang.example/bpmn/urumqi"
MAX_REVIEW_ROUNDS = 20


def L(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


COMPILE = """figures = annual_summary(jurisdiction, year)
jurisdiction = figures['jurisdiction']
year = figures['year']
review_rounds = 0
review_history = []
yuan = lambda fen: f'{fen // 100:,}.{fen % 100:02d}'
statuses = {'ongoing': '实施中 ongoing', 'accepted': '通过验收 accepted', 'closed': '结题 closed', 'failed': '验收不通过 failed', 'terminated': '终止 terminated', 'revoked': '撤销 revoked'}
kinds = {'disbursement': '财政拨付 disbursed', 'recovery': '收回 recovered', 'issuer_payment': '发榜方拨付 issuer paid'}
lines = (
    ['按批次 By tranche:']
    + [f"  {kinds[t['kind']]} {t['tranche'] or '-'}: {yuan(t['amount_fen'])} 元 CNY ({t['entries']})" for t in figures['money']['by_tranche']]
    + ['按项目 By project:']
    + [f"  {p['project']} {p['title'] or ''} [{statuses.get(p['status'], p['status'] or '-')}]: 拨付 disbursed {yuan(p['disbursed_fen'])}, 收回 recovered {yuan(p['recovered_fen'])}, 发榜方拨付 issuer paid {yuan(p['issuer_paid_fen'])} 元 CNY" for p in figures['money']['projects']]
    + ['立项项目 Funded projects:']
    + [f"  {p['code']} {p['title']} [{statuses.get(p['status'], p['status'])}]" for p in figures['projects']['list']]
    + [f"信用记录 Credit records ({figures['credit']['source']}):"]
    + [f"  {r['subject']} {r['kind']} {r['recorded_on']} ({r['source'] or '-'})" for r in figures['credit']['records']]
)
figures_text = '\\n'.join(lines)
funded_text = ', '.join([f"{statuses.get(k, k)} {v}" for k, v in figures['projects']['by_status'].items()])
del yuan, statuses, kinds, lines
"""

RECORD_REVIEW = """review_rounds = review_rounds + 1
review_history = review_history + [{'round': review_rounds, 'decision': review_decision, 'opinion': review_opinion, 'at': now()}]
"""

STORE = """annual_report = {
    'jurisdiction': jurisdiction,
    'year': year,
    'source': '000 §12(8)',
    'figures': figures,
    'implementation': summary_implementation,
    'policy': summary_policy,
    'funding_performance': summary_funding,
    'coordination': summary_coordination,
    'problems': summary_problems,
    'improvements': summary_improvements,
    'review_opinion': review_opinion,
    'review_rounds': review_rounds,
    'review_history': review_history,
    'approved_at': now(),
}
"""

SUMMARY_FIELDS = (
    ("summary_implementation", "项目实施情况", "Implementation of the projects"),
    ("summary_policy", "扶持政策落实情况", "Implementation of the support policies"),
    ("summary_funding", "资金使用绩效评价情况", "Performance evaluation of the use of funds"),
    ("summary_coordination", "协同推进履职尽责情况", "Coordination and performance of duties"),
    ("summary_problems", "存在的问题", "Problems found"),
    ("summary_improvements", "改进措施", "Improvements"),
)


def build() -> tuple[Process, dict]:
    p = Process(
        "urumqi_annual_summary",
        "乌鲁木齐揭榜挂帅年度总结评价 Urumqi annual summary",
        "000 §12(8) 总结评价: every year the implementation of the 揭榜挂帅 projects, the support policies, the "
        "performance of the funds and the coordination and duties of the departments are summarised and the "
        "problems analysed. Start data: jurisdiction, year (a bureau starts it, e.g. jiebang start "
        'urumqi_annual_summary --data \'{"jurisdiction":"urumqi","year":2026}\'; there is no timer start: the engine '
        "creates instances only when someone starts them, and a SpiffWorkflow cycle-timer start event would run "
        "every year inside one never-ending instance). The figures come from annual_summary(jurisdiction, year) "
        "(engine/domain/reports.py); the joint meeting (联席会议, 000 §11, §12(5)) approves or returns the summary "
        "with an opinion; the approved report is kept in annual_report.",
        NS,
    )
    p.lane("bureau", "科技局")
    p.lane("approver", "联席会议")
    p.node("start", "start", "年度总结 Annual summary", "bureau", 0)
    p.node(
        "script",
        "compile",
        "汇总年度数据 Compile the figures",
        "bureau",
        1,
        script=COMPILE,
        doc="000 §12(8): needs posted and lists published, projects funded by status, money disbursed, recovered "
        "and paid by issuers (by tranche and project), credit records (000 §16) of the year, Asia/Shanghai.",
    )
    p.node("xgw", "write_again", "撰写总结", "bureau", 2, max_loops=MAX_REVIEW_ROUNDS)
    p.node(
        "user",
        "write_summary",
        "撰写总结评价 Write the summary",
        "bureau",
        3,
        form="annual_summary_write",
        doc="000 §12(8): implementation, support policies, funding performance, coordination and duties, "
        "problems, improvements.",
    )
    p.node(
        "user",
        "review",
        "审议 Review",
        "approver",
        4,
        form="annual_summary_review",
        doc="The joint meeting (联席会议, 000 §11) approves the summary or returns it with an opinion.",
    )
    p.node("script", "record_review", "记录审议意见 Record the opinion", "approver", 5, script=RECORD_REVIEW)
    p.node("xgw", "reviewed", "通过？", "approver", 6)
    p.node(
        "script",
        "store_report",
        "存档年度总结 Store the report",
        "bureau",
        7,
        script=STORE,
        doc="The approved annual summary (000 §12(8)) with its figures, texts and review history.",
    )
    p.node("end", "end", "总结完成 Summary approved", "bureau", 8)
    p.chain("start", "compile", "write_again", "write_summary", "review", "record_review", "reviewed")
    p.flow("reviewed", "write_again", "退回修改 Returned", cond="review_decision == 'return'")
    p.flow("reviewed", "store_report", "通过 Approved", default=True)
    p.flow("store_report", "end")
    return p, forms()


def _figure_fields() -> list[dict]:
    shown = [
        ("year_view", "year", "text", L("年度", "Year")),
        ("as_of_view", "figures.as_of", "datetime", L("数据截至", "Figures as of")),
        ("posted_view", "figures.needs.posted", "text", L("征集需求（项）", "Needs posted")),
        ("published_view", "figures.needs.published", "text", L("发布榜单（项）", "Challenges published")),
        ("funded_view", "figures.projects.funded", "text", L("立项项目（项）", "Projects funded")),
        ("funded_status_view", "funded_text", "text", L("立项项目状态", "Funded projects by status")),
        ("disbursed_view", "figures.money.disbursed_fen", "money", L("财政拨付", "Fiscal money disbursed")),
        (
            "recovered_view",
            "figures.money.recovered_fen",
            "money",
            L("收回财政资金", "Fiscal money recovered"),
        ),
        ("issuer_paid_view", "figures.money.issuer_paid_fen", "money", L("发榜方拨付", "Paid by issuers")),
        ("credit_view", "figures.credit.added", "text", L("新增信用记录（条）", "Credit records added")),
        ("details_view", "figures_text", "multiline", L("明细", "Details")),
    ]
    return [
        {"name": name, "type": "readonly", "source": source, "format": fmt, "label": label}
        for name, source, fmt, label in shown
    ]


def forms() -> dict:
    write_fields = [
        *_figure_fields(),
        {
            "name": "review_opinion_view",
            "type": "readonly",
            "source": "review_opinion",
            "format": "multiline",
            "label": L("联席会议退回意见", "Opinion of the joint meeting (when returned)"),
        },
    ]
    write_fields += [
        {
            "name": name,
            "type": "text",
            "multiline": True,
            "required": True,
            "max_length": 20000,
            "label": L(zh, en),
        }
        for name, zh, en in SUMMARY_FIELDS
    ]
    review_fields = [
        *_figure_fields(),
        *(
            {
                "name": f"{name}_view",
                "type": "readonly",
                "source": name,
                "format": "multiline",
                "label": L(zh, en),
            }
            for name, zh, en in SUMMARY_FIELDS
        ),
        {
            "name": "review_decision",
            "type": "select",
            "required": True,
            "label": L("审议结论", "Decision"),
            "options": [
                {"value": "approve", "label": L("通过", "Approve")},
                {"value": "return", "label": L("退回修改", "Return for revision")},
            ],
        },
        {
            "name": "review_opinion",
            "type": "text",
            "multiline": True,
            "required": True,
            "max_length": 5000,
            "label": L("审议意见", "Opinion"),
            "help": L("退回时写明需要修改的内容。", "When returning, say what must change."),
        },
    ]
    return {
        "annual_summary_write": {
            "id": "annual_summary_write",
            "title": L("撰写年度总结评价", "Write the annual summary"),
            "description": L(
                "000 §12(8)：全面总结本年度“揭榜挂帅”项目实施情况、扶持政策落实情况、资金使用绩效评价情况和协同推进履职尽责情况，分析存在的问题。",
                "000 §12(8): summarise the year's projects, support policies, funding performance and the "
                "coordination and duties of the departments, and analyse the problems.",
            ),
            "fields": write_fields,
        },
        "annual_summary_review": {
            "id": "annual_summary_review",
            "title": L("审议年度总结评价", "Review the annual summary"),
            "description": L(
                "联席会议审议年度总结评价：通过，或写明意见退回修改（000 §12(8)）。",
                "The joint meeting approves the annual summary or returns it with an opinion (000 §12(8)).",
            ),
            "fields": review_fields,
        },
    }


def write_files(
    root: Path, write: Callable[[Path, str], None], write_forms: Callable[[Path, dict], None]
) -> None:
    """bpmn/urumqi/annual_summary.bpmn and its forms in bpmn/urumqi/forms/."""
    proc, made = build()
    write(root / "urumqi" / "annual_summary.bpmn", proc.xml())
    write_forms(root / "urumqi" / "forms", made)
