"""The simulated clock in the browser, for training and demonstration deployments only
(``JIEBANG_SIMULATED_CLOCK=1``): a banner on every page says the time is simulated; an administrator sets or
advances it here and sees which deadlines fall due and fire (engine.simulation). Elsewhere: 404, no banner."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.clock import SHANGHAI
from engine.deadlines import pending_timers
from engine.errors import ValidationFailed
from engine.simulation import move_clock, simulated_clock
from web.access import me, rule
from web.extensions import db
from web.i18n import current_lang

bp = Blueprint("clock_admin", __name__, url_prefix="/admin/clock")

UNITS = {"hours": timedelta(hours=1), "days": timedelta(days=1), "weeks": timedelta(weeks=1)}


@bp.app_context_processor
def clock_banner() -> dict[str, Any]:
    return {"clock_simulated": simulated_clock(db.session()) is not None}


def _require_simulated() -> None:
    if simulated_clock(db.session()) is None:
        abort(404)


def _page(errors: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    session = db.session()
    now = simulated_clock(session).now()  # type: ignore[union-attr]
    return (
        render_template(
            "admin/clock.html",
            clock_now=now,
            local_value=now.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M"),
            timers=pending_timers(session, viewer=me(), limit=50),
            errors=errors or {},
            form=request.form,
        ),
        status,
    )


@bp.get("/")
@rule("clock")
def index() -> tuple[str, int]:
    _require_simulated()
    return _page()


@bp.post("/")
@rule("clock")
def move() -> Response | tuple[str, int]:
    _require_simulated()
    action = request.form.get("action")
    try:
        if action == "set":
            raw = request.form.get("to", "")
            try:
                to = datetime.strptime(raw, "%Y-%m-%dT%H:%M").replace(tzinfo=SHANGHAI)
            except ValueError:
                return _page({"to": _("请按“年-月-日 时:分”填写北京时间。")}, 422)
            done = move_clock(db.session(), to=to, viewer=me())
        elif action == "advance":
            unit = UNITS.get(request.form.get("unit", ""))
            try:
                amount = int(request.form.get("amount", ""))
            except ValueError:
                amount = 0
            if unit is None or not 1 <= amount <= 1000:
                return _page({"amount": _("请填写 1 到 1000 之间的整数，并选择单位。")}, 422)
            done = move_clock(db.session(), by=unit * amount, viewer=me())
        else:
            abort(400)
    except ValidationFailed as exc:
        return _page({"to" if action == "set" else "amount": exc.message(current_lang())}, 422)
    when = done.after.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    flash(_("模拟时钟已调到 %(when)s。", when=when), "success")
    if done.fell_due:
        names = "；".join(f"{t.title}（{t.name or _('定时器')}）" for t in done.fell_due[:10])
        flash(_("%(num)s 个期限已到期并触发：%(names)s", num=len(done.fell_due), names=names), "info")
    else:
        flash(_("这段时间内没有期限到期。"), "info")
    return redirect(url_for("clock_admin.index"))
