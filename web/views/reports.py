"""Reports: the annual summary 总结评价 of a jurisdiction (000 §12(8)).

``/reports/annual?jurisdiction=urumqi&year=2026`` shows the year's figures (``engine.domain.reports``, SQL only)
and the summaries written in the ``<jurisdiction>_annual_summary`` process for that year. Roles: ``bureau`` and
``supervisor`` of the jurisdiction (or of every jurisdiction) and ``admin``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from sqlalchemy import select

from engine import start_forms
from engine.access import oversight_scope
from engine.clock import SHANGHAI, get_clock
from engine.domain.problems import citation
from engine.domain.reports import annual_summary
from engine.errors import JiebangError, NotFound
from engine.labels import credit_kind_name, jurisdiction_name, tranche_name
from engine.models.deployment import ProcessVersion
from engine.models.instance import ProcessInstance
from engine.runtime import load_workflow
from forms.convert import format_money_fen
from web import exports
from web.access import me, rule
from web.extensions import db
from web.i18n import current_lang

bp = Blueprint("reports", __name__, url_prefix="/reports")

#: Summary instances read per page view (one a year is the norm; returned drafts are in the same instance).
MAX_SUMMARIES = 10


def report_scope() -> list[str] | None:
    """None: every jurisdiction; else the jurisdictions the signed-in user oversees (the policy's answer)."""
    return oversight_scope(me())


def _deployed_jurisdictions() -> list[str]:
    keys = db.session.scalars(select(ProcessVersion.process_key).distinct())
    return sorted(k.removesuffix("_challenge") for k in keys if k.endswith("_challenge"))


def money(fen: int | None) -> str:
    amount = format_money_fen(int(fen or 0), grouping=True)
    return f"{amount} 元" if current_lang() == "zh" else f"CNY {amount}"


def summaries(jurisdiction: str, year: int) -> list[dict[str, Any]]:
    """The newest instances of ``<jurisdiction>_annual_summary`` for ``year``, with the approved report of
    completed ones (``annual_report`` in the instance's data)."""
    session = db.session()
    rows = session.scalars(
        select(ProcessInstance)
        .where(
            ProcessInstance.process_key == f"{jurisdiction}_annual_summary",
            ProcessInstance.jurisdiction == jurisdiction,
        )
        .order_by(ProcessInstance.id.desc())
        .limit(MAX_SUMMARIES)
    )
    found = []
    for inst in rows:
        wf = load_workflow(session, inst)
        data = wf.data if wf.is_completed() else {}
        report = data.get("annual_report")
        started_for = report["year"] if report else _start_year(wf)
        if started_for == year:
            found.append({"instance": inst, "report": report})
    return found


def _start_year(wf: Any) -> int | None:
    for task in wf.get_tasks():
        value = task.data.get("year")
        if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
            return int(value)
    return None


#: The summing-up process of each jurisdiction whose measures ask for one: Urumqi's annual summary (000 §12(8)),
#: Zhangye's comprehensive evaluation after the pilot (004 五(三)). Dazu's and Karamay's measures ask for none.
SUMMARY_PROCESSES = {"urumqi": "urumqi_annual_summary", "zhangye": "zhangye_pilot_evaluation"}


def summary_process(jurisdiction: str) -> str | None:
    """The key of the jurisdiction's summing-up process, when one is deployed."""
    key = SUMMARY_PROCESSES.get(jurisdiction)
    if key is None:
        return None
    deployed = db.session.scalar(select(ProcessVersion.id).where(ProcessVersion.process_key == key).limit(1))
    return key if deployed is not None else None


def _start_url(jurisdiction: str) -> str | None:
    """The start form of the jurisdiction's summing-up process, when the user may start it there."""
    key = summary_process(jurisdiction)
    if key is None:
        return None
    try:
        item = start_forms.find_startable(db.session(), me(), key)
    except NotFound:
        return None
    return (
        url_for("start.form", key=key, jurisdiction=jurisdiction)
        if jurisdiction in item.jurisdictions
        else None
    )


@bp.get("/annual")
@rule("reports")
def annual() -> tuple[str, int]:
    session = db.session()
    now = get_clock(session).now()
    this_year = now.astimezone(SHANGHAI).year
    scope = report_scope()
    choices = scope if scope is not None else _deployed_jurisdictions()
    jurisdiction = request.args.get("jurisdiction", "").strip() or (choices[0] if choices else "")
    if scope is not None and jurisdiction not in scope:
        abort(403)
    year = request.args.get("year", "").strip() or str(this_year)
    figures, error, status, found = None, None, 200, []
    try:
        figures = annual_summary(session, jurisdiction, year, now=now)
        found = summaries(figures["jurisdiction"], figures["year"])
    except JiebangError as exc:
        error, status = exc.message(current_lang()), exc.http_status
    return (
        render_template(
            "reports/annual.html",
            d=figures,
            error=error,
            jurisdiction=jurisdiction,
            year=year,
            this_year=this_year,
            choices=choices,
            summaries=found,
            money=money,
            summary_key=summary_process(jurisdiction),
            start_url=_start_url(jurisdiction),
        ),
        status,
    )


STATUS_NAMES = {
    "ongoing": lazy_gettext("实施中"),
    "paying": lazy_gettext("验收通过，发榜方支付合同款中"),
    "accepted": lazy_gettext("通过验收"),
    "closed": lazy_gettext("结题"),
    "failed": lazy_gettext("验收不通过"),
    "terminated": lazy_gettext("终止"),
    "revoked": lazy_gettext("撤销"),
}
KIND_NAMES = {
    "disbursement": lazy_gettext("财政拨付"),
    "recovery": lazy_gettext("收回"),
    "issuer_payment": lazy_gettext("发榜方拨付"),
}


@bp.get("/annual.xlsx")
@rule("reports")
def annual_export() -> Response:
    """The figures of the annual page as a workbook: projects, money by tranche and by project, credit records."""
    session = db.session()
    now = get_clock(session).now()
    scope = report_scope()
    jurisdiction = request.args.get("jurisdiction", "").strip()
    if scope is not None and jurisdiction not in scope:
        abort(403)
    try:
        d = annual_summary(session, jurisdiction, request.args.get("year", "").strip(), now=now)
    except JiebangError as exc:
        abort(Response(exc.message(current_lang()), status=exc.http_status, mimetype="text/plain"))
    lang = current_lang()
    status = lambda code: str(STATUS_NAMES.get(code, code or ""))  # noqa: E731
    sheets = [
        exports.Sheet(
            gettext("立项项目"),
            [gettext("项目编号"), gettext("项目名称"), gettext("状态"), gettext("立项时间")],
            [
                [p["code"], p["title"], status(p["status"]), datetime.fromisoformat(p["opened_at"])]
                for p in d["projects"]["list"]
            ],
        ),
        exports.Sheet(
            gettext("资金按批次"),
            [gettext("类型"), gettext("批次"), gettext("金额（元）"), gettext("笔数")],
            [
                [
                    str(KIND_NAMES.get(t["kind"], t["kind"])),
                    tranche_name(t["tranche"], lang),
                    exports.yuan(t["amount_fen"]),
                    t["entries"],
                ]
                for t in d["money"]["by_tranche"]
            ],
        ),
        exports.Sheet(
            gettext("资金按项目"),
            [
                gettext("项目编号"),
                gettext("项目名称"),
                gettext("状态"),
                gettext("财政拨付（元）"),
                gettext("收回（元）"),
                gettext("发榜方拨付（元）"),
            ],
            [
                [
                    p["project"],
                    p["title"] or "",
                    status(p["status"]),
                    exports.yuan(p["disbursed_fen"]),
                    exports.yuan(p["recovered_fen"]),
                    exports.yuan(p["issuer_paid_fen"]),
                ]
                for p in d["money"]["projects"]
            ],
        ),
        exports.Sheet(
            gettext("信用记录"),
            [gettext("记录日期"), gettext("对象"), gettext("类型"), gettext("惩戒期至"), gettext("依据")],
            [
                [
                    r["recorded_on"],
                    r["subject_name"],
                    credit_kind_name(r["kind"], lang),
                    r["penalty_until"] or "",
                    citation(r["source"]) or r["source"] or "",
                ]
                for r in d["credit"]["records"]
            ],
        ),
    ]
    name = f"{jurisdiction_name(d['jurisdiction'], lang)}-{d['year']}-{gettext('年度总结评价')}.xlsx"
    return exports.xlsx_file(
        name, exports.workbook_of(sheets, gettext("仅导出前 %(n)s 行，请缩小筛选范围。", n=exports.MAX_ROWS))
    )
