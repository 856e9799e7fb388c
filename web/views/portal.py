"""The public portal: published challenges, publicity notices, and objections (no sign-in); solvers apply for
an open challenge once signed in.

An objection is validated, rate-limited per client address, recorded with a receipt number, and delivered to
the waiting instance as the ``objection`` message (correlation ``{"business_key": …}``), in one transaction.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from engine import applications, messages, objections, portal, solver_work
from engine.clock import SHANGHAI, get_clock
from engine.db import begin_write
from engine.errors import Forbidden, InvalidState, JiebangError, NotFound, ValidationFailed
from engine.models.instance import ProcessInstance
from engine.models.user import User
from engine.models.web import Objection
from engine.notify import produce
from engine.taskforms import form_for
from web import apply_drafts, ratelimit, uploads
from web.access import rule
from web.case_view import NEED_FORM
from web.extensions import db
from web.i18n import current_lang
from web.security import actor_row

bp = Blueprint("portal", __name__, url_prefix="/portal")

PER_PAGE = 20  # per list: a full page renders in a few tens of ms, whatever the number of instances
LIMITS = {"name": 100, "contact": 200, "text": 5000}
MIN_TEXT = 10


@bp.app_template_global()
def notice_state(state: str) -> str:
    """公示中 / 异议处理中 / 公示期满 (engine.models.portal)."""
    return {"objection": _("异议处理中"), "ended": _("公示期满")}.get(state, _("公示中"))


@bp.get("/")
@rule("public")
def index() -> str:
    jurisdiction = request.args.get("jurisdiction") or None
    page = request.args.get("page", 1, type=int) or 1
    notices = portal.notice_page(db.session(), jurisdiction=jurisdiction, page=page, per_page=PER_PAGE)
    challenges = portal.challenge_page(db.session(), jurisdiction=jurisdiction, page=page, per_page=PER_PAGE)
    return render_template(
        "portal/index.html",
        notices=notices.items,
        challenges=challenges.items,
        categories=_category_names(challenges.items),
        notice_page=notices,
        challenge_page=challenges,
        args={"jurisdiction": jurisdiction} if jurisdiction else {},
        jurisdiction=jurisdiction,
    )


def _category_names(items: list[portal.Challenge]) -> dict[int, str]:
    """Each challenge's category by the label of the need form that collected it (the form pinned in the
    instance's deployment), by instance id: 行业共性, never industry_common."""
    session = db.session()
    ids = [c.instance_id for c in items if c.category and c.instance_id is not None]
    categories = {c.instance_id: c.category for c in items if c.category}
    names: dict[int, str] = {}
    for instance in (
        session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(ids))) if ids else []
    ):
        try:
            spec = form_for(session, instance.process_version, NEED_FORM, instance.jurisdiction).field(
                "category"
            )
        except NotFound:
            continue
        option = spec.option(categories[instance.id]) if spec is not None else None
        if option is not None:
            names[instance.id] = option.label.get(current_lang())
    return names


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
@rule("public")
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
    instance = session.get(ProcessInstance, found.instance_id)
    if instance is not None:  # the bureau hears of it in this transaction: no objection, no notification
        produce.objection_received(session, receipt=receipt, instance=instance, title=found.title, now=now)
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


@bp.get("/receipts")
@rule("public")
def receipt_lookup() -> Any:
    """Anyone holding a receipt number sees what was received and the decision once made (engine.objections);
    look-ups are rate-limited per client address so that receipt numbers cannot be guessed in bulk."""
    raw = request.args.get("number", "")
    if not raw:
        return render_template("portal/lookup.html", number="", found=None, problem=None)
    limit, window = current_app.config["RECEIPT_LOOKUP_RATE_LIMIT"]
    key = f"receipt:{ratelimit.client_hash()}"
    session = db.session()
    if ratelimit.too_many(session, key, limit, window):
        problem = _("查询过于频繁，请 %(minutes)s 分钟后再试。", minutes=window // 60)
        return render_template("portal/lookup.html", number=raw, found=None, problem=problem), 429
    ratelimit.hit(session, key, window)
    # an application's receipt (JB…, engine.applications): what was received, its status, the decision
    application_number = applications.normalise_receipt(raw)
    if application_number is not None:
        application = solver_work.application_by_receipt(session, application_number)
        if application is None:
            problem = _("没有找到回执编号为 %(number)s 的揭榜申请，请核对后重试。", number=application_number)
            return render_template("portal/lookup.html", number=raw, found=None, problem=problem), 404
        return render_template(
            "portal/lookup.html",
            number=application_number,
            found=None,
            application=application,
            problem=None,
        )
    number = objections.normalise_receipt(raw)
    found = objections.look_up(session, number) if number else None
    if found is None:
        problem = (
            _(
                "回执编号应为 YY（异议）或 JB（揭榜申请）、8 位日期、短横线和 8 位字母数字，"
                "例如 YY20260928-1A2B3C4D。"
            )
            if number is None
            else _("没有找到回执编号为 %(number)s 的异议，请核对后重试。", number=number)
        )
        return render_template("portal/lookup.html", number=raw, found=None, problem=problem), 404
    return render_template("portal/lookup.html", number=number, found=found, problem=None)


def _signed_in_user(session: Any) -> User:
    """The signed-in user's row (read once per request: ``web.security.actor_row``)."""
    return actor_row()


@bp.route("/challenges/<business_key>/apply", methods=["GET", "POST"])
@rule("apply")
def apply(business_key: str) -> Any:
    """A signed-in solver applies for an open challenge (000 §12(3)); see ``engine.applications``."""
    from forms.render import render_form
    from forms.webinput import from_multidict

    session = db.session()
    lang = current_lang()
    me = _signed_in_user(session)
    try:
        target = applications.target_for(session, me, business_key)
    except (Forbidden, InvalidState, NotFound) as exc:
        if exc.http_status == 404:
            abort(404)
        return render_template("portal/apply.html", problem=exc.message(lang), business_key=business_key), (
            exc.http_status
        )
    defn = form_for(session, target.instance.process_version, applications.FORM, target.instance.jurisdiction)
    # a refused attempt's input and files are kept (web.apply_drafts): shown again, the files sent again
    values: dict[str, Any] = apply_drafts.load(business_key, me.username)
    errors: dict[str, list[str]] = {}
    problem = None
    status = 200
    if request.method == "POST":
        files, upload_problems = uploads.collect_files(defn, values)
        values = from_multidict(defn, request.form, files)
        try:
            if upload_problems:
                raise ValidationFailed(
                    "上传的文件不符合要求。",
                    "An uploaded file does not meet the requirements.",
                    details={
                        "fields": {k: [m.zh for m in v] for k, v in upload_problems.items()},
                        "fields_en": {k: [m.en for m in v] for k, v in upload_problems.items()},
                    },
                )
            applications.submit(session, me, business_key, values)
            receipt = applications.receipt_of(session, business_key, target.solver)
            apply_drafts.clear(business_key, me.username)
        except ValidationFailed as exc:
            apply_drafts.save(business_key, me.username, values)  # nothing entered is lost, files included
            fields = exc.details.get("fields" if lang == "zh" else "fields_en") or {}
            errors = {k: [str(m) for m in v] for k, v in fields.items()} or {"_form": [exc.message(lang)]}
            status = 422
        except JiebangError as exc:
            db.session.rollback()
            uploads.discard_new()
            problem, status = exc.message(lang), exc.http_status
        else:
            db.session.commit()
            flash(
                _(
                    "揭榜申请已提交，回执编号 %(receipt)s（请妥善保存，可在“查询办理结果”中凭此查询）。"
                    "截止前可再次提交，以最后一次为准。",
                    receipt=receipt or "—",
                ),
                "info",
            )
            return redirect(url_for("portal.index"))
    page = applications.page_scope(session, target, values.get("partners"), values.get("members"))
    return (
        render_template(
            "portal/apply.html",
            business_key=business_key,
            title=target.instance.title or business_key,
            solver=target.solver,
            form_html=render_form(
                defn,
                values=values,
                errors=errors,
                context={},
                lang=lang,
                choices=page.choices,
                units=page.units,
                people_always=[target.solver],
                people_url=url_for("portal.apply_people", business_key=business_key),
            ),
            problem=problem,
        ),
        status,
    )


@bp.get("/challenges/<business_key>/apply/people")
@rule("apply")
def apply_people(business_key: str) -> Any:
    """The people of the units a solver chose as partners on its apply page (``?unit=CODE``, repeated): only
    those it may name on its team (``engine.applications.partner_people``: its own unit's and its accepted
    partners'), for the picker script — the page itself does not carry the jurisdiction's directory."""
    session = db.session()
    me = _signed_in_user(session)
    try:
        target = applications.target_for(session, me, business_key)
    except (Forbidden, InvalidState, NotFound) as exc:
        return jsonify({"error": exc.message(current_lang())}), exc.http_status
    units = [u.strip() for u in request.args.getlist("unit") if u.strip()]
    people = applications.partner_people(session, target, units)
    return jsonify({"people": [{"code": code, "label": label, "unit": unit} for code, label, unit in people]})
