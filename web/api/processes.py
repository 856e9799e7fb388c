"""Deployed process definitions and their immutable versions."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from sqlalchemy import func, select

from engine.errors import NotFound
from engine.instances import find_version
from engine.models.deployment import ProcessVersion
from web.access import api_rule
from web.api.common import BEARER, PageArgs, current_user, page_of, path_text, session
from web.api.schemas import ProcessPageSchema, ProcessSchema, VersionPageSchema, VersionSchema

blp = Blueprint(
    "api_v1_processes", __name__, url_prefix="/api/v1/processes", description="Process definitions / 流程定义"
)


def version_json(pv: ProcessVersion) -> dict[str, Any]:
    return {
        "process": pv.process_key,
        "version": pv.version,
        "name": pv.name,
        "deployment": pv.deployment_id,
        "bpmn_file": pv.bpmn_file,
        "content_hash": pv.content_hash,
        "created_at": pv.created_at,
    }


def _summary_query():  # type: ignore[no-untyped-def]
    latest = (
        select(
            ProcessVersion.process_key.label("key"),
            func.max(ProcessVersion.version).label("latest"),
            func.count().label("versions"),
        )
        .group_by(ProcessVersion.process_key)
        .subquery()
    )
    return (
        select(latest.c.key, latest.c.latest, latest.c.versions, ProcessVersion.name)
        .join(
            ProcessVersion,
            (ProcessVersion.process_key == latest.c.key) & (ProcessVersion.version == latest.c.latest),
        )
        .order_by(latest.c.key)
    )


def _summary(row: Any) -> dict[str, Any]:
    return {"key": row.key, "name": row.name, "latest_version": row.latest, "versions": row.versions}


@blp.get("")
@blp.doc(security=BEARER)
@api_rule("token")
@blp.arguments(PageArgs, location="query")
@blp.response(200, ProcessPageSchema)
def list_processes(args: dict[str, Any]) -> dict[str, Any]:
    """Every deployed process with its newest version."""
    current_user()
    s = session()
    query = _summary_query()
    total = s.scalar(select(func.count(func.distinct(ProcessVersion.process_key)))) or 0
    rows = s.execute(query.limit(args["page_size"]).offset((args["page"] - 1) * args["page_size"])).all()
    return {
        "items": [_summary(r) for r in rows],
        "page": args["page"],
        "page_size": args["page_size"],
        "total": int(total),
    }


@blp.get("/<string:key>")
@blp.doc(security=BEARER)
@api_rule("token")
@blp.response(200, ProcessSchema)
def show_process(key: str) -> dict[str, Any]:
    """One process with its newest version."""
    current_user()
    key = path_text(key)
    row = session().execute(_summary_query().where(ProcessVersion.process_key == key)).first()
    if row is None:
        raise NotFound(f"流程 {key[:128]} 尚未部署。", f"Process {key[:128]} is not deployed.")
    return _summary(row)


@blp.get("/<string:key>/versions")
@blp.doc(security=BEARER)
@api_rule("token")
@blp.arguments(PageArgs, location="query")
@blp.response(200, VersionPageSchema)
def list_versions(args: dict[str, Any], key: str) -> dict[str, Any]:
    """The versions of one process, newest first."""
    current_user()
    key = path_text(key)
    find_version(session(), key)
    query = (
        select(ProcessVersion)
        .where(ProcessVersion.process_key == key)
        .order_by(ProcessVersion.version.desc())
    )
    page = page_of(query, args["page"], args["page_size"])
    page["items"] = [version_json(pv) for pv in page["items"]]
    return page


@blp.get("/<string:key>/versions/<int(max=2147483647):version>")
@blp.doc(security=BEARER)
@api_rule("token")
@blp.response(200, VersionSchema)
def show_version(key: str, version: int) -> dict[str, Any]:
    """One version of a process."""
    current_user()
    return version_json(find_version(session(), path_text(key), version))
