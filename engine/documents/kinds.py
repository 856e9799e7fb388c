"""The documents the system draws, what each needs from the case and which values it prints.

A kind is available for an instance once the case holds what it prints (a publicity notice once publicity
has begun, a task book once it is signed, …). ``context`` turns the case data — filtered for the kind's
audience by the access policy — into the values the template prints: names for codes, money in 元, times in
Beijing time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.access.principal import Audience
from engine.documents.formatting import Names, beijing, yuan
from engine.domain import ledger
from engine.labels import jurisdiction_name, tranche_name
from engine.models.instance import ProcessInstance

Context = dict[str, Any]

PROJECT_STATUS_NAMES = {
    "ongoing": "实施中",
    "paying": "验收通过，发榜方支付合同款中",
    "accepted": "通过验收",
    "closed": "结题",
    "failed": "验收不通过",
    "terminated": "终止",
    "revoked": "撤销",
}
LEDGER_KIND_NAMES = {"disbursement": "财政拨付", "recovery": "收回财政资金", "issuer_payment": "发榜方拨付"}
OUTCOME_NAMES = {"pass": "通过", "fail": "不通过", "closed": "结题"}
FAIL_CAUSE_NAMES = {"objective": "客观原因", "subjective": "非客观原因"}


@dataclass(frozen=True)
class Kind:
    key: str
    title_zh: str
    title_en: str
    #: whose fields the document may print (the access policy's audience)
    audience: Audience
    #: the case holds what the document prints
    available: Callable[[ProcessInstance, Mapping[str, Any]], bool]
    context: Callable[[Session, ProcessInstance, Mapping[str, Any]], Context]

    def title(self, lang: str = "zh") -> str:
        return self.title_zh if lang.startswith("zh") else self.title_en


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if v]
    return [str(value)] if value else []


def _selected(data: Mapping[str, Any]) -> list[str]:
    return _as_list(data.get("solvers")) or _as_list(data.get("selected"))


def _common(session: Session, instance: ProcessInstance, data: Mapping[str, Any]) -> tuple[Context, Names]:
    units = [data.get("issuer_code"), *_selected(data)]
    names = Names(session, [u for u in units if u])
    return (
        {
            "jurisdiction": jurisdiction_name(instance.jurisdiction),
            "project_title": data.get("need_title") or data.get("title") or instance.title or "",
            "project_code": data.get("project_code") or instance.business_key or "",
            "issuer": names.unit(data.get("issuer_code")),
            "solvers": [names.unit(code) for code in _selected(data)],
        },
        names,
    )


def _length(amount: Any, unit: Any) -> str:
    if amount in (None, ""):
        return ""
    return f"{amount} 个工作日" if unit in ("working_days", "workdays") else f"{amount} 日"


def _notice(session: Session, instance: ProcessInstance, data: Mapping[str, Any]) -> Context:
    ctx, _ = _common(session, instance, data)
    ctx.update(
        contract=yuan(data.get("contract_fen")),
        fiscal=yuan(data.get("fiscal_support_fen")),
        start=beijing(data.get("publicity_start")),
        end=beijing(data.get("publicity_end")),
        length=_length(data.get("publicity_length"), data.get("publicity_unit")),
    )
    return ctx


def _milestones(data: Mapping[str, Any]) -> list[dict[str, str]]:
    rows = data.get("milestones") if isinstance(data.get("milestones"), list) else []
    return [
        {
            "title": str(m.get("title") or ""),
            "due": beijing(m.get("due_date"), with_time=False),
            "indicators": str(m.get("indicators") or ""),
            "method": str(m.get("method") or ""),
            "share": f"{m['tranche_pct']} %" if m.get("tranche_pct") not in (None, "") else "—",
        }
        for m in rows
        if isinstance(m, Mapping)
    ]


def _person(session: Session, data: Mapping[str, Any], key: str) -> str | None:
    """The name of the person a picker of the task data holds under ``key`` (a name typed in a form before the
    picker, kept by an instance of an older version, prints as it was)."""
    code = data.get(key)
    return Names(session, [], [str(code)]).person(code) if code else None


def _task_book(session: Session, instance: ProcessInstance, data: Mapping[str, Any]) -> Context:
    ctx, _ = _common(session, instance, data)
    project = ctx["project_code"]
    money = ledger.balance(session, project) if project else {}
    ctx.update(
        indicators=data.get("indicators") or "",
        period_months=data.get("period_months"),
        period_end=beijing(data.get("period_end"), with_time=False),
        contract=yuan(data.get("contract_fen")),
        fiscal=yuan(data.get("fiscal_support_fen")),
        issuer_owes=yuan(data.get("prepay_needed_fen")) if data.get("prepay_needed_fen") else "",
        ip=data.get("ip_ownership") or data.get("ip_terms") or "",
        plan=data.get("disbursement_plan") or "",
        milestones=_milestones(data),
        # people picked by name (003 §12(8) the solver's chief expert; 004 五(一) the commissioner the county
        # sends): their names; a name typed before the pickers stays as it was
        chief_expert=_person(session, data, "chief_expert") if instance.jurisdiction == "karamay" else None,
        commissioner=_person(session, data, "commissioner") if instance.jurisdiction == "zhangye" else None,
        confidentiality=bool(data.get("confidentiality")) if instance.jurisdiction == "dazu" else None,
        disbursed=yuan(money.get("disbursed_fen", 0)),
        issuer_paid=yuan(money.get("issuer_paid_fen", 0)),
    )
    return ctx


def _acceptance(session: Session, instance: ProcessInstance, data: Mapping[str, Any]) -> Context:
    ctx, _ = _common(session, instance, data)
    project = ctx["project_code"]
    entries = ledger.entries(session, project) if project else []
    outcome = str(data.get("acceptance_outcome") or "")
    ctx.update(
        outcome=OUTCOME_NAMES.get(outcome, outcome),
        passed=outcome != "fail",
        cause=FAIL_CAUSE_NAMES.get(str(data.get("acceptance_fail_cause") or ""), ""),
        recover=yuan(data.get("acceptance_recover_fen")) if data.get("acceptance_recover_fen") else "",
        opinion=data.get("acceptance_opinion") or "",
        period_end=beijing(data.get("period_end"), with_time=False),
        source=data.get("acceptance_source") or "",
        ledger=[
            {
                "at": beijing(e["at"], with_time=False),
                "kind": LEDGER_KIND_NAMES.get(str(e["kind"]), str(e["kind"])),
                "tranche": tranche_name(str(e["tranche"] or "")),
                "amount": yuan(e["amount_fen"]),
            }
            for e in entries
        ],
    )
    return ctx


def _bar_chart(rows: list[tuple[str, int]]) -> list[dict[str, Any]]:
    """Bars for an inline SVG chart: label, amount in 元, width in percent of the largest."""
    top = max((amount for _, amount in rows), default=0) or 1
    return [
        {"label": label, "amount": yuan(amount), "width": round(100 * amount / top, 1)}
        for label, amount in rows
    ]


def _annual(session: Session, instance: ProcessInstance, data: Mapping[str, Any]) -> Context:
    report = data.get("annual_report") or {}
    figures = report.get("figures") or {}
    money = figures.get("money") or {}
    projects = figures.get("projects") or {}
    needs = figures.get("needs") or {}
    return {
        "jurisdiction": jurisdiction_name(instance.jurisdiction),
        "year": report.get("year"),
        "source": report.get("source") or "",
        "as_of": beijing(figures.get("as_of")),
        "posted": needs.get("posted", 0),
        "published": needs.get("published", 0),
        "funded": projects.get("funded", 0),
        "by_status": [
            (PROJECT_STATUS_NAMES.get(k, k), n) for k, n in (projects.get("by_status") or {}).items() if n
        ],
        "projects": [
            {
                "title": p.get("title") or "",
                "status": PROJECT_STATUS_NAMES.get(p.get("status"), p.get("status")),
            }
            for p in projects.get("list") or []
        ],
        "bars": _bar_chart(
            [
                ("财政拨付", int(money.get("disbursed_fen") or 0)),
                ("收回财政资金", int(money.get("recovered_fen") or 0)),
                ("发榜方拨付", int(money.get("issuer_paid_fen") or 0)),
            ]
        ),
        "sections": [
            ("项目实施情况", report.get("implementation") or ""),
            ("扶持政策落实情况", report.get("policy") or ""),
            ("资金使用绩效评价情况", report.get("funding_performance") or ""),
            ("协同推进履职尽责情况", report.get("coordination") or ""),
            ("存在的问题", report.get("problems") or ""),
            ("改进措施", report.get("improvements") or ""),
        ],
        "review_opinion": report.get("review_opinion") or "",
    }


KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind(
            "publicity_notice",
            "揭榜挂帅项目公示",
            "Publicity notice",
            Audience.PARTY,
            lambda _i, d: bool(d.get("publicity_start")) and bool(_selected(d)),
            _notice,
        ),
        Kind(
            "task_book",
            "揭榜挂帅项目任务书",
            "Task book",
            Audience.PARTY,
            lambda _i, d: bool(d.get("period_end")) and bool(_selected(d)),
            _task_book,
        ),
        Kind(
            "acceptance_conclusion",
            "项目验收结论书",
            "Acceptance conclusion",
            Audience.PARTY,
            lambda _i, d: bool(d.get("acceptance_outcome")),
            _acceptance,
        ),
        Kind(
            "annual_summary",
            "揭榜挂帅工作年度总结评价报告",
            "Annual summary",
            Audience.PARTY,
            lambda _i, d: isinstance(d.get("annual_report"), Mapping),
            _annual,
        ),
    )
}
