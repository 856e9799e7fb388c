"""Uploaded files: received with the form field's size limit enforced while streaming, typed by their content
(never by the browser's claim), named safely, stored content-addressed by sha256 under the upload folder
(``<folder>/ab/abcdef…``, see ``engine.upload_store``) and described by the metadata dict the form format
expects (``{name, size, content_type, sha256, storage_key}``). A refused file leaves nothing on disk.

``send_upload`` is the one way to serve a stored file; the caller decides who may download it."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import puremagic
from flask import Response, abort, current_app, g, request, send_file
from werkzeug.datastructures import FileStorage

from engine import upload_store
from forms import messages as msg
from forms.definition import DEFAULT_MAX_SIZE, FieldDef, FormDefinition
from forms.errors import Message
from forms.webinput import flat_name

CHUNK = 1024 * 1024
#: Longest stored file name in UTF-8 bytes (most file systems allow 255; room for a browser's " (1)").
MAX_NAME_BYTES = 200
OCTET = "application/octet-stream"
#: Types a browser would run as a page; never matched by a wildcard like image/* and never served as such.
ACTIVE_TYPES = frozenset(
    {"text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml"}
)
_WINDOWS_RESERVED = re.compile(r"(?i)(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)")
_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
_ZIP_KINDS = (
    ("word/document.xml", ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xl/workbook.xml", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (
        "ppt/presentation.xml",
        ".pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
)


def upload_folder() -> Path:
    return upload_store.upload_folder(current_app.config.get("UPLOAD_FOLDER"))


def path_of(storage_key: str) -> Path | None:
    """The stored file of ``storage_key`` (``sha256/ab/<hex>``), or None if the key is not one of ours."""
    return upload_store.path_of(upload_folder(), storage_key)


def clean_name(raw: str | None, extension: str = "") -> str:
    """A file name safe to store, show and offer for download: no folders, no control or bidirectional-override
    characters, none of ``<>:"/\\|?*``, not hidden, not a reserved device name, at most ``MAX_NAME_BYTES``
    bytes (the extension kept). Chinese and other letters are kept. ``extension`` names an empty result."""
    name = unicodedata.normalize("NFC", (raw or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")  # Cc, Cf (RLO, ZWJ…), Co, Cn, Cs
    name = _FORBIDDEN.sub("_", " ".join(name.split())).strip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if _WINDOWS_RESERVED.fullmatch(stem.strip()) or (not stem and not ext):
        stem = "_" + stem if stem else "upload"
    ext = ("." + ext if ext else "")[:16]
    while len((stem + ext).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    name = (stem.rstrip(" .") or "upload") + ext
    return name if ext or not extension else name + extension


@dataclass(frozen=True)
class Sniffed:
    """The type of a file's content: its MIME type and the extensions that type goes by (empty: unknown)."""

    mime: str
    extensions: frozenset[str]
    primary: str = ""

    @property
    def known(self) -> bool:
        return self.mime != OCTET

    def label(self) -> str:
        return (
            f"{sorted(self.extensions)[0].lstrip('.').upper()} ({self.mime})"
            if self.extensions
            else self.mime
        )


def _candidates(path: Path) -> list[tuple[str, str]]:
    """(extension, mime) guesses for the content, most likely first; the kind of a ZIP container from its
    entries (Office Open XML documents are ZIP files)."""
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            names = set()
        for entry, ext, mime in _ZIP_KINDS:
            if entry in names:
                return [(ext, mime)]
        return [(".zip", "application/zip")]
    try:
        matches = puremagic.magic_file(path)
    except (puremagic.PureError, ValueError):
        return []
    return [(m.extension.lower(), m.mime_type.lower()) for m in matches if m.mime_type]


def sniff(path: Path, name: str) -> Sniffed:
    """The content type of ``path``; among equally plausible types, the one ``name``'s extension names."""
    found = _candidates(path)
    if not found:
        return Sniffed(OCTET, frozenset())
    ext = Path(name).suffix.lower()
    guessed = mimetypes.guess_type(name)[0]
    mime = next((m for e, m in found if e == ext), None) or next((m for _e, m in found if m == guessed), None)
    mime = mime or found[0][1]
    own = [e for e, m in found if m == mime and e]
    extensions = frozenset(own) | frozenset(mimetypes.guess_all_extensions(mime))
    primary = ext if ext in extensions else mimetypes.guess_extension(mime) or (own[0] if own else "")
    return Sniffed(mime, extensions, primary)


def _accepted(accept: tuple[str, ...] | list[str], found: Sniffed) -> bool:
    for rule in (r.strip().lower() for r in accept):
        if rule.startswith(".") and rule in found.extensions:
            return True
        if rule.endswith("/*") and found.mime.startswith(rule[:-1]) and found.mime not in ACTIVE_TYPES:
            return True
        if rule == found.mime:
            return True
    return False


def _check_type(spec: FieldDef, name: str, found: Sniffed, size: int) -> Message | None:
    allowed = ", ".join(spec.accept)
    if size == 0:
        return msg.file_empty(name)
    ext = Path(name).suffix.lower()
    if found.known and ext and ext not in found.extensions:
        return msg.file_content_mismatch(name, ext, found.label())
    if spec.accept and not found.known:
        return msg.file_type_unknown(name, allowed)
    if spec.accept and not _accepted(spec.accept, found):
        return msg.file_type(allowed)
    return None


def store(upload: FileStorage, spec: FieldDef) -> tuple[dict[str, Any] | None, list[Message]]:
    """Check and store one upload. Returns (metadata, []) or (None, problems); refused files are not kept."""
    limit = spec.max_size or DEFAULT_MAX_SIZE
    folder = upload_folder()
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=upload_store.PARTIAL_PREFIX)  # mode 0600
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := upload.stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    tmp.unlink()
                    return None, [msg.file_too_large(msg.human_size(limit))]
                digest.update(chunk)
                out.write(chunk)
        found = sniff(tmp, upload.filename or "")
        name = clean_name(upload.filename, found.primary)
        problem = _check_type(spec, name, found, size)
        if problem is not None:
            tmp.unlink()
            return None, [problem]
        sha = digest.hexdigest()
        target = upload_store.private_dir(folder / sha[:2]) / sha
        if target.exists():
            tmp.unlink()
            os.utime(target)  # just used again: not abandoned
        else:
            os.replace(tmp, target)
            g.setdefault("jb_new_uploads", []).append(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return {
        "name": name,
        "size": size,
        "content_type": found.mime,
        "sha256": sha,
        "storage_key": upload_store.storage_key(sha),
    }, []


def discard_new() -> None:
    """Remove the files this request stored for the first time: the form they came with was refused and
    nothing refers to them."""
    for path in g.pop("jb_new_uploads", []):
        path.unlink(missing_ok=True)


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


def _ascii_fallback(name: str) -> str:
    """The name for clients without RFC 5987: its ASCII letters, else ``download``, with the extension."""

    def ascii_only(text: str) -> str:
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        return re.sub(r"[^A-Za-z0-9._ -]", "_", plain).strip(" ._")

    path = Path(name)
    stem, suffix = ascii_only(path.stem), ascii_only(path.suffix)
    return (stem if stem.strip("_") else "download") + ("." + suffix if suffix else "")


def send_upload(meta: Mapping[str, Any]) -> Response:
    """Serve a stored upload as a download (404 if it is not stored here). The type is sniffed again from
    the content, so metadata cannot make a browser run a file as a page; the name is sent both as a plain
    ASCII fallback and, exactly, as RFC 5987 ``filename*``. The caller has checked who may download it."""
    key = meta.get("storage_key")
    path = path_of(key) if isinstance(key, str) else None
    if path is None:
        abort(404)
    name = clean_name(str(meta.get("name") or ""))
    mime = sniff(path, name).mime
    response = send_file(
        path, mimetype=OCTET if mime in ACTIVE_TYPES else mime, conditional=False, etag=False
    )
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "no-store"
    return response


def send_audited_download(
    session: Any, meta: Mapping[str, Any], *, actor: str | None, instance: Any
) -> Response:
    """Serve a file of ``instance`` that the policy let the viewer download, recording the download in the audit
    trail first (404, and nothing recorded, when the file is not stored here)."""
    from engine import audit
    from engine.db import begin_write

    if path_of(meta["storage_key"]) is None:
        abort(404)
    begin_write(session)  # the access checks read; the audit row is written as a writer (engine.sqlite)
    audit.record(
        session,
        "file_download",
        actor=actor,
        subject=f"instance:{instance.id}/file:{meta['sha256']}",
        detail={"name": meta["name"], "business_key": instance.business_key},
    )
    session.commit()
    return send_upload(meta)
