"""`jiebang serve` runs gunicorn with several worker processes; they share one secret key (a session made by
one worker is valid in another) and the start-up objects are frozen out of the garbage collector."""

from __future__ import annotations

import gc
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from web.serving import GC_THRESHOLDS, tune_gc


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _workers(pid: int) -> list[int]:
    found = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in found.split()]


def test_two_workers_serve_and_share_the_secret_key(tmp_path: Path, db_url: str) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("one database is enough to check the server")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "JIEBANG_SECRET_KEY"}
    env.update(JIEBANG_DATABASE_URL=db_url, JIEBANG_INSTANCE_PATH=str(tmp_path / "instance"))
    command = [sys.executable, "-c", "from web.cli import main; main()"]
    subprocess.run([*command, "init-db"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen(
        [*command, "serve", "--port", str(port), "--workers", "2", "--threads", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(_workers(proc.pid)) < 2 or not _answers(port):
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        assert len(_workers(proc.pid)) == 2
        for _ in range(6):  # requests land on either worker; each page carries a valid form
            page = urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10).read().decode()
            assert re.search(r'name="csrf_token" value="[^"]+"', page)
        key_files = list((tmp_path / "instance").glob("secret_key*")) + list(
            (tmp_path / "instance").glob(".secret_key-*")
        )
        assert [p.name for p in key_files] == ["secret_key"]  # one key, no leftovers
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _answers(port: int) -> bool:
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2).status == 200
    except OSError:
        return False


def test_tune_gc_freezes_start_up_and_raises_the_threshold() -> None:
    before = gc.get_threshold()
    try:
        tune_gc()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == GC_THRESHOLDS
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
