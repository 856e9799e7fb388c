"""The figures of the annual summary (000 §12(8)) and of Zhangye's pilot evaluation (004 五(三)) as the text
the writing and reviewing tasks show. Pure functions on the figures of ``engine.domain.reports``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine.domain.problems import yuan

STATUSES = {
    "ongoing": "实施中 ongoing",
    "paying": "验收通过，发榜方支付合同款中 accepted, the issuer paying the contract",
    "accepted": "通过验收 accepted",
    "closed": "结题 closed",
    "failed": "验收不通过 failed",
    "terminated": "终止 terminated",
    "revoked": "撤销 revoked",
}
KINDS = {
    "disbursement": "财政拨付 disbursed",
    "recovery": "收回 recovered",
    "issuer_payment": "发榜方拨付 issuer paid",
}


def _status(code: Any) -> str:
    return STATUSES.get(code, code or "-")


def annual_texts(figures: Mapping[str, Any]) -> list[str]:
    """``[figures_text, funded_text]`` of one year's figures: money by tranche and by project, the funded
    projects, the credit records; and the projects counted by status."""
    money, projects, credit = figures["money"], figures["projects"], figures["credit"]
    lines = [
        "按批次 By tranche:",
        *(
            f"  {KINDS[t['kind']]} {t['tranche'] or '-'}: {yuan(t['amount_fen'])} 元 CNY ({t['entries']})"
            for t in money["by_tranche"]
        ),
        "按项目 By project:",
        *(
            f"  {p['project']} {p['title'] or ''} [{_status(p['status'])}]: 拨付 disbursed "
            f"{yuan(p['disbursed_fen'])}, 收回 recovered {yuan(p['recovered_fen'])}, 发榜方拨付 issuer paid "
            f"{yuan(p['issuer_paid_fen'])} 元 CNY"
            for p in money["projects"]
        ),
        "立项项目 Funded projects:",
        *(f"  {p['code']} {p['title']} [{_status(p['status'])}]" for p in projects["list"]),
        f"信用记录 Credit records ({credit['source']}):",
        *(
            f"  {r.get('subject_name') or r['subject']} {r['kind']} {r['recorded_on']} ({r['source'] or '-'})"
            for r in credit["records"]
        ),
    ]
    funded = ", ".join(f"{_status(k)} {v}" for k, v in projects["by_status"].items())
    return ["\n".join(lines), funded]


def pilot_texts(per_year: Sequence[Mapping[str, Any]], jurisdiction: str) -> list[Any]:
    """``[figures, figures_text, funded_text]`` of the pilot years (004 五(三)): the years' figures summed, one
    line per year, and the funded projects per year."""
    figures = {
        "jurisdiction": jurisdiction,
        "as_of": per_year[-1]["as_of"],
        "needs": {
            "posted": sum(f["needs"]["posted"] for f in per_year),
            "published": sum(f["needs"]["published"] for f in per_year),
        },
        "projects": {"funded": sum(f["projects"]["funded"] for f in per_year)},
        "money": {
            key: sum(f["money"][key] for f in per_year)
            for key in ("disbursed_fen", "recovered_fen", "issuer_paid_fen")
        },
        "credit": {"added": sum(f["credit"]["added"] for f in per_year)},
    }
    text = "\n".join(
        f"{f['year']}: 需求 needs {f['needs']['posted']}, 榜单 published {f['needs']['published']}, 立项 funded "
        f"{f['projects']['funded']}, 拨付 disbursed {yuan(f['money']['disbursed_fen'])}, 收回 recovered "
        f"{yuan(f['money']['recovered_fen'])} 元 CNY"
        for f in per_year
    )
    funded = ", ".join(f"{f['year']}: {f['projects']['funded']}" for f in per_year)
    return [figures, text, funded]
