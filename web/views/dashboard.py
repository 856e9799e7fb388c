"""The supervisor's dashboard: the instances of the viewer's jurisdictions by stage and status, open windows
with their exact ends, tasks due and overdue by role and person, failed instances with their errors, and the
money moved per jurisdiction and year — as charts (ECharts, served from our own static files) with the tables
behind them; every bar and row opens the list it counts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, url_for

from engine import dashboard
from engine.clock import get_clock
from engine.labels import jurisdiction_name, role_name
from engine.lint import role_of_lane
from web.access import rule
from web.extensions import db
from web.i18n import current_lang, stage_text
from web.views.monitor import STATUS_LABELS, visible_jurisdictions

bp = Blueprint("dashboard", __name__)


def _chart_data(board: dashboard.Dashboard, lang: str) -> dict[str, Any]:
    """What dashboard.js draws: labels, series and the link of every bar."""
    names = {j: jurisdiction_name(j, lang) for j in board.jurisdictions}
    stages = sorted({s for _, s, _ in board.stages})
    stage_label = {s: stage_text(s) or ("（未命名）" if lang == "zh" else "(unnamed)") for s in stages}
    by_stage = {(j, s): n for j, s, n in board.stages}
    statuses = list(STATUS_LABELS)
    by_status = {(j, s): n for j, s, n in board.statuses}
    years = sorted({y for _, y, *_ in board.money})
    return {
        "stages": {
            "categories": [stage_label[s] for s in stages],
            "series": [
                {
                    "name": names[j],
                    "data": [
                        {
                            "value": by_stage.get((j, s), 0),
                            "url": url_for(
                                "monitor.index", jurisdiction=j, status="running", stage_is=s or "-"
                            ),
                        }
                        for s in stages
                    ],
                }
                for j in board.jurisdictions
            ],
        },
        "statuses": {
            "categories": [names[j] for j in board.jurisdictions],
            "series": [
                {
                    "name": str(STATUS_LABELS[s]),
                    "data": [
                        {
                            "value": by_status.get((j, s), 0),
                            "url": url_for("monitor.index", jurisdiction=j, status=s),
                        }
                        for j in board.jurisdictions
                    ],
                }
                for s in statuses
            ],
        },
        "money": {
            "categories": [f"{names.get(j, j)} {y}" for j, y, *_ in board.money],
            "series": [
                {
                    "name": label,
                    "data": [
                        {
                            "value": row[index] / 100,
                            "url": url_for("reports.annual", jurisdiction=row[0], year=row[1]),
                        }
                        for row in board.money
                    ],
                }
                for index, label in (
                    (2, "财政拨付" if lang == "zh" else "Fiscal money paid"),
                    (3, "收回财政资金" if lang == "zh" else "Fiscal money recovered"),
                    (4, "发榜方拨付" if lang == "zh" else "Paid by issuers"),
                )
            ],
            "unit": "元" if lang == "zh" else "CNY",
            "years": years,
        },
    }


@bp.get("/dashboard")
@rule("monitor")
def index() -> str:
    session = db.session()
    now = get_clock(session).now()
    board = dashboard.build(session, visible_jurisdictions(), now)
    lang = current_lang()
    return render_template(
        "dashboard/index.html",
        board=board,
        at=now,
        chart=_chart_data(board, lang),
        statuses=STATUS_LABELS,
        lane_role=lambda lane: role_name(role_of_lane(lane) or lane, lang),
    )
