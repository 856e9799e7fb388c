"""Deployments: list, show, and deploy a bundle uploaded as multipart files."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import request
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engine.access import require_deployer, require_deployment_reader
from engine.bundle import MAX_FILE_BYTES, BundleFile, kind_of
from engine.deploy import deploy_bundle
from engine.errors import JiebangError, NotFound, ValidationFailed
from engine.models.deployment import Deployment
from web.access import api_rule
from web.api.common import BEARER, PageArgs, check_text, current_user, page_of, session
from web.api.schemas import DeploymentDetailSchema, DeploymentPageSchema, DeployResultSchema

blp = Blueprint(
    "api_v1_deployments", __name__, url_prefix="/api/v1/deployments", description="Deployments / 部署"
)

MAX_BUNDLE_BYTES = 50 * 1024 * 1024


class PayloadTooLarge(JiebangError):
    code = "payload_too_large"
    http_status = 413


def deployment_json(d: Deployment) -> dict[str, Any]:
    return {
        "id": d.id,
        "created_at": d.created_at,
        "deployed_by": d.deployed_by,
        "note": d.note,
        "bundle_hash": d.bundle_hash,
    }


@blp.get("")
@blp.doc(security=BEARER)
@api_rule("token")
@blp.arguments(PageArgs, location="query")
@blp.response(200, DeploymentPageSchema)
def list_deployments(args: dict[str, Any]) -> dict[str, Any]:
    """Deployments, newest first (process owners, admins and oversight roles)."""
    require_deployment_reader(current_user())
    page = page_of(select(Deployment).order_by(Deployment.id.desc()), args["page"], args["page_size"])
    page["items"] = [deployment_json(d) for d in page["items"]]
    return page


@blp.get("/<int(max=2147483647):deployment_id>")
@blp.doc(security=BEARER)
@api_rule("token")
@blp.response(200, DeploymentDetailSchema)
def show_deployment(deployment_id: int) -> dict[str, Any]:
    """One deployment with its files and the process versions it created."""
    require_deployment_reader(current_user())
    d = session().scalar(
        select(Deployment)
        .where(Deployment.id == deployment_id)
        .options(selectinload(Deployment.files), selectinload(Deployment.versions))
    )
    if d is None:
        raise NotFound(f"部署 {deployment_id} 不存在。", f"Deployment {deployment_id} does not exist.")
    return {
        **deployment_json(d),
        "files": [{"name": f.name, "kind": f.kind, "sha256": f.sha256} for f in d.files],
        "versions": [
            {"process": v.process_key, "version": v.version, "name": v.name}
            for v in sorted(d.versions, key=lambda v: (v.process_key, v.version))
        ],
    }


def _refuse(field: str, zh: str, en: str) -> ValidationFailed:
    return ValidationFailed(zh, en, details={"fields": {field: [zh]}, "fields_en": {field: [en]}})


def _file_name(raw: str | None) -> str:
    name = (raw or "").replace("\\", "/").strip().lstrip("/")
    try:
        check_text(name)
    except ma.ValidationError:
        raise _refuse("files", "文件名无效。", "A file name is invalid.") from None
    if not name or len(name) > 255 or any(part in ("", ".", "..") for part in name.split("/")):
        raise _refuse("files", f"文件名无效：{name[:80]!r}。", f"Invalid file name {name[:80]!r}.")
    if kind_of(name) is None:
        raise _refuse(
            "files",
            f"不支持的文件类型：{name}（只接受 .bpmn、.dmn、.form.json）。",
            f"Unsupported file type: {name} (use .bpmn, .dmn or .form.json).",
        )
    return name


MULTIPART_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["files"],
                "properties": {
                    "files": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "description": ".bpmn, .dmn and .form.json files of one bundle (repeat the part)",
                    },
                    "note": {"type": "string", "maxLength": 2000, "description": "what changed"},
                },
            }
        }
    },
}


@blp.post("")
@blp.doc(security=BEARER, requestBody=MULTIPART_BODY)
@api_rule("token")
@blp.response(201, DeployResultSchema, description="new versions were created")
@blp.alt_response(200, schema=DeployResultSchema, description="the same content was deployed before")
def deploy(**_kwargs: Any) -> tuple[dict[str, Any], int]:
    """Validate and deploy a bundle (process owners and admins). The same bytes again create no new version;
    a refusal (422, code ``deployment_refused``) lists every problem with file, line and element."""
    user = current_user()
    require_deployer(user)
    if (request.content_length or 0) > MAX_BUNDLE_BYTES:
        raise PayloadTooLarge(
            f"部署包超过 {MAX_BUNDLE_BYTES // 1024 // 1024} MiB。",
            f"The bundle is larger than {MAX_BUNDLE_BYTES // 1024 // 1024} MiB.",
        )
    if request.mimetype != "multipart/form-data":
        raise _refuse(
            "files",
            "请以 multipart/form-data 上传文件（字段名 files）。",
            "Upload the files as multipart/form-data (field name: files).",
        )
    uploads = request.files.getlist("files")
    if not uploads:
        raise _refuse("files", "没有上传任何文件。", "No file was uploaded.")
    note = request.form.get("note") or None
    if note is not None:
        try:
            check_text(note)
        except ma.ValidationError:
            raise _refuse("note", "说明包含无效字符。", "The note contains invalid characters.") from None
        if len(note) > 2000:
            raise _refuse("note", "说明不超过 2000 个字符。", "The note must be at most 2000 characters.")
    files: dict[str, BundleFile] = {}
    for upload in uploads:
        name = _file_name(upload.filename)
        content = upload.read(MAX_FILE_BYTES + 1)
        if len(content) > MAX_FILE_BYTES:
            raise PayloadTooLarge(
                f"文件 {name} 超过 {MAX_FILE_BYTES // 1024 // 1024} MiB。",
                f"File {name} is larger than {MAX_FILE_BYTES // 1024 // 1024} MiB.",
            )
        if name in files:
            raise _refuse("files", f"部署包中有两个同名文件：{name}。", f"Two files are named {name}.")
        files[name] = BundleFile(name, content)
    result = deploy_bundle(session(), list(files.values()), deployed_by=user.username, note=note)
    return result.as_json(), 200 if result.unchanged else 201
