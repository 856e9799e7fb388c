"""Administration of the directory in the browser: organisations (``/admin/organisations``, identified by the
统一社会信用代码) and people (``/admin/people``, linked to an organisation and to an account). An administrator
or a bureau of the organisation's jurisdiction (``engine.access.administration``); the changes and their
checks are ``engine.directory``'s (audited)."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from engine import directory
from engine.errors import JiebangError
from engine.models.domain import Person
from web.access import me, rule
from web.extensions import db
from web.form_errors import form_refused

bp = Blueprint("admin_directory", __name__, url_prefix="/admin")

ORG_FIELDS = ("code", "name", "jurisdiction", "kind", "region")
PERSON_FIELDS = ("code", "name", "organisation", "username")


def _form(fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: request.form.get(k, "").strip() for k in fields}


def _org_choices() -> dict[str, Any]:
    return {
        "jurisdictions": directory.jurisdiction_choices(db.session(), me()),
        "kinds": directory.ORGANISATION_KINDS,
    }


def _organisations_page(status: int = 200, **extra: Any) -> tuple[str, int]:
    query = request.args.get("q", "").strip()
    context: dict[str, Any] = {"form": {"kind": "enterprise"}, "errors": {}, **extra}
    found = directory.search_organisations(db.session(), me(), query)
    return (
        render_template(
            "admin/organisations.html", organisations=found, q=query, **_org_choices(), **context
        ),
        status,
    )


@bp.get("/organisations")
@rule("directory")
def organisations() -> tuple[str, int]:
    return _organisations_page()


@bp.post("/organisations")
@rule("directory")
def create_organisation() -> Response | tuple[str, int]:
    form = _form(ORG_FIELDS)
    try:
        org = directory.create_organisation(
            db.session(),
            me(),
            code=form["code"],
            name=form["name"],
            jurisdiction=form["jurisdiction"] or None,
            kind=form["kind"],
            region=form["region"],
            actor=current_user.username,
        )
    except JiebangError as exc:
        return form_refused(exc, _organisations_page, "code", passes=(403,), form=form)
    flash(_("已登记单位“%(name)s”（%(code)s）。", name=org.name, code=org.code), "info")
    return redirect(url_for("admin_directory.organisation", org_id=org.id))


def _organisation_page(org_id: int, status: int = 200, **extra: Any) -> tuple[str, int]:
    session = db.session()
    org = directory.get_organisation(session, me(), org_id)
    form = {
        "name": org.name,
        "jurisdiction": org.jurisdiction or "",
        "kind": org.kind,
        "region": org.region or "",
    }
    context: dict[str, Any] = {"form": form, "errors": {}, **extra}
    people = list(
        session.scalars(select(Person).where(Person.organisation == org.code).order_by(Person.name))
    )
    return (
        render_template("admin/organisation.html", org=org, people=people, **_org_choices(), **context),
        status,
    )


@bp.get("/organisations/<int:org_id>")
@rule("directory")
def organisation(org_id: int) -> tuple[str, int]:
    return _organisation_page(org_id)


@bp.post("/organisations/<int:org_id>")
@rule("directory")
def update_organisation(org_id: int) -> Response | tuple[str, int]:
    form = _form(ORG_FIELDS)
    try:
        directory.update_organisation(
            db.session(),
            me(),
            org_id,
            name=form["name"],
            jurisdiction=form["jurisdiction"] or None,
            kind=form["kind"],
            region=form["region"],
            actor=current_user.username,
        )
    except JiebangError as exc:
        return form_refused(exc, partial(_organisation_page, org_id), "name", form=form)
    flash(_("已保存单位信息。"), "info")
    return redirect(url_for("admin_directory.organisation", org_id=org_id))


def _people_page(status: int = 200, **extra: Any) -> tuple[str, int]:
    query = request.args.get("q", "").strip()
    preset = {"organisation": request.args.get("organisation", "")}
    context: dict[str, Any] = {"form": preset, "errors": {}, **extra}
    session = db.session()
    return (
        render_template(
            "admin/people.html",
            people=directory.search_people(session, me(), query),
            organisations=directory.organisation_choices(session, me()),
            q=query,
            **context,
        ),
        status,
    )


@bp.get("/people")
@rule("directory")
def people() -> tuple[str, int]:
    return _people_page()


@bp.post("/people")
@rule("directory")
def create_person() -> Response | tuple[str, int]:
    form = _form(PERSON_FIELDS)
    try:
        person = directory.create_person(
            db.session(),
            me(),
            code=form["code"],
            name=form["name"],
            organisation=form["organisation"],
            username=form["username"],
            actor=current_user.username,
        )
    except JiebangError as exc:
        return form_refused(exc, _people_page, "code", passes=(403,), form=form)
    flash(_("已登记人员“%(name)s”。", name=person.name), "info")
    return redirect(url_for("admin_directory.person", person_id=person.id))


def _person_page(person_id: int, status: int = 200, **extra: Any) -> tuple[str, int]:
    session = db.session()
    found = directory.get_person(session, me(), person_id)
    form = {"name": found.name, "organisation": found.organisation or "", "username": found.username or ""}
    context: dict[str, Any] = {"form": form, "errors": {}, **extra}
    return (
        render_template(
            "admin/person.html",
            person=found,
            organisations=directory.organisation_choices(session, me()),
            **context,
        ),
        status,
    )


@bp.get("/people/<int:person_id>")
@rule("directory")
def person(person_id: int) -> tuple[str, int]:
    return _person_page(person_id)


@bp.post("/people/<int:person_id>")
@rule("directory")
def update_person(person_id: int) -> Response | tuple[str, int]:
    form = _form(PERSON_FIELDS)
    try:
        directory.update_person(
            db.session(),
            me(),
            person_id,
            name=form["name"],
            organisation=form["organisation"],
            username=form["username"],
            actor=current_user.username,
        )
    except JiebangError as exc:
        return form_refused(exc, partial(_person_page, person_id), "name", form=form)
    flash(_("已保存人员信息。"), "info")
    return redirect(url_for("admin_directory.person", person_id=person_id))
