"""The modeler for process owners: open a deployed version in the bpmn-js modeler (DMN files in dmn-js),
validate the edited files with the deployment's own checks (problems shown on the elements), deploy them as
a new version, and the version history (who deployed what, when)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engine.bundle import MAX_FILE_BYTES, BundleFile, kind_of
from engine.deploy import deploy_bundle, validate_bundle
from engine.errors import DeploymentRefused, JiebangError
from engine.lint import lane_problems
from engine.models.deployment import Deployment, DeploymentFile, ProcessVersion
from engine.version_history import StaleBase
from engine.xmlsafe import UnsafeXml, parse_xml
from web.access import rule
from web.extensions import db
from web.i18n import current_lang, diagram_name
from web.views.modeler_forms import file_group, file_place, file_title, panel_settings
from web.views.versions import deploy_labels, diff_url, stale_json

bp = Blueprint("modeler", __name__, url_prefix="/modeler")

MODELER_ROLES = ("process_owner", "admin")
EDITABLE = ("bpmn", "dmn")
#: What the modeler may send back: diagrams, decision tables and (from the form editor) forms.
SAVABLE = (*EDITABLE, "form")


@bp.get("/")
@rule("modeler")
def index() -> str:
    session = db.session()
    versions = session.scalars(
        select(ProcessVersion).order_by(ProcessVersion.process_key, ProcessVersion.version.desc())
    ).all()
    # grouped by where each process belongs (jurisdiction, shared), each process's versions newest first
    lang = current_lang()
    by_place: dict[str, dict[str, list[ProcessVersion]]] = {}
    for pv in versions:
        by_place.setdefault(file_place(pv.bpmn_file, lang), {}).setdefault(pv.process_key, []).append(pv)
    deployments = session.scalars(
        select(Deployment)
        .options(selectinload(Deployment.versions), selectinload(Deployment.files))
        .order_by(Deployment.id.desc())
        .limit(100)
    ).all()
    return render_template("modeler/index.html", by_place=by_place, deployments=deployments)


def _deployment_or_404(deployment_id: int) -> Deployment:
    dep = db.session.get(Deployment, deployment_id)
    if dep is None:
        abort(404)
    return dep


@bp.get("/versions/<int:version_id>")
@rule("modeler")
def edit(version_id: int) -> str:
    pv = db.session.get(ProcessVersion, version_id)
    if pv is None:
        abort(404)
    dep = pv.deployment
    config = _config(dep, open_file=pv.bpmn_file, process_key=pv.process_key)
    return render_template("modeler/edit.html", pv=pv, dep=dep, config=config)


@bp.get("/deployments/<int:deployment_id>")
@rule("modeler")
def edit_deployment(deployment_id: int) -> str:
    dep = _deployment_or_404(deployment_id)
    open_file = request.args.get("file") or next((f.name for f in dep.files if f.kind in EDITABLE), None)
    # ?process=: the page of a process whose newest version an earlier deployment holds (kept unchanged)
    pv = _version_in(dep, request.args.get("process"))
    config = _config(dep, open_file=open_file, process_key=pv.process_key if pv is not None else None)
    return render_template("modeler/edit.html", pv=pv, dep=dep, config=config)


def _version_in(dep: Deployment, process_key: str | None) -> ProcessVersion | None:
    """The version of ``process_key`` a page editing deployment ``dep`` shows: its newest up to ``dep``."""
    if not process_key:
        return None
    return db.session.scalar(
        select(ProcessVersion)
        .where(ProcessVersion.process_key == process_key, ProcessVersion.deployment_id <= dep.id)
        .order_by(ProcessVersion.version.desc())
        .limit(1)
    )


def _continue_from(dep: Deployment, process_key: str | None) -> dict[str, Any]:
    """What the page continues from after deploying ``dep``: its configuration, its heading (the process's
    version and the deployment, rendered again) and the address that shows the same on a reload."""
    pv = _version_in(dep, process_key)
    following = _config(dep, open_file=None, process_key=pv.process_key if pv is not None else None)
    following["heading"] = render_template("modeler/_heading.html", pv=pv, dep=dep)
    if pv is not None and pv.deployment_id == dep.id:
        following["pageUrl"] = url_for(".edit", version_id=pv.id)
    elif pv is not None:
        following["pageUrl"] = url_for(
            ".edit_deployment", deployment_id=dep.id, file=pv.bpmn_file, process=pv.process_key
        )
    else:
        following["pageUrl"] = url_for(".edit_deployment", deployment_id=dep.id)
    return following


@bp.get("/new")
@rule("modeler")
def new() -> str:
    """An empty modeler: draw a new diagram or import local .bpmn / .dmn files, validate, deploy."""
    config = {
        "files": [],
        "open": None,
        "newBundle": True,
        "validateUrl": url_for(".validate_new"),
        "deployUrl": url_for(".deploy_new"),
        "lintUrl": url_for(".lint"),
        "previewUrl": url_for("modeler_forms.preview"),
        "settings": panel_settings([]),
        "labels": deploy_labels(),
    }
    return render_template("modeler/edit.html", pv=None, dep=None, config=config)


def _config(dep: Deployment, *, open_file: str | None, process_key: str | None = None) -> dict[str, Any]:
    lang = current_lang()
    return {
        "deployment": dep.id,
        "processKey": process_key,
        "files": [
            {
                "name": f.name,
                "kind": f.kind,
                "url": url_for(".file", deployment_id=dep.id, name=f.name),
                "group": file_group(f.name, f.kind, lang),
                "title": file_title(f.name, f.kind, f.content, lang),
            }
            for f in dep.files
        ],
        "previewUrl": url_for("modeler_forms.preview"),
        "settings": panel_settings([(f.name, f.kind, f.content) for f in dep.files]),
        "open": open_file,
        "newBundle": False,
        "validateUrl": url_for(".validate", deployment_id=dep.id),
        "deployUrl": url_for(".deploy", deployment_id=dep.id),
        "lintUrl": url_for(".lint"),
        "labels": deploy_labels(),
    }


@bp.get("/deployments/<int:deployment_id>/files/<path:name>")
@rule("modeler")
def file(deployment_id: int, name: str) -> Response:
    found = db.session.scalar(
        select(DeploymentFile).where(
            DeploymentFile.deployment_id == deployment_id, DeploymentFile.name == name
        )
    )
    if found is None:
        abort(404)
    mimetype = "application/json" if found.kind == "form" else "application/xml"
    return Response(found.content, mimetype=mimetype)


# --- validate and deploy ------------------------------------------------------------------------------------


def _edited_files() -> dict[str, bytes]:
    """The JSON body's ``files``: {name: text} of edited or imported .bpmn / .dmn files and edited forms."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("files"), dict):
        abort(400)
    edited: dict[str, bytes] = {}
    for name, text in body["files"].items():
        if not isinstance(name, str) or not isinstance(text, str) or kind_of(name) not in SAVABLE:
            abort(400)
        if name.startswith("/") or ".." in name.split("/"):
            abort(400)
        content = text.encode("utf-8")
        if len(content) > MAX_FILE_BYTES:
            abort(413)
        edited[name] = content
    return edited


def bundle_with(deployment: Deployment | None, edited: dict[str, bytes]) -> list[BundleFile]:
    """The deployment's files with the edited ones replaced (or added)."""
    files: dict[str, BundleFile] = {}
    if deployment is not None:
        rows = db.session.scalars(
            select(DeploymentFile)
            .where(DeploymentFile.deployment_id == deployment.id)
            .order_by(DeploymentFile.name)
        )
        files = {f.name: BundleFile(f.name, f.content) for f in rows}
    for name, content in edited.items():
        files[name] = BundleFile(name, content)
    return list(files.values())


def _problems(exc: DeploymentRefused) -> list[dict[str, Any]]:
    return list(exc.details.get("problems", []))


def _validate(deployment: Deployment | None) -> Response:
    edited = _edited_files()
    try:
        validate_bundle(bundle_with(deployment, edited))
    except DeploymentRefused as exc:
        return jsonify({"ok": False, "problems": _problems(exc), "message": f"{exc.zh} | {exc.en}"})
    return jsonify({"ok": True, "problems": []})


def _deploy(deployment: Deployment | None) -> tuple[Response, int]:
    edited = _edited_files()
    body = request.get_json(silent=True) or {}
    note = str(body.get("note") or "").strip()[:2000] or None
    try:
        result = deploy_bundle(
            db.session(),
            bundle_with(deployment, edited),
            deployed_by=current_user.username,
            note=note,
            base=deployment.id if deployment is not None else None,
            confirm_stale=body.get("confirm_stale") is True,
        )
    except StaleBase as exc:
        db.session.rollback()
        return jsonify(stale_json(exc)), exc.http_status
    except DeploymentRefused as exc:
        db.session.rollback()
        return jsonify({"ok": False, "problems": _problems(exc), "message": exc.message(current_lang())}), 422
    except JiebangError as exc:
        db.session.rollback()
        return jsonify({"ok": False, "problems": [], "message": exc.message(current_lang())}), exc.http_status
    processes = []
    for p in result.processes:
        pv = db.session.scalar(
            select(ProcessVersion).where(
                ProcessVersion.process_key == p.key, ProcessVersion.version == p.version
            )
        )
        processes.append(
            {
                "key": p.key,
                # the process's name in the user's language: what the owner reads (the key stays a hint)
                "name": (diagram_name(pv.name) if pv is not None else "") or p.key,
                "version": p.version,
                "created": p.created,
                "url": url_for(".edit", version_id=pv.id) if pv is not None else None,
                "diff": diff_url(p.key, p.version) if p.created else None,
            }
        )
    dep = db.session.get(Deployment, result.deployment_id)
    # the page continues from what it just deployed: its next deploy has this deployment as its base
    process_key = body.get("process") if isinstance(body.get("process"), str) else None
    following = _continue_from(dep, process_key) if dep is not None and not result.unchanged else None
    return jsonify(
        {"ok": True, "deployment": result.deployment_id, "processes": processes, "next": following}
    ), 200


@bp.post("/lint")
@rule("modeler")
def lint() -> Response:
    """The deployment's checks that read the drawing alone (engine.lint.lane_problems: a node drawn in another
    lane than the one it runs in), on the one diagram being drawn (JSON ``{"xml": text}``): the modeler's lint
    shows them on the elements while the owner draws, in the words a deployment refuses the diagram with."""
    body = request.get_json(silent=True)
    xml = body.get("xml") if isinstance(body, dict) else None
    if not isinstance(xml, str):
        abort(400)
    content = xml.encode("utf-8")
    if len(content) > MAX_FILE_BYTES:
        abort(413)
    try:
        tree = parse_xml(content)
    except UnsafeXml:
        return jsonify({"problems": []})  # not a diagram yet: 校验 and 部署 say why
    problems = [
        {"element": p.element, "message": p.message, "message_zh": p.message_zh}
        for p in lane_problems(tree, None)
    ]
    return jsonify({"problems": problems})


@bp.post("/deployments/<int:deployment_id>/validate")
@rule("modeler")
def validate(deployment_id: int) -> Response:
    return _validate(_deployment_or_404(deployment_id))


@bp.post("/deployments/<int:deployment_id>/deploy")
@rule("modeler")
def deploy(deployment_id: int) -> tuple[Response, int]:
    return _deploy(_deployment_or_404(deployment_id))


@bp.post("/validate")
@rule("modeler")
def validate_new() -> Response:
    return _validate(None)


@bp.post("/deploy")
@rule("modeler")
def deploy_new() -> tuple[Response, int]:
    return _deploy(None)
