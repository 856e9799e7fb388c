"""`jiebang backup` / `jiebang restore`: a round trip brings back the database, the uploads and the secret
key; a damaged or mismatched archive is refused and changes nothing. Files are the service user's alone."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import FIXTURES, PG_URL
from tests.integration.test_cli import Cli


class Site(Cli):
    """One installation: its database, its instance folder (uploads, secret key)."""

    def __init__(self, url: str, folder: Path) -> None:
        super().__init__(url, folder)
        self.folder = folder
        self.env["JIEBANG_INSTANCE_PATH"] = str(folder)
        self.env.pop("JIEBANG_UPLOAD_FOLDER", None)
        self.env.pop("JIEBANG_SIMULATED_CLOCK", None)
        self.url = url

    @property
    def uploads(self) -> Path:
        return self.folder / "uploads"

    def put_upload(self, content: bytes) -> Path:
        sha = hashlib.sha256(content).hexdigest()
        path = self.uploads / sha[:2] / sha
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return path

    def state(self) -> dict[str, object]:
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                users = sorted(conn.execute(text("SELECT username FROM app_user")).scalars())
                versions = sorted(
                    tuple(r) for r in conn.execute(text("SELECT process_key, version FROM process_version"))
                )
        finally:
            engine.dispose()
        key = self.folder / "secret_key"
        return {
            "users": users,
            "processes": versions,
            "uploads": sorted(p.name for p in self.uploads.rglob("*") if p.is_file()),
            "key": key.read_text() if key.exists() else None,
        }


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def pg_databases() -> Iterator[tuple[str, str]]:
    """Two whole PostgreSQL databases (pg_dump works on databases, not on the tests' schemas)."""
    if not PG_URL:
        pytest.skip(
            "JIEBANG_TEST_DATABASE_URL is not set: the PostgreSQL round trip runs in the PostgreSQL suite"
        )
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    names = [f"jb_backup_{os.getpid()}_{side}" for side in ("a", "b")]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = make_url(PG_URL)
    yield tuple(base.set(database=n).render_as_string(hide_password=False) for n in names)  # type: ignore[misc]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _populate(site: Site) -> None:
    site.json("init-db")
    site.json("deploy", str(FIXTURES / "basic"))
    site.run("users", "add", "bureau1", "--role", "bureau", "--jurisdiction", "urumqi")
    site.put_upload("申报书 PDF".encode())
    site.put_upload(b"%PDF-1.4 second")
    (site.folder / "secret_key").write_text("key-of-site-a")


def _round_trip(source: Site, target: Site, tmp_path: Path) -> None:
    _populate(source)
    before = source.state()
    out = source.json("backup", str(tmp_path))
    archive = Path(out["archive"])
    assert archive.parent == tmp_path and out["uploads"] == 2 and out["secret_key"] is True
    assert _mode(archive) == 0o600

    restored = target.json("restore", str(archive))
    assert restored["uploads_added"] == 2 and restored["secret_key"] is True
    assert target.state() == before
    for path in target.uploads.rglob("*"):
        assert _mode(path) == (0o700 if path.is_dir() else 0o600), path
    assert _mode(target.folder / "secret_key") == 0o600

    # the target has data now: restoring again needs --replace
    line = target.refused("restore", str(archive))
    assert "--replace" in line and "未做任何更改" in line
    target.run("users", "add", "later", "--role", "bureau")
    target.json("restore", str(archive), "--replace")
    assert target.state() == before


def test_sqlite_round_trip(tmp_path: Path) -> None:
    source = Site(f"sqlite:///{tmp_path / 'a' / 'jiebang.sqlite3'}", tmp_path / "a")
    target = Site(f"sqlite:///{tmp_path / 'b' / 'jiebang.sqlite3'}", tmp_path / "b")
    backups = tmp_path / "backups"
    backups.mkdir()
    _round_trip(source, target, backups)


def test_postgresql_round_trip(tmp_path: Path, pg_databases: tuple[str, str]) -> None:
    version = subprocess.run(["pg_dump", "--version"], capture_output=True, text=True, check=True).stdout
    engine = create_engine(PG_URL)
    with engine.connect() as conn:
        server = conn.execute(text("SHOW server_version")).scalar()
    engine.dispose()
    assert re.search(r"\b(\d+)\.", version).group(1) == str(server).split(".")[0], (version, server)  # type: ignore[union-attr]
    first, second = pg_databases
    backups = tmp_path / "backups"
    backups.mkdir()
    _round_trip(Site(first, tmp_path / "a"), Site(second, tmp_path / "b"), backups)


def _rewrite(
    archive: Path, out: Path, change: dict[str, object] | None = None, flip: str | None = None
) -> Path:
    """A copy of ``archive`` with manifest fields changed or one byte of member ``flip`` altered."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "manifest.json" and change:
                manifest = json.loads(data)
                manifest["database"].update(change)
                data = json.dumps(manifest).encode()
            if member.name == flip:
                data = bytes([data[0] ^ 1]) + data[1:]
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return out


def test_damaged_or_mismatched_archives_change_nothing(tmp_path: Path) -> None:
    source = Site(f"sqlite:///{tmp_path / 'a' / 'jiebang.sqlite3'}", tmp_path / "a")
    _populate(source)
    archive = Path(source.json("backup", str(tmp_path / "good.tar.gz"))["archive"])
    target = Site(f"sqlite:///{tmp_path / 'b' / 'jiebang.sqlite3'}", tmp_path / "b")
    target.json("init-db")
    target.run("users", "add", "keeper", "--role", "bureau")
    (target.folder / "secret_key").write_text("key-of-site-b")
    before = target.state()
    database = (tmp_path / "b" / "jiebang.sqlite3").read_bytes()

    upload = next(p for p in source.uploads.rglob("*") if p.is_file())
    member = f"uploads/{upload.parent.name}/{upload.name}"
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    cases = {
        "flipped upload": (_rewrite(archive, tmp_path / "flip.tar.gz", flip=member), "已损坏"),
        "flipped database": (_rewrite(archive, tmp_path / "db.tar.gz", flip="database.sqlite3"), "已损坏"),
        "truncated": (truncated, "已损坏"),
        "other kind": (
            _rewrite(archive, tmp_path / "pg.tar.gz", {"kind": "postgresql"}),
            "不能恢复到 sqlite",
        ),
        "newer schema": (_rewrite(archive, tmp_path / "new.tar.gz", {"revision": "9999_future"}), "请先升级"),
        "not a backup": (FIXTURES / "basic" / next(os.listdir(FIXTURES / "basic").__iter__()), "损坏"),
    }
    for why, (bad, expected) in cases.items():
        line = target.refused("restore", str(bad), "--replace")
        assert expected in line and "nothing was changed" in line.lower(), (why, line)
        assert target.state() == before, why
        assert (tmp_path / "b" / "jiebang.sqlite3").read_bytes() == database, why
    assert not [p for p in (tmp_path / "b").iterdir() if p.name.startswith(".jiebang-restore")]

    # a backup never overwrites an existing file
    assert "已存在" in source.refused("backup", str(archive))


def test_new_databases_are_private(tmp_path: Path) -> None:
    from engine.db import dispose_engines, get_engine

    old = os.umask(0o022)  # a permissive umask: the modes below come from Jiebang, not from the shell
    try:
        site = Site(f"sqlite:///{tmp_path / 'inst' / 'jiebang.sqlite3'}", tmp_path / "inst")
        del site.env["JIEBANG_DATABASE_URL"]  # the default database in the (new) instance folder
        site.json("init-db")
        folder = tmp_path / "inst"
        assert _mode(folder) == 0o700 and _mode(folder / "jiebang.sqlite3") == 0o600

        # an existing world-readable database is tightened when opened
        os.chmod(folder / "jiebang.sqlite3", 0o644)
        site.json("users", "list")
        assert _mode(folder / "jiebang.sqlite3") == 0o600

        # in a process that kept the umask, the write-ahead log and shared memory files are private too
        engine = get_engine(f"sqlite:///{tmp_path / 'other' / 'db.sqlite3'}")
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
            modes = {p.name: _mode(p) for p in (tmp_path / "other").iterdir()}
        dispose_engines()
    finally:
        os.umask(old)
    assert modes == {"db.sqlite3": 0o600, "db.sqlite3-wal": 0o600, "db.sqlite3-shm": 0o600}
    assert _mode(tmp_path / "other") == 0o700
