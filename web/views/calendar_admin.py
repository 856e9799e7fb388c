"""Holiday schedule administration (admin, bureau): which years are loaded, importing next year's official
schedule from a CSV file with a preview, the staff banner while next year is missing, and retrying the
instances that failed for a missing year (engine.calendar_status): the import retries those of the years it
loaded, and the retry button any whose year is loaded now (e.g. imported with ``jiebang calendar import``)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from engine.calendar import decode_calendar_bytes, import_calendar_text, preview_calendar_text
from engine.calendar_status import (
    CalendarRetries,
    failed_for_calendar,
    import_retrying,
    loaded_years,
    missing_next_year,
    retry_calendar_failures,
    windows_reaching,
)
from engine.clock import SHANGHAI, get_clock
from engine.errors import ValidationFailed
from web.access import me, rule
from web.extensions import db
from web.i18n import current_lang

bp = Blueprint("calendar_admin", __name__, url_prefix="/admin/calendar")

#: An official schedule is a few dozen lines; anything far larger is not one.
MAX_FILE_BYTES = 64 * 1024


@bp.app_context_processor
def calendar_banner() -> dict[str, Any]:
    """``calendar_missing_year`` for the staff banner in base.html (None when nothing is missing)."""
    if not current_user.is_authenticated or not current_user.has_role(
        "admin", "bureau", "supervisor", anywhere=True
    ):
        return {"calendar_missing_year": None}
    return {"calendar_missing_year": missing_next_year(db.session())}


_IMPORTED = re.compile(r"^import:(?P<file>.*) \((?P<user>[^()\s]+)\)$")


def _imported(source: str) -> tuple[str, str | None]:
    """An imported year's file name and the account that imported it (stored ``import:FILE (USERNAME)``), so
    that the page names the person, not the account."""
    found = _IMPORTED.match(source)
    if found is None:
        return source.removeprefix("import:"), None
    return found["file"], found["user"]


def _page(**extra: Any) -> str:
    session = db.session()
    missing = missing_next_year(session)
    return render_template(
        "admin/calendar.html",
        years=loaded_years(session),
        missing=missing,
        windows=windows_reaching(session, missing, me()) if missing else [],
        failures=failed_for_calendar(session, me()),
        recent_from=get_clock(session).now().astimezone(SHANGHAI).year - 1,
        imported=_imported,
        **extra,
    )


@bp.get("/")
@rule("calendar")
def index() -> str:
    return _page()


def _problems(exc: ValidationFailed) -> list[str]:
    lang = current_lang()
    lines = exc.details.get("problems") or []
    if not lines:
        return [exc.message(lang)]
    label = "第 {} 行：{}" if lang == "zh" else "Line {}: {}"
    return [label.format(p["line"], p["zh"] if lang == "zh" else p["en"]) for p in lines]


@bp.post("/preview")
@rule("calendar")
def preview() -> str | tuple[str, int]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(upload_errors=[_("请选择要导入的 CSV 文件。")]), 422
    raw = upload.stream.read(MAX_FILE_BYTES + 1)
    filename = upload.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:100]
    if len(raw) > MAX_FILE_BYTES:
        too_big = _("文件超过 %(kb)s KB，不像节假日安排文件。请检查后重新选择。", kb=MAX_FILE_BYTES // 1024)
        return _page(upload_errors=[too_big]), 422
    try:
        text = decode_calendar_bytes(raw, filename)
        previews = preview_calendar_text(db.session(), text, filename)
    except ValidationFailed as exc:
        return _page(upload_errors=_problems(exc), filename=filename), 422
    return render_template(
        "admin/calendar_preview.html", previews=previews, text=text, filename=filename, weekday=_weekday
    )


def _weekday(day: date) -> str:
    names = (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))
    return names[day.weekday()]


@bp.post("/import")
@rule("calendar")
def import_file() -> Response | tuple[str, int]:
    text = request.form.get("text", "")
    filename = request.form.get("filename", "calendar.csv")[:100]
    session = db.session()
    source = f"import:{filename} ({current_user.username})"
    try:  # a busy or lost database connection is tried again (import_retrying)
        years = import_retrying(session, lambda s: import_calendar_text(s, text, filename, source=source))
    except ValidationFailed as exc:
        return _page(upload_errors=_problems(exc), filename=filename), 422
    shown = "、".join(map(str, years)) if current_lang() == "zh" else ", ".join(map(str, years))
    flash(_("已导入 %(years)s 年的节假日安排。", years=shown), "success")
    # the instances that stopped for want of these years go on by themselves (each in its own transaction)
    retried = retry_calendar_failures(session, me(), actor=current_user.username, years=years)
    if retried.resumed:
        flash(
            _(
                "因缺少 %(years)s 年节假日安排而中断的 %(n)s 个实例已自动恢复运行。",
                years=shown,
                n=len(retried.resumed),
            ),
            "success",
        )
    _flash_not_resumed(retried)
    return redirect(url_for("calendar_admin.index"))


def _flash_not_resumed(retried: CalendarRetries) -> None:
    """One line per instance that is not running again, with the reason (it stays in the list below)."""
    lang = current_lang()
    for failure, (zh, en) in retried.not_resumed:
        flash(_("%(title)s：%(reason)s", title=failure.title, reason=zh if lang == "zh" else en), "error")


@bp.post("/retry")
@rule("calendar")
def retry_failed() -> Response:
    """Retry every instance that failed for a year that is loaded now (each in its own transaction; one that
    fails again, or that this user may not control, is reported and the others go on)."""
    retried = retry_calendar_failures(db.session(), me(), actor=current_user.username)
    attempted = len(retried.resumed) + len(retried.not_resumed)
    if attempted:
        flash(
            _("已重试 %(n)s 个实例，其中 %(ok)s 个恢复运行。", n=attempted, ok=len(retried.resumed)),
            "success",
        )
    else:
        flash(_("没有可以重试的实例。"), "info")
    _flash_not_resumed(retried)
    return redirect(url_for("calendar_admin.index"))
