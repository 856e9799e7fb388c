"""The modeler's helpers for process owners beyond drawing: what the properties panel offers (the bundle's
forms, processes and the roles a lane can name), the file list grouped by jurisdiction, and the form editor's
live preview: a ``*.form.json`` text checked by the deployment's own form checks (``FormDefinition.load``) and
rendered by the same renderer as a task page (``forms.render.render_form``)."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Response, abort, jsonify, request
from lxml import etree

from engine.bundle import MAX_FILE_BYTES
from engine.labels import ROLE_NAMES, jurisdiction_name
from forms.definition import FormDefinition
from forms.errors import FormDefinitionError
from forms.render import render_form
from web.access import rule
from web.i18n import current_lang, diagram_name

bp = Blueprint("modeler_forms", __name__, url_prefix="/modeler/forms")

BPMN_MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
#: ``fields[3](budget).max`` → the form editor shows the problem beside the fourth field.
FIELD_PATH = re.compile(r"^fields\[(\d+)\]")
KIND_NAMES = {
    "bpmn": ("流程图", "Diagrams"),
    "dmn": ("决策表", "Decision tables"),
    "form": ("表单", "Forms"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def file_place(name: str, lang: str) -> str:
    """Where a file belongs: its jurisdiction (the folder after ``bpmn/``), shared, or general."""
    parts = name.split("/")
    folder = parts[1] if len(parts) > 2 and parts[0] == "bpmn" else (parts[0] if len(parts) > 1 else "")
    if folder == "shared":
        return _pick(("各地共用", "Shared"), lang)
    if folder in ("", "definitions"):
        return _pick(("通用", "General"), lang)
    if folder == "demo":  # bpmn/demo: the training deployment's own diagrams
        return _pick(("演示", "Demo"), lang)
    return jurisdiction_name(folder, lang)


def file_group(name: str, kind: str | None, lang: str) -> str:
    """The heading a file is listed under: its place (``file_place``) and kind."""
    return f"{file_place(name, lang)} · {_pick(KIND_NAMES.get(kind or '', (kind or '', kind or '')), lang)}"


def file_title(name: str, kind: str | None, content: bytes, lang: str) -> str:
    """What the file list calls a file: a diagram by its (first) process's name, a decision table by its
    decision's name, a form by its title, in the user's language; the file name when it names nothing."""
    if kind == "form":
        entry = _form_entry(name, content, lang)
        if entry and entry["title"]:
            return entry["title"]
    elif kind in ("bpmn", "dmn"):
        for found in _named_elements(content, "process" if kind == "bpmn" else "decision"):
            if found["name"]:
                return diagram_name(found["name"])
    return name.rsplit("/", 1)[-1].removesuffix(".form.json").removesuffix(".bpmn").removesuffix(".dmn")


def _form_entry(name: str, content: bytes, lang: str) -> dict[str, str] | None:
    try:
        raw = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        return None
    title = raw.get("title") if isinstance(raw.get("title"), dict) else {}
    return {"id": raw["id"], "title": str(title.get(lang) or title.get("zh") or ""), "file": name}


def _named_elements(content: bytes, localname: str) -> list[dict[str, str]]:
    """id and name of every ``process`` (BPMN) or ``decision`` (DMN, any version) element of a file."""
    try:
        root = etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return []
    return [
        {"id": p.get("id"), "name": p.get("name") or ""}
        for p in root.iter(f"{{{BPMN_MODEL}}}{localname}" if localname == "process" else f"{{*}}{localname}")
        if p.get("id")
    ]


def panel_settings(files: list[tuple[str, str | None, bytes]]) -> dict[str, Any]:
    """What the properties panel offers, from the bundle's files (name, kind, content): its forms, its
    processes (for call activities) and the roles a lane can name."""
    lang = current_lang()
    forms = [e for name, kind, content in files if kind == "form" if (e := _form_entry(name, content, lang))]
    processes = [
        p for _name, kind, content in files if kind == "bpmn" for p in _named_elements(content, "process")
    ]
    roles = [
        {"value": code, "label": _pick(names, lang), "name": names[0]}
        for code, names in ROLE_NAMES.items()
        if code not in ("process_owner", "admin")
    ]
    return {
        "lang": lang,
        "forms": sorted(forms, key=lambda f: f["id"]),
        "processes": sorted(processes, key=lambda p: p["id"]),
        "roles": roles,
    }


@bp.post("/preview")
@rule("modeler")
def preview() -> Response:
    """JSON ``{name, text}`` → ``{ok, html, problems: [{field, path, message}]}``: the form as a task page
    shows it, or every problem deployment would refuse it for, in the user's language."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        abort(400)
    name = str(body.get("name") or "form.form.json")[:300]
    content = body["text"].encode("utf-8")
    if len(content) > MAX_FILE_BYTES:
        abort(413)
    lang = current_lang()
    try:
        defn = FormDefinition.load(content, filename=name.rsplit("/", 1)[-1])
    except FormDefinitionError as exc:
        problems = []
        for p in exc.problems:
            found = FIELD_PATH.match(p.path)
            problems.append(
                {
                    "field": int(found.group(1)) if found else None,
                    "path": p.path,
                    "message": p.zh if lang == "zh" else p.en,
                }
            )
        return jsonify({"ok": False, "html": "", "problems": problems})
    expected = name.rsplit("/", 1)[-1].removesuffix(".form.json")
    if defn.id != expected:
        message = (
            f"表单编号“{defn.id}”须与文件名“{expected}”一致"
            if lang == "zh"
            else f"the form id '{defn.id}' must equal the file name '{expected}'"
        )
        return jsonify(
            {"ok": False, "html": "", "problems": [{"field": None, "path": "id", "message": message}]}
        )
    html = render_form(defn, lang=lang, id_prefix="preview-")
    return jsonify({"ok": True, "html": str(html), "problems": []})
