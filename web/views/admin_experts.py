"""The expert pool (专家库) in the browser, beside the directory: ``/admin/experts`` lists and searches the
experts and adds a person of the directory; ``/admin/experts/<id>`` edits the title, fields and availability.
The same access policy as the directory (``engine.access.administration``); every change audited
(``engine.expert_pool``)."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from engine import expert_pool
from engine.errors import JiebangError
from engine.models.domain import Organisation, Person
from web.access import me, rule
from web.extensions import db
from web.form_errors import form_refused

bp = Blueprint("admin_experts", __name__, url_prefix="/admin")


def _index_page(status: int = 200, **extra: Any) -> tuple[str, int]:
    query = request.args.get("q", "").strip()
    context: dict[str, Any] = {"form": {}, "errors": {}, **extra}
    session = db.session()
    return (
        render_template(
            "admin/experts.html",
            experts=expert_pool.search_experts(session, me(), query),
            candidates=expert_pool.candidate_people(session, me()),
            today=expert_pool.today(db.session()),
            q=query,
            **context,
        ),
        status,
    )


@bp.get("/experts")
@rule("directory")
def index() -> tuple[str, int]:
    return _index_page()


@bp.post("/experts")
@rule("directory")
def create() -> Response | tuple[str, int]:
    form = {k: request.form.get(k, "").strip() for k in ("person", "title", "fields")}
    try:
        expert = expert_pool.create_expert(
            db.session(),
            me(),
            person_code=form["person"],
            title=form["title"],
            fields=form["fields"],
            actor=current_user.username,
        )
    except JiebangError as exc:
        return form_refused(exc, _index_page, "person", passes=(403,), form=form)
    flash(_("已将该人员加入专家库。"), "info")
    return redirect(url_for("admin_experts.expert", expert_id=expert.id))


def _expert_page(expert_id: int, status: int = 200, form: dict[str, Any] | None = None, **extra: Any) -> Any:
    session = db.session()
    expert = expert_pool.get_expert(session, me(), expert_id)
    person = session.query(Person).filter(Person.code == expert.person_code).one()
    org = session.query(Organisation).filter(Organisation.code == person.organisation).one_or_none()
    if form is None:
        form = {
            "title": expert.title,
            "fields": "、".join(expert_pool.fields_of(expert)),
            "available": expert.available,
            "unavailable_until": expert.unavailable_until.isoformat() if expert.unavailable_until else "",
            "note": expert.note or "",
        }
    return (
        render_template(
            "admin/expert.html",
            expert=expert,
            person=person,
            org=org,
            form=form,
            errors=extra.pop("errors", {}),
            **extra,
        ),
        status,
    )


@bp.get("/experts/<int:expert_id>")
@rule("directory")
def expert(expert_id: int) -> Any:
    return _expert_page(expert_id)


@bp.post("/experts/<int:expert_id>")
@rule("directory")
def update(expert_id: int) -> Any:
    form: dict[str, Any] = {
        k: request.form.get(k, "").strip() for k in ("title", "fields", "unavailable_until", "note")
    }
    form["available"] = request.form.get("available") == "1"
    try:
        expert_pool.update_expert(
            db.session(),
            me(),
            expert_id,
            title=form["title"],
            fields=form["fields"],
            available=form["available"],
            unavailable_until=form["unavailable_until"],
            note=form["note"],
            actor=current_user.username,
        )
    except JiebangError as exc:
        return form_refused(exc, partial(_expert_page, expert_id), "title", form=form)
    flash(_("已保存专家信息。"), "info")
    return redirect(url_for("admin_experts.expert", expert_id=expert_id))
