"""The signed-in user's inbox (``/inbox``: notifications, mark read) and notification preferences (e-mail
address, phone number, which kinds go out by e-mail or SMS; the inbox always receives everything)."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from engine import audit
from engine.clock import get_clock
from engine.db import begin_write
from engine.models.user import User
from engine.notify import inbox, produce
from web.access import rule
from web.extensions import db
from web.security import actor_row

bp = Blueprint("inbox", __name__)

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,19}$")


@bp.app_context_processor
def _unread() -> dict[str, Any]:
    def unread() -> int:
        if not current_user.is_authenticated:
            return 0
        return inbox.unread_count(db.session(), current_user.username)

    return {"inbox_unread": unread}


@bp.get("/inbox")
@rule("account")
def index() -> str:
    rows = inbox.latest(db.session(), current_user.username)
    return render_template("inbox/index.html", rows=rows, unread=sum(1 for r in rows if r.read_at is None))


@bp.post("/inbox/read")
@rule("account")
def mark_read() -> Response:
    """Mark one notification (form field ``id``) or all of them (no ``id``) read; only the user's own."""
    session = db.session()
    raw = request.form.get("id", "").strip()
    begin_write(session)
    now = get_clock(session).now()
    inbox.mark_read(session, current_user.username, now, int(raw) if raw.isdigit() else None)
    session.commit()
    return redirect(url_for("inbox.index"))


@bp.route("/inbox/preferences", methods=["GET", "POST"])
@rule("account")
def preferences() -> Any:
    session = db.session()
    me = actor_row()
    values = {"email": me.email or "", "phone": me.phone or ""}
    chosen = produce.preferences(session, me.username)
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {key: request.form.get(key, "").strip() for key in ("email", "phone")}
        chosen = {
            kind: {ch: request.form.get(f"{kind}:{ch}") == "on" for ch in produce.ADDRESS}
            for kind in produce.KINDS
        }
        if values["email"] and (len(values["email"]) > 254 or not EMAIL.match(values["email"])):
            errors["email"] = _("电子邮件地址格式不正确，例如 name@example.cn。")
        if values["phone"] and not PHONE.match(values["phone"]):
            errors["phone"] = _("手机号码只能包含数字、空格、连字符和开头的 +，5 到 20 位。")
        if not errors:
            begin_write(session)
            me = session.scalar(select(User).where(User.username == current_user.username))
            assert me is not None
            changed = sorted(k for k in ("email", "phone") if (getattr(me, k) or "") != values[k])
            me.email = values["email"] or None
            me.phone = values["phone"] or None
            if (
                changed
            ):  # where notifications go is security-relevant: who changed which address, not the value
                audit.record(
                    session,
                    "contact_changed",
                    actor=me.username,
                    subject=me.username,
                    detail={"fields": changed},
                )
            produce.set_preferences(session, me.username, chosen)
            session.commit()
            flash(_("通知设置已保存。"), "info")
            return redirect(url_for("inbox.preferences"))
    return (
        render_template(
            "inbox/preferences.html",
            values=values,
            errors=errors,
            chosen=chosen,
            kinds=produce.KINDS,
            channels=list(produce.ADDRESS),
        ),
        422 if errors else 200,
    )
