"""The public portal (no sign-in): published challenges, publicity notices, and objections.

An objection is validated, rate-limited per client address, recorded with a receipt number, and delivered to
the waiting instance as the ``objection`` message (correlation ``{"business_key": …}``), in one transaction.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _

from engine import messages, portal
from engine.clock import SHANGHAI, get_clock
from engine.db import begin_write
from engine.errors import JiebangError
from engine.models.web import Objection
from web import ratelimit
from web.extensions import db
from web.i18n import current_lang

bp = Blueprint("portal", __name__, url_prefix="/portal")

LIMITS = {"name": 100, "contact": 200, "text": 5000}
MIN_TEXT = 10


@bp.get("/")
def index() -> str:
    jurisdiction = request.args.get("jurisdiction") or None
    return render_template(
        "portal/index.html",
        notices=portal.notices(db.session(), jurisdiction=jurisdiction),
        challenges=portal.challenges(db.session(), jurisdiction=jurisdiction),
        jurisdiction=jurisdiction,
    )


def _validate(form: Any) -> tuple[dict[str, str], dict[str, str]]:
    values = {key: (form.get(key) or "").replace("\r\n", "\n").strip() for key in LIMITS}
    errors: dict[str, str] = {}
    for key, limit in LIMITS.items():
        if len(values[key]) > limit:
            errors[key] = _("不能超过 %(n)s 个字符", n=limit)
        elif any(ord(c) < 32 and c not in "\n\t" for c in values[key]):
            errors[key] = _("包含不允许的控制字符")
    if not values["contact"]:
        errors.setdefault("contact", _("请填写联系方式（电话或电子邮箱），以便答复。"))
    if len(values["text"]) < MIN_TEXT:
        errors.setdefault("text", _("请写明异议的事实和理由（至少 %(n)s 个字）。", n=MIN_TEXT))
    if "\n" in values["name"] or "\n" in values["contact"]:
        errors.setdefault("contact", _("不能包含换行"))
    return values, errors


@bp.route("/notices/<business_key>", methods=["GET", "POST"])
def notice(business_key: str) -> Any:
    found = portal.notice(db.session(), business_key)
    if found is None:
        abort(404)
    values = {key: "" for key in LIMITS}
    errors: dict[str, str] = {}
    problem = None
    status = 200
    if request.method == "POST":
        values, errors = _validate(request.form)
        limit, window = current_app.config["OBJECTION_RATE_LIMIT"]
        client = ratelimit.client_hash()
        key = f"objection:{client}"
        if not found.open:
            problem, status = _("公示期已结束，不再受理异议。"), 409
        elif ratelimit.too_many(db.session(), key, limit, window):
            problem, status = _("提交过于频繁，请稍后再试。"), 429
        elif errors:
            status = 422
        else:
            try:
                receipt = _file(found, values, client)
            except JiebangError as exc:
                db.session.rollback()
                problem, status = exc.message(current_lang()), exc.http_status
            else:
                ratelimit.hit(db.session(), key, window)
                return render_template("portal/receipt.html", notice=found, receipt=receipt)
    return (
        render_template(
            "portal/notice.html", notice=found, values=values, errors=errors, problem=problem, limits=LIMITS
        ),
        status,
    )


def _file(found: portal.Notice, values: dict[str, str], client: str) -> Objection:
    session = db.session()
    begin_write(session)
    now = get_clock(session).now()
    receipt = f"YY{now.astimezone(SHANGHAI):%Y%m%d}-{secrets.token_hex(4).upper()}"
    row = Objection(
        receipt=receipt,
        instance_id=found.instance_id,
        business_key=found.business_key,
        name=values["name"] or None,
        contact=values["contact"],
        text=values["text"],
        submitted_at=now,
        client_hash=client,
    )
    session.add(row)
    session.flush()
    messages.deliver(
        session,
        portal.NOTICE_MESSAGE,
        correlation={"business_key": found.business_key},
        payload={
            "receipt": receipt,
            "text": values["text"],
            "contact": values["contact"],
            "name": values["name"] or None,
            "submitted_at": now.isoformat(),
        },
        actor=None,
    )
    return row
