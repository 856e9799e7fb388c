"""Versions of a process for its owner: two versions side by side with the elements added, removed and changed
highlighted (bpmn-js-differ in the browser), and the policy values that differ (parameter's name, old → new).
Also the texts the modeler page shows about a deployment's outcome (new versions, unchanged processes, a
stale base), in the user's language."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from engine.diagram_names import shown_diagram
from engine.errors import NotFound
from engine.models.deployment import ProcessVersion
from engine.version_history import StaleBase, bpmn_text, diff_versions, version_of
from web.access import rule
from web.case_view import Names
from web.extensions import db
from web.i18n import current_lang, diagram_name

bp = Blueprint("versions", __name__, url_prefix="/versions")


def deploy_labels() -> dict[str, str]:
    """Texts of the modeler page's deployment outcome (read by bpmn-ui.js from its config)."""
    return {
        "deployed": _("已部署。"),
        "new_versions": _("新版本："),
        "unchanged": _("未变（保留现有版本）："),
        "processes": _("%(count)s 个流程"),
        "none": _("无"),
        "compare": _("对比"),
        "stale": _("此页面打开后已有新版本部署，继续会覆盖它们："),
        "stale_files": _("其后改动的文件："),
        "overwrite": _("仍然部署并覆盖"),
        "cancel": _("取消"),
    }


def stale_json(exc: StaleBase) -> dict[str, Any]:
    """The refusal of a deploy from a stale base, for the modeler page: what would be overwritten."""
    names = Names()
    return {
        "ok": False,
        "stale": True,
        "problems": [],
        "message": exc.message(current_lang()),
        "versions": [
            {
                **v,
                "name": diagram_name(v.get("name")) or v["key"],
                "deployed_by": names.account(v.get("deployed_by")),
                "url": diff_url(v["key"], v["version"]),
            }
            for v in exc.details.get("versions", [])
        ],
        "files": exc.details.get("files", []),
    }


def diff_url(key: str, version: int) -> str | None:
    return url_for("versions.diff", key=key, old=version - 1, new=version) if version > 1 else None


def _version_or_404(key: str, version: int) -> ProcessVersion:
    try:
        return version_of(db.session(), key, version)
    except NotFound:
        abort(404)


@bp.get("/<key>/diff")
@rule("versions")
def diff(key: str) -> str:
    session = db.session()
    numbers = list(
        session.scalars(
            select(ProcessVersion.version)
            .where(ProcessVersion.process_key == key)
            .order_by(ProcessVersion.version)
        )
    )
    if not numbers:
        abort(404)
    new_number = request.args.get("new", type=int) or numbers[-1]
    old_number = request.args.get("old", type=int) or max(
        (n for n in numbers if n < new_number), default=new_number
    )
    old, new = _version_or_404(key, old_number), _version_or_404(key, new_number)
    changes = diff_versions(session, old, new)
    config = {
        "old": url_for(".diagram", key=key, version=old.version),
        "new": url_for(".diagram", key=key, version=new.version),
        "labels": {
            "added": _("新增"),
            "removed": _("删除"),
            "changed": _("修改"),
            "layout": _("移动"),
            "none": _("流程图没有差异。"),
            "failed": _("无法显示流程图："),
        },
    }
    return render_template(
        "versions/diff.html",
        key=key,
        name=new.name or key,
        old=old,
        new=new,
        numbers=numbers,
        changes=changes,
        lang=current_lang(),
        config=config,
    )


@bp.get("/<key>/<int:version>/diagram.bpmn")
@rule("versions")
def diagram(key: str, version: int) -> Response:
    pv = _version_or_404(key, version)
    # the names as the user reads them (lanes without their role codes), on both sides of the comparison
    return Response(shown_diagram(bpmn_text(db.session(), pv), current_lang()), mimetype="application/xml")
