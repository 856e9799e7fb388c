"""Documents of an instance: the bureau draws a publicity notice, task book, acceptance conclusion or annual
summary as PDF from the case data; every reader of the instance downloads the versions through the audited
attachment route (``instance.attachment``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from engine.documents import generate as documents
from engine.errors import JiebangError
from engine.models.instance import ProcessInstance
from web import uploads
from web.access import rule
from web.extensions import db
from web.i18n import current_lang

bp = Blueprint("documents", __name__)


@bp.post("/instances/<int:instance_id>/documents")
@rule("control")
def generate(instance_id: int) -> Response:
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        abort(404)
    kind = request.form.get("kind", "")
    try:
        made = documents.generate(
            db.session(), instance.id, kind, actor=current_user.username, folder=uploads.upload_folder()
        )
    except JiebangError as exc:
        db.session.rollback()
        flash(exc.zh if current_lang() == "zh" else exc.en, "error")
    else:
        zh = f"已生成《{made.title}》第 {made.version} 版。"
        en = f"Generated version {made.version} of the document."
        flash(zh if current_lang() == "zh" else en, "info")
    return redirect(url_for("instance.show", instance_id=instance.id) + "#documents")
