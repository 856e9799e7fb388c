"""``jiebang backup DEST`` / ``jiebang restore SRC``: the database, the uploads and the secret key in one
archive, consistent with each other.

The archive (``.tar.gz``, mode 0600) holds ``manifest.json`` (format, schema revision, database kind, and the
size and sha256 of every other member), the database (a SQLite copy made with SQLite's online backup API,
or a ``pg_dump`` custom-format dump), ``secret_key`` when the key lives in the instance folder, and
``uploads/ab/<sha256>``. The database is copied first: uploads are content-addressed and never change, so
every file the copied database refers to is then copied too.

Restore checks the whole archive (manifest, checksums, member names, database kind, schema revision) before
changing anything, and refuses a damaged or mismatched one with a clear message. It then adds the uploads,
replaces the database (SQLite online backup into the live file; ``pg_restore --clean`` in one transaction)
and finally the secret key. Stop the web server and the scheduler while restoring."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from engine.db import dispose_engines
from engine.errors import JiebangError
from engine.private import FILE_MODE, private_dir, private_file, sqlite_path
from engine.upload_store import stored_files

FORMAT = "jiebang-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
KEY_MEMBER = "secret_key"
UPLOADS_PREFIX = "uploads/"
CHUNK = 1024 * 1024


class BackupRefused(JiebangError):
    """A backup or restore that cannot be done as asked; nothing was changed."""

    code = "backup_refused"
    http_status = 422


@dataclass
class BackupResult:
    archive: Path
    database: str
    revision: str | None
    uploads: int
    secret_key: bool
    bytes: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "archive": str(self.archive),
            "database": self.database,
            "revision": self.revision,
            "uploads": self.uploads,
            "secret_key": self.secret_key,
            "bytes": self.bytes,
        }


@dataclass
class RestoreResult:
    database: str
    revision: str | None
    uploads_added: int
    secret_key: bool
    created_at: str
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "revision": self.revision,
            "uploads_added": self.uploads_added,
            "secret_key": self.secret_key,
            "created_at": self.created_at,
        }


def _kind(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        if sqlite_path(url) is None:
            raise BackupRefused(
                "内存中的 SQLite 数据库无法备份或恢复。", "An in-memory SQLite database cannot be backed up."
            )
        return "sqlite"
    if backend == "postgresql":
        return "postgresql"
    raise BackupRefused(
        f"不支持备份 {backend} 数据库。", f"Backing up a {backend} database is not supported."
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for pg_dump/pg_restore (password passed in the environment, not the command)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupRefused(
            f"找不到 {command[0]}：请安装与服务器主版本相同的 PostgreSQL 客户端工具。",
            f"{command[0]} was not found: install the PostgreSQL client tools of the server's major version.",
        ) from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        last = detail[-1] if detail else f"exit {done.returncode}"
        raise BackupRefused(f"{what}失败：{last}", f"{command[0]} failed: {last}")


def _revision_of(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from engine.migrate import MIGRATIONS

    return {script.revision for script in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}


def _archive_path(dest: Path, now: datetime) -> Path:
    if dest.is_dir():
        dest = dest / f"jiebang-backup-{now.strftime('%Y%m%dT%H%M%SZ')}.tar.gz"
    if dest.exists():
        raise BackupRefused(
            f"{dest} 已存在，备份不会覆盖它；请换一个文件名。",
            f"{dest} exists; a backup never overwrites it. Choose another name.",
        )
    if not dest.parent.is_dir():
        raise BackupRefused(f"文件夹 {dest.parent} 不存在。", f"The folder {dest.parent} does not exist.")
    return dest


def backup(dest: Path, url: str, uploads: Path, secret: Path, *, now: datetime | None = None) -> BackupResult:
    """Write one archive of the database, ``uploads`` and the key file ``secret`` (if it exists)."""
    now = now or datetime.now(UTC)
    kind = _kind(url)
    target = _archive_path(dest, now)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".jiebang-backup-") as work_dir:
        work = Path(work_dir)
        members: list[tuple[str, Path]] = []
        if kind == "sqlite":
            copy = work / SQLITE_MEMBER
            source_path = sqlite_path(url)
            if source_path is None or not source_path.is_file():
                raise BackupRefused(
                    f"数据库文件 {source_path} 不存在。", f"The database file {source_path} does not exist."
                )
            with sqlite3.connect(source_path) as source, sqlite3.connect(copy) as out:
                source.backup(out)  # a consistent snapshot while others keep writing
            source.close()
            out.close()
            revision = _revision_of(f"sqlite:///{copy}")
            members.append((SQLITE_MEMBER, copy))
        else:
            revision = _revision_of(url)
            dump = work / PG_MEMBER
            uri, env = _libpq(url)
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--file={dump}",
                    f"--dbname={uri}",
                ],
                env,
                "pg_dump 导出数据库",
            )
            members.append((PG_MEMBER, dump))
        has_key = secret.is_file()
        if has_key:
            members.append((KEY_MEMBER, secret))
        files = list(stored_files(uploads))
        members += [(f"{UPLOADS_PREFIX}{p.parent.name}/{p.name}", p) for p in files]
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": now.isoformat(),
            "database": {"kind": kind, "file": members[0][0], "revision": revision},
            "secret_key": has_key,
            "files": [
                {"name": name, "size": path.stat().st_size, "sha256": _sha256(path)} for name, path in members
            ],
        }
        partial = work / "archive.tar.gz"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(data), FILE_MODE, int(now.timestamp())
            archive.addfile(info, io.BytesIO(data))
            for name, path in members:
                archive.add(path, arcname=name, recursive=False, filter=_plain)
        os.replace(partial, target)
    return BackupResult(target, kind, revision, len(files), has_key, target.stat().st_size)


def _plain(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = FILE_MODE
    return info


def _damaged(src: Path, why_zh: str, why_en: str) -> BackupRefused:
    return BackupRefused(
        f"备份 {src.name} 已损坏或不完整（{why_zh}），未做任何更改。",
        f"The backup {src.name} is damaged or incomplete ({why_en}); nothing was changed.",
    )


@contextmanager
def _verified(src: Path, work: Path) -> Iterator[dict[str, Any]]:
    """Extract ``src`` into ``work`` checking every member against the manifest; yields the manifest."""
    if not src.is_file():
        raise BackupRefused(f"找不到备份文件 {src}。", f"The backup file {src} does not exist.")
    try:
        with tarfile.open(src, mode="r:*") as archive:
            first = archive.next()
            if first is None or first.name != MANIFEST or not first.isfile():
                raise _damaged(src, "开头没有 manifest.json", "manifest.json is not its first member")
            handle = archive.extractfile(first)
            manifest = json.loads(handle.read(1024 * 1024 * 64)) if handle else None
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise BackupRefused(
                    f"{src.name} 不是 Jiebang 备份，未做任何更改。",
                    f"{src.name} is not a Jiebang backup; nothing was changed.",
                )
            if manifest.get("format_version") != FORMAT_VERSION:
                raise BackupRefused(
                    f"备份格式版本 {manifest.get('format_version')} 不受此版本支持，未做任何更改。",
                    f"Backup format version {manifest.get('format_version')} is not supported; nothing was changed.",
                )
            expected = {f["name"]: f for f in manifest.get("files", []) if isinstance(f, dict)}
            seen: set[str] = set()
            for member in archive:
                if member is first:
                    continue
                name = member.name
                if name not in expected or name in seen or not member.isfile() or not _safe_name(name):
                    raise _damaged(src, f"意外的条目 {name}", f"unexpected member {name}")
                seen.add(name)
                out_path = work / name
                private_dir(out_path.parent)
                digest, size = hashlib.sha256(), 0
                stream = archive.extractfile(member)
                fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
                with os.fdopen(fd, "wb") as out:
                    while stream is not None and (chunk := stream.read(CHUNK)):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                want = expected[name]
                if size != want.get("size") or digest.hexdigest() != want.get("sha256"):
                    raise _damaged(src, f"{name} 的校验和不符", f"the checksum of {name} does not match")
            if missing := sorted(expected.keys() - seen):
                raise _damaged(src, f"缺少 {missing[0]}", f"{missing[0]} is missing")
    except (tarfile.TarError, EOFError, OSError, zlib.error, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _damaged(src, "无法读取", f"cannot be read: {exc}") from None
    yield manifest


def _safe_name(name: str) -> bool:
    if name in (SQLITE_MEMBER, PG_MEMBER, KEY_MEMBER):
        return True
    parts = name.split("/")
    return (
        len(parts) == 3
        and parts[0] + "/" == UPLOADS_PREFIX
        and len(parts[2]) == 64
        and all(c in "0123456789abcdef" for c in parts[2])
        and parts[1] == parts[2][:2]
    )


def _has_data(url: str, kind: str) -> bool:
    if kind == "sqlite":
        path = sqlite_path(url)
        if path is None or not path.is_file() or path.stat().st_size == 0:
            return False
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return bool(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def restore(src: Path, url: str, uploads: Path, secret: Path, *, replace: bool = False) -> RestoreResult:
    """Check the archive ``src`` in full, then restore uploads, database and key from it."""
    kind = _kind(url)
    work_parent = private_dir(uploads.parent)
    with tempfile.TemporaryDirectory(dir=work_parent, prefix=".jiebang-restore-") as work_dir:
        work = Path(work_dir)
        with _verified(src, work) as manifest:
            database = manifest.get("database") or {}
            if database.get("kind") != kind:
                raise BackupRefused(
                    f"这是 {database.get('kind')} 数据库的备份，不能恢复到 {kind} 数据库，未做任何更改。",
                    f"This is a backup of a {database.get('kind')} database; it cannot be restored into a "
                    f"{kind} database. Nothing was changed.",
                )
            revision = database.get("revision")
            if revision is not None and revision not in _known_revisions():
                raise BackupRefused(
                    f"备份的数据库结构版本 {revision} 比本程序新，请先升级 Jiebang，未做任何更改。",
                    f"The backup's schema revision {revision} is newer than this program; upgrade Jiebang "
                    "first. Nothing was changed.",
                )
            db_file = work / str(database.get("file"))
            if database.get("file") not in (SQLITE_MEMBER, PG_MEMBER) or not db_file.is_file():
                raise _damaged(src, "没有数据库", "it holds no database")
            if not replace and _has_data(url, kind):
                raise BackupRefused(
                    "目标数据库已有数据。确认要用备份覆盖它，请加 --replace（先停止 Web 服务和定时器），未做任何更改。",
                    "The target database already holds data. To overwrite it with the backup, add --replace "
                    "(stop the web server and the scheduler first). Nothing was changed.",
                )
            added = _restore_uploads(work, uploads)
            dispose_engines()
            if kind == "sqlite":
                target = private_file(sqlite_path(url))  # type: ignore[arg-type]
                with sqlite3.connect(db_file) as source, sqlite3.connect(target, timeout=30) as out:
                    source.backup(out)
                source.close()
                out.close()
            else:
                uri, env = _libpq(url)
                _run(
                    [
                        "pg_restore",
                        "--clean",
                        "--if-exists",
                        "--no-owner",
                        "--no-privileges",
                        "--single-transaction",
                        "--exit-on-error",
                        f"--dbname={uri}",
                        str(db_file),
                    ],
                    env,
                    "pg_restore 恢复数据库",
                )
            has_key = bool(manifest.get("secret_key")) and (work / KEY_MEMBER).is_file()
            if has_key:
                private_dir(secret.parent)
                staged = secret.with_name(f".{secret.name}.restore")
                shutil.copyfile(work / KEY_MEMBER, staged)
                os.chmod(staged, FILE_MODE)
                os.replace(staged, secret)
            return RestoreResult(kind, revision, added, has_key, str(manifest.get("created_at")))


def _restore_uploads(work: Path, uploads: Path) -> int:
    added = 0
    source = work / UPLOADS_PREFIX.rstrip("/")
    for path in stored_files(source) if source.is_dir() else ():
        target = private_dir(uploads / path.parent.name) / path.name
        if not target.exists():
            os.replace(path, target)
            added += 1
    return added
