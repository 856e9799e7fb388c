"""Uploaded files: checked against the form field's size and type limits, stored content-addressed by
sha256 under the instance folder (``<instance>/uploads/ab/abcdef…``), described by the metadata dict the form
format expects (``{name, size, content_type, sha256, storage_key}``)."""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from flask import current_app
from werkzeug.datastructures import FileStorage

from forms import messages as msg
from forms.definition import FieldDef
from forms.errors import Message

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
