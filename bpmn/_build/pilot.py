"""Zhangye's comprehensive evaluation at the end of the pilot (004 五(三)): "试点结束后，由市科技局牵头进行综合评估。
评估通过后，进一步完善机制，正式推广施行。试点期间出现的问题，由市委人才工作领导小组研究解决。"

The figures of every pilot year come from ``annual_summary`` (engine/domain/reports.py); the bureau writes the
evaluation; the talent-work group leader decides: promote formally, keep piloting while the mechanism is
improved, or return the evaluation with an opinion. The approved evaluation is kept in ``pilot_report``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from annual import RECORD_REVIEW, L, _figure_fields
from bpmngen import Process

NS = "http://jiebang.example/bpmn/zhangye"
SOURCE = "004 五(三)"
MAX_REVIEW_ROUNDS = 20

COMPILE = """per_year = [annual_summary(jurisdiction, y) for y in range(int(from_year), int(to_year) + 1)]
year = f'{from_year}–{to_year}'
review_rounds = 0
review_history = []
figures = {
    'jurisdiction': jurisdiction,
    'as_of': per_year[-1]['as_of'],
    'needs': {'posted': sum([f['needs']['posted'] for f in per_year]), 'published': sum([f['needs']['published'] for f in per_year])},
    'projects': {'funded': sum([f['projects']['funded'] for f in per_year])},
    'money': {
        'disbursed_fen': sum([f['money']['disbursed_fen'] for f in per_year]),
        'recovered_fen': sum([f['money']['recovered_fen'] for f in per_year]),
        'issuer_paid_fen': sum([f['money']['issuer_paid_fen'] for f in per_year]),
    },
    'credit': {'added': sum([f['credit']['added'] for f in per_year])},
}
yuan = lambda fen: f'{fen // 100:,}.{fen % 100:02d}'
figures_text = '\\n'.join([
    f"{f['year']}: 需求 needs {f['needs']['posted']}, 榜单 published {f['needs']['published']}, 立项 funded {f['projects']['funded']}, 拨付 disbursed {yuan(f['money']['disbursed_fen'])}, 收回 recovered {yuan(f['money']['recovered_fen'])} 元 CNY"
    for f in per_year
])
funded_text = ', '.join([f"{f['year']}: {f['projects']['funded']}" for f in per_year])
del yuan
"""

STORE = """pilot_report = {
    'jurisdiction': jurisdiction,
    'years': [from_year, to_year],
    'source': '004 五(三)',
    'figures': figures,
    'per_year': per_year,
    'results': pilot_results,
    'mechanism': pilot_mechanism,
    'problems': pilot_problems,
    'improvements': pilot_improvements,
    'decision': review_decision,
    'review_opinion': review_opinion,
    'review_rounds': review_rounds,
    'review_history': review_history,
    'decided_at': now(),
}
"""

SECTIONS = (
    (
        "pilot_results",
        "试点成效（攻关突破、人才团队、成果转化）",
        "Results (breakthroughs, talent teams, transfers)",
    ),
    ("pilot_mechanism", "机制运行情况", "How the mechanism worked"),
    ("pilot_problems", "试点期间出现的问题", "Problems during the pilot"),
    ("pilot_improvements", "完善机制的建议", "Proposals to improve the mechanism"),
)


def build() -> tuple[Process, dict]:
    p = Process(
        "zhangye_pilot_evaluation",
        "张掖揭榜挂帅试点综合评估 Zhangye pilot evaluation",
        "004 五(三): after the pilot the bureau leads a comprehensive evaluation; when it passes the mechanism is "
        "improved and formally promoted; problems are resolved by the talent-work group. Start data: "
        "jurisdiction ('zhangye'), from_year, to_year (the pilot years). A bureau starts it.",
        NS,
    )
    p.lane("bureau", "市科技局")
    p.lane("approver", "市委人才工作领导小组组长")
    p.node("start", "start", "试点结束 Pilot ends", "bureau", 0)
    p.node(
        "script",
        "compile",
        "汇总试点数据 Compile the pilot figures",
        "bureau",
        1,
        script=COMPILE,
        doc="The figures of every pilot year (annual_summary), added up.",
    )
    p.node("xgw", "write_again", "撰写评估", "bureau", 2, max_loops=MAX_REVIEW_ROUNDS)
    p.node(
        "user",
        "write_evaluation",
        "撰写综合评估 Write the evaluation",
        "bureau",
        3,
        form="pilot_evaluation_write",
        doc="004 五(三): the bureau leads the comprehensive evaluation.",
    )
    p.node(
        "user",
        "review",
        "审定 Decide",
        "approver",
        4,
        form="pilot_evaluation_review",
        doc="004 五(三), 三(五): the group leader decides; problems of the pilot are resolved by the group.",
    )
    p.node("script", "record_review", "记录意见 Record the opinion", "approver", 5, script=RECORD_REVIEW)
    p.node("xgw", "reviewed", "结论？", "approver", 6)
    p.node("script", "store_report", "存档评估 Store the evaluation", "bureau", 7, script=STORE)
    p.node("end", "end", "评估完成 Evaluation decided", "bureau", 8)
    p.chain("start", "compile", "write_again", "write_evaluation", "review", "record_review", "reviewed")
    p.flow("reviewed", "write_again", "退回修改 Returned", cond="review_decision == 'return'")
    p.flow("reviewed", "store_report", "推广或继续试点 Decided", default=True)
    p.flow("store_report", "end")
    return p, forms()


def forms() -> dict:
    figures = [f for f in _figure_fields() if f["name"] != "year_view"]
    figures.insert(
        0, {"name": "years_view", "type": "readonly", "source": "year", "label": L("试点期", "Pilot years")}
    )
    sections = [
        {
            "name": n,
            "type": "text",
            "multiline": True,
            "required": True,
            "max_length": 20000,
            "label": L(zh, en),
        }
        for n, zh, en in SECTIONS
    ]
    shown = [
        {"name": f"{n}_view", "type": "readonly", "source": n, "format": "multiline", "label": L(zh, en)}
        for n, zh, en in SECTIONS
    ]
    return {
        "pilot_evaluation_write": {
            "id": "pilot_evaluation_write",
            "title": L("撰写试点综合评估", "Write the pilot evaluation"),
            "description": L(
                "004 五(三)：试点结束后，由市科技局牵头进行综合评估。",
                "004 五(三): the bureau evaluates the pilot.",
            ),
            "fields": [
                *figures,
                {
                    "name": "review_opinion_view",
                    "type": "readonly",
                    "source": "review_opinion",
                    "format": "multiline",
                    "label": L("退回意见", "Opinion when returned"),
                },
                *sections,
            ],
        },
        "pilot_evaluation_review": {
            "id": "pilot_evaluation_review",
            "title": L("审定试点综合评估", "Decide on the pilot evaluation"),
            "description": L(
                "004 五(三)：评估通过后，进一步完善机制，正式推广施行。",
                "004 五(三): when the evaluation passes, the mechanism is improved and formally promoted.",
            ),
            "fields": [
                *figures,
                *shown,
                {
                    "name": "review_decision",
                    "type": "select",
                    "required": True,
                    "label": L("结论", "Decision"),
                    "options": [
                        {
                            "value": "promote",
                            "label": L("评估通过，正式推广施行", "Passed: promote formally"),
                        },
                        {"value": "continue", "label": L("完善机制后继续试点", "Improve and keep piloting")},
                        {"value": "return", "label": L("退回修改评估", "Return the evaluation")},
                    ],
                },
                {
                    "name": "review_opinion",
                    "type": "text",
                    "multiline": True,
                    "required": True,
                    "max_length": 5000,
                    "label": L("意见", "Opinion"),
                },
            ],
        },
    }


def write_files(
    root: Path, write: Callable[[Path, str], None], write_forms: Callable[[Path, dict], None]
) -> None:
    """bpmn/zhangye/pilot_evaluation.bpmn and its forms in bpmn/zhangye/forms/."""
    proc, made = build()
    write(root / "zhangye" / "pilot_evaluation.bpmn", proc.xml())
    write_forms(root / "zhangye" / "forms", made)
