"""The start page: what is waiting, what runs, what is deployed."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from engine.models.deployment import ProcessVersion
from engine.models.instance import ProcessInstance
from engine.tasks import list_tasks
from web.extensions import db

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    session = db.session
    return render_template(
        "home.html",
        tasks=list_tasks(session, limit=50),
        instances=session.scalars(
            select(ProcessInstance).order_by(ProcessInstance.id.desc()).limit(20)
        ).all(),
        versions=session.scalars(
            select(ProcessVersion).order_by(ProcessVersion.process_key, ProcessVersion.version.desc())
        ).all(),
    )


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    db.session.execute(select(1))
    return {"status": "ok"}
