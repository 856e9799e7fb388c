"""发起: the processes the signed-in user may start, and their start forms.

Which processes are listed and where they may be started is the access policy's answer
(``engine.start_forms.startable`` over ``engine.access.starting``); submitting starts the instance through
``engine.instances.start_instance``, which checks it again. A refused form shows its errors beside the fields
and starts nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import start_forms
from engine.errors import JiebangError, NotFound, ValidationFailed
from forms.render import render_form
from forms.webinput import from_multidict
from web.access import me, rule
from web.extensions import db
from web.i18n import current_lang

bp = Blueprint("start", __name__)

_OWN_FIELDS = ("csrf_token", "jurisdiction")


@bp.get("/start")
@rule("start")
def index() -> str:
    items = start_forms.startable(db.session(), me())
    return render_template("start/index.html", items=items)


@bp.route("/start/<key>", methods=["GET", "POST"])
@rule("start")
def form(key: str) -> Any:
    session = db.session()
    user = me()
    lang = current_lang()
    try:
        item = start_forms.find_startable(session, user, key)
    except NotFound:
        abort(404)
    jurisdiction = request.values.get("jurisdiction") or item.jurisdictions[0]
    if jurisdiction not in item.jurisdictions:
        abort(404)
    defn = start_forms.form_for_user(session, user, item, jurisdiction)
    errors: dict[str, list[str]] = {}
    problem = None
    status = 200
    if request.method == "POST":
        values = from_multidict(defn, request.form, {}, ignore=_OWN_FIELDS)
        try:
            instance = start_forms.start_from_form(session, user, key, jurisdiction, values)
        except ValidationFailed as exc:
            session.rollback()
            fields = exc.details.get("fields" if lang == "zh" else "fields_en") or {}
            errors = {k: [str(m) for m in v] for k, v in fields.items()} or {"_form": [exc.message(lang)]}
            problem = _("表单有误，未发起。请按提示修改后重新提交。")
            status = 422
        except JiebangError as exc:
            session.rollback()
            problem, status = exc.message(lang), exc.http_status
        else:
            flash(
                _("已发起：%(title)s（%(key)s）", title=instance.title or "", key=instance.business_key),
                "info",
            )
            return redirect(url_for("instance.show", instance_id=instance.id))
    else:
        values = start_forms.defaults(session, user, item, defn, jurisdiction)
    return (
        render_template(
            "start/form.html",
            item=item,
            defn=defn,
            jurisdiction=jurisdiction,
            form_html=render_form(
                defn,
                values=values,
                errors=errors,
                context={},
                lang=lang,
                hints=start_forms.hints(session, item, jurisdiction, lang),
            ),
            empty_selects=[f for f in defn.fields if f.options_from and not f.options],
            problem=problem,
        ),
        status,
    )
