"""Where uploaded files live and which of them are still needed.

Files are stored content-addressed (``<folder>/ab/abcdef…``, the sha256 of the content) and referenced from
instance data, events and task drafts by their metadata (``storage_key`` ``sha256/ab/<hex>``). A file that
no stored record mentions and that is older than the grace period was abandoned (a refused form, a closed
browser): ``clean_abandoned`` removes it. Used by the web layer, the scheduler, ``jiebang uploads clean``
and ``jiebang backup``."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.private import instance_folder, private_dir

#: Abandoned uploads are removed after this long unless something refers to them.
DEFAULT_GRACE = timedelta(hours=24)
#: Name prefix of a file still being received (removed with the same grace period if a worker died).
PARTIAL_PREFIX = ".upload-"

_DIGEST = re.compile(r"[0-9a-f]{64}")


def upload_folder(configured: str | Path | None = None) -> Path:
    """``configured`` (the web app's ``UPLOAD_FOLDER``), ``JIEBANG_UPLOAD_FOLDER``, or <instance>/uploads;
    created as a 0700 folder."""
    chosen = configured or os.environ.get("JIEBANG_UPLOAD_FOLDER")
    return private_dir(Path(chosen).resolve() if chosen else instance_folder() / "uploads")


def storage_key(digest: str) -> str:
    return f"sha256/{digest[:2]}/{digest}"


def path_of(folder: Path, key: str) -> Path | None:
    """The stored file of ``key`` (``sha256/ab/<hex>``), or None if the key is not one of ours or is gone."""
    parts = key.split("/") if isinstance(key, str) else []
    if len(parts) != 3 or parts[0] != "sha256" or not _DIGEST.fullmatch(parts[2]) or parts[1] != parts[2][:2]:
        return None
    path = folder / parts[1] / parts[2]
    return path if path.is_file() else None


def stored_files(folder: Path) -> Iterator[Path]:
    """Every complete stored file (``ab/<64 hex>``)."""
    for sub in sorted(folder.iterdir()) if folder.is_dir() else ():
        if sub.is_dir() and len(sub.name) == 2:
            for path in sorted(sub.iterdir()):
                if path.is_file() and _DIGEST.fullmatch(path.name) and path.name[:2] == sub.name:
                    yield path


def referenced_digests(session: Session) -> set[str]:
    """Digests mentioned anywhere an upload's metadata can be kept: instance data, events, task and
    application drafts, the application records.

    Any 64-hex-digit word counts, so an unusual place of a reference keeps the file rather than losing it."""
    from engine.models.application import Application
    from engine.models.event import InstanceEvent
    from engine.models.instance import InstanceState
    from engine.models.web import ApplicationDraft, TaskDraft

    found: set[str] = set()
    columns = (
        InstanceState.state_json,
        InstanceEvent.data_json,
        TaskDraft.data_json,
        ApplicationDraft.data_json,
        Application.plan_file_json,
    )
    for column in columns:
        for text in session.scalars(select(column).execution_options(yield_per=200)):
            if text:
                found.update(_DIGEST.findall(text))
    return found


@dataclass
class CleanResult:
    removed: list[str] = field(default_factory=list)
    freed_bytes: int = 0
    kept: int = 0

    def as_json(self) -> dict[str, object]:
        return {"removed": self.removed, "freed_bytes": self.freed_bytes, "kept": self.kept}


def clean_abandoned(
    session: Session, folder: Path, grace: timedelta = DEFAULT_GRACE, *, now: float | None = None
) -> CleanResult:
    """Remove stored files older than ``grace`` that nothing refers to, and partial files of dead uploads.

    Ages are file modification times (the wall clock of the machine that stores them)."""
    cutoff = (time.time() if now is None else now) - grace.total_seconds()
    referenced = referenced_digests(session)
    session.rollback()  # end the read transaction; the scan can be long
    result = CleanResult()
    candidates = [*stored_files(folder), *(p for p in folder.glob(PARTIAL_PREFIX + "*") if p.is_file())]
    for path in candidates:
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        if path.name in referenced or stat.st_mtime > cutoff:
            result.kept += 1
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        result.removed.append(path.name)
        result.freed_bytes += stat.st_size
    return result


def store_bytes(folder: Path, content: bytes, name: str, content_type: str) -> dict[str, object]:
    """Keep ``content`` (a file the system made, e.g. a generated document) like an upload; its metadata."""
    import hashlib
    import tempfile

    sha = hashlib.sha256(content).hexdigest()
    target = private_dir(folder / sha[:2]) / sha
    if target.exists():
        os.utime(target)
    else:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=PARTIAL_PREFIX)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return {
        "name": name,
        "size": len(content),
        "content_type": content_type,
        "sha256": sha,
        "storage_key": storage_key(sha),
    }
