"""Uploaded files: checked against the form field's size and type limits, stored content-addressed by
sha256 under the instance folder (``<instance>/uploads/ab/abcdef…``), described by the metadata dict the form
format expects (``{name, size, content_type, sha256, storage_key}``)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from flask import current_app, request
from werkzeug.datastructures import FileStorage

from forms import messages as msg
from forms.definition import FieldDef, FormDefinition
from forms.errors import Message
from forms.webinput import flat_name

CHUNK = 1024 * 1024


def upload_folder() -> Path:
    configured = current_app.config.get("UPLOAD_FOLDER")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def path_of(storage_key: str) -> Path | None:
    """The stored file of ``storage_key`` (``sha256/ab/<hex>``), or None if the key is not one of ours."""
    parts = storage_key.split("/")
    if len(parts) != 3 or parts[0] != "sha256" or len(parts[2]) != 64 or parts[1] != parts[2][:2]:
        return None
    if any(c not in "0123456789abcdef" for c in parts[2]):
        return None
    path = upload_folder() / parts[1] / parts[2]
    return path if path.is_file() else None


def clean_name(raw: str | None) -> str:
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return (name or "upload")[-255:]


def _accepted(accept: tuple[str, ...] | list[str], name: str, content_type: str) -> bool:
    lower = name.lower()
    for rule in accept:
        rule = rule.strip().lower()
        if rule.startswith(".") and lower.endswith(rule):
            return True
        if rule.endswith("/*") and content_type.startswith(rule[:-1]):
            return True
        if rule == content_type:
            return True
    return False


def store(upload: FileStorage, spec: FieldDef) -> tuple[dict[str, Any] | None, list[Message]]:
    """Check and store one upload. Returns (metadata, []) or (None, problems); refused files are not kept."""
    name = clean_name(upload.filename)
    content_type = (upload.mimetype or "application/octet-stream").lower()
    if spec.accept and not _accepted(spec.accept, name, content_type):
        return None, [msg.file_type(", ".join(spec.accept))]
    limit = spec.max_size
    folder = upload_folder()
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := upload.stream.read(CHUNK):
                size += len(chunk)
                if limit is not None and size > limit:
                    raise _TooLarge
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        target = folder / sha[:2] / sha
        target.parent.mkdir(exist_ok=True)
        if target.exists():
            os.unlink(tmp_name)
        else:
            os.replace(tmp_name, target)
    except _TooLarge:
        os.unlink(tmp_name)
        return None, [msg.file_too_large(msg.human_size(limit or 0))]
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    return {
        "name": name,
        "size": size,
        "content_type": content_type.split(";", 1)[0].strip(),
        "sha256": sha,
        "storage_key": f"sha256/{sha[:2]}/{sha}",
    }, []


class _TooLarge(Exception):
    pass


def file_slots(defn: FormDefinition, previous: dict[str, Any]) -> list[tuple[str, FieldDef, Any]]:
    """(flat name, field, previously stored metadata) of every file input on the page and in the request."""
    slots: list[tuple[str, FieldDef, Any]] = []
    for spec in defn.fields:
        if spec.type == "file":
            slots.append((spec.name, spec, previous.get(spec.name)))
        elif spec.type == "group":
            rows = previous.get(spec.name) if isinstance(previous.get(spec.name), list) else []
            for sub in spec.fields:
                if sub.type != "file":
                    continue
                pattern = re.compile(rf"{re.escape(spec.name)}-([0-9]{{1,6}})-{re.escape(sub.name)}")
                indices = {int(m.group(1)) for k in request.files if (m := pattern.fullmatch(k))}
                indices |= set(range(len(rows)))
                for i in sorted(indices):
                    before = rows[i].get(sub.name) if i < len(rows) and isinstance(rows[i], dict) else None
                    slots.append((flat_name(spec.name, i, sub.name), sub, before))
    return slots


def collect_files(
    defn: FormDefinition, previous: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, list[Message]]]:
    """Store the request's new uploads for ``defn``; keep earlier ones (from ``previous``: a draft or the stored
    data, never from the browser). Returns (files by flat name, problems by field path)."""
    files: dict[str, Any] = {}
    problems: dict[str, list[Message]] = {}
    for name, spec, before in file_slots(defn, previous):
        new = [f for f in request.files.getlist(name) if f and f.filename]
        stored: list[dict[str, Any]] = []
        for upload in new:
            meta, errs = store(upload, spec)
            if meta is not None:
                stored.append(meta)
            else:
                problems.setdefault(name.replace("-", "."), []).extend(errs)
        earlier = [m for m in (before if isinstance(before, list) else [before]) if isinstance(m, dict)]
        if spec.multiple:
            files[name] = earlier + stored
        elif stored:
            files[name] = stored[0]
        elif earlier:
            files[name] = earlier[0]
    return files, problems
