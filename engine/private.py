"""Files only the service user may read: the instance folder, the SQLite database, uploads, the secret key
and backups are created as 0700 folders and 0600 files.

The CLI and the web application set the process umask to 077 when they start (``restrict_umask``); the
functions here also set the modes explicitly, so the rule holds under any umask."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600


def restrict_umask() -> None:
    """New files and folders of this process are readable by its own user only."""
    os.umask(PRIVATE_UMASK)


def instance_folder() -> Path:
    """``JIEBANG_INSTANCE_PATH`` or ./instance (absolute; not created)."""
    return Path(os.environ.get("JIEBANG_INSTANCE_PATH", "instance")).resolve()


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) as 0700 folders. An existing folder is left as it is: it may be
    one the operator chose and shares on purpose."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=DIR_MODE)
        os.chmod(folder, DIR_MODE)  # mkdir's mode is filtered by the umask
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty as a 0600 file if it does not exist; tighten an existing one that others can
    read (our own database or key; a file owned by someone else is left alone)."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            with contextlib.suppress(PermissionError):
                os.chmod(path, FILE_MODE)
    else:
        os.close(fd)
        os.chmod(path, FILE_MODE)
    return path


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None for other databases and in-memory SQLite."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    if parsed.database.startswith("file:"):
        return None
    return Path(parsed.database).resolve()
