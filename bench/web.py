"""Web pages over HTTP at 100 and 10,000 instances, side by side (p50/p99 under a few concurrent clients).

Each size has its own database and its own server: the demo data (`jiebang demo load`: instances in publicity,
published challenges, open tasks) is loaded into each, and its instances are copied row by row (listing row,
state, tasks, message waits, timers, portal rows, events) up to the size, so a copy is as good as a started
instance for every page and no workflow is run 10,000 times. The servers are `jiebang serve` (gunicorn, one
worker per core) in their own processes on 127.0.0.1; client threads hit them with keep-alive connections.
The sizes are measured in alternating rounds (page by page: a round at 100, a round at 10,000, and again), so
that the load other programs put on a shared machine falls on both sizes alike and the ratio compares like
with like. The machine is shared and noisy: read the ratios.

Usage: .venv/bin/python -m bench.web [--clients 4] [--requests 25] [--rounds 5] [--sizes 100,10000]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Engine, MetaData, Table, func, insert, select

#: Tables whose rows belong to one instance and are copied with it (those a schema lacks are skipped).
INSTANCE_TABLES = (
    "instance_state",
    "human_task",
    "message_subscription",
    "timer_due",
    "portal_entry",
    "instance_event",
)
BUREAU, ADMIN, PASSWORD = "bureau_dazu", "admin", "demo12345"
#: (label, path, who): None = anonymous, "web" = a signed-in bureau user, "api" = an API token of the admin.
PAGES = (
    ("portal (anonymous)", "/portal/", None),
    ("challenge list API (anonymous)", "/api/v1/challenges", None),
    ("work queue /tasks (bureau)", "/tasks", "web"),
    ("a task page /tasks/ID (bureau)", "/tasks/{task}", "web"),
    ("monitor /monitor/ (bureau)", "/monitor/", "web"),
    ("instance list API (admin)", "/api/v1/instances", "api"),
)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def prepare(url: str) -> str:
    """Schema, holiday calendar, demo data; returns an API token of the admin."""
    import engine.models  # noqa: F401
    from engine.api_tokens import create_token
    from engine.calendar import seed_from_chinesecalendar
    from engine.db import Base, get_engine, session_factory
    from web.demo import load_demo

    Base.metadata.create_all(get_engine(url))
    with session_factory(url)() as session:
        seed_from_chinesecalendar(session)
        session.commit()
        load_demo(session)
        session.commit()
        return create_token(session, ADMIN, "bench").plaintext


def bureau_task(url: str) -> str:
    """A ready task in Dazu the Dazu bureau may open, from the demo data (its page is one of those measured)."""
    from engine.db import session_factory
    from engine.lint import role_of_lane
    from engine.models.task import HumanTask

    with session_factory(url)() as session:
        rows = session.execute(
            select(HumanTask.id, HumanTask.lane)
            .where(HumanTask.jurisdiction == "dazu", HumanTask.status == "ready")
            .order_by(HumanTask.created_at)
        ).all()
    # the bureau's own task if there is one, else one it oversees (shown to it read-only)
    found = next((row.id for row in rows if role_of_lane(row.lane) == "bureau"), rows[0].id if rows else None)
    assert found, "the demo data has no ready task in Dazu"
    return str(found)


def copy_instances(eng: Engine, total: int) -> int:
    """Copy the demo instances (round robin) until there are ``total``; returns how many exist."""
    meta = MetaData()
    meta.reflect(bind=eng)
    pi = meta.tables["process_instance"]
    with eng.begin() as conn:
        existing = conn.scalar(select(func.count()).select_from(pi)) or 0
        if existing >= total:
            return existing
        templates = conn.execute(select(pi).where(pi.c.business_key.not_like("%-C%"))).mappings().all()
        related = {name: meta.tables[name] for name in INSTANCE_TABLES if name in meta.tables}
        rows_of = {
            name: {
                t["id"]: conn.execute(select(table).where(table.c.instance_id == t["id"])).mappings().all()
                for t in templates
            }
            for name, table in related.items()
        }
        next_id = (conn.scalar(select(func.max(pi.c.id))) or 0) + 1
        batch: dict[str, list[dict[str, Any]]] = {name: [] for name in ("process_instance", *related)}
        for k in range(total - existing):
            template = templates[k % len(templates)]
            iid = next_id + k
            key = f"{template['business_key']}-C{iid}" if template["business_key"] else None
            batch["process_instance"].append({**template, "id": iid, "business_key": key})
            for name, table in related.items():
                for row in rows_of[name][template["id"]]:
                    batch[name].append(_copied(table, row, iid, key))
            if len(batch["process_instance"]) >= 500:
                _flush(conn, meta, batch)
        _flush(conn, meta, batch)
        return conn.scalar(select(func.count()).select_from(pi)) or 0


def _copied(table: Table, row: Any, iid: int, key: str | None) -> dict[str, Any]:
    copy = {**row, "instance_id": iid}
    if copy.get("business_key"):
        copy["business_key"] = key
    if "id" in copy:
        if isinstance(copy["id"], str):  # human tasks are keyed by their SpiffWorkflow task id
            copy["id"] = str(uuid.uuid4())
        else:
            del copy["id"]
    return copy


def _flush(conn: Any, meta: MetaData, batch: dict[str, list[dict[str, Any]]]) -> None:
    for name, rows in batch.items():
        if rows:
            conn.execute(insert(meta.tables[name]), rows)
            rows.clear()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Client:
    """One keep-alive connection with its own cookies (the standard library is enough for GETs and a login)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.headers: dict[str, str] = {}
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, str]:
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        except (ConnectionError, http.client.HTTPException):  # the server closed a kept-alive connection
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text


@contextmanager
def server(url: str, folder: Path) -> Iterator[int]:
    port = _free_port()
    env = dict(
        os.environ,
        JIEBANG_DATABASE_URL=url,
        JIEBANG_INSTANCE_PATH=str(folder),
        JIEBANG_UPLOAD_FOLDER=str(folder / "uploads"),
        JIEBANG_SECRET_KEY="bench-" + uuid.uuid4().hex,
    )
    command = [sys.executable, "-c", "from web.cli import main; main()", "serve", "--port", str(port)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def client(port: int, who: str | None, token: str) -> Client:
    conn = Client(port)
    if who == "web":
        _, form = conn.request("GET", "/login")
        match = CSRF.search(form)
        assert match, "no CSRF token on /login"
        status, _ = conn.request(
            "POST", "/login", {"username": BUREAU, "password": PASSWORD, "csrf_token": match.group(1)}
        )
        assert status in (302, 303), status
    elif who == "api":
        conn.headers["Authorization"] = f"Bearer {token}"
    return conn


def sessions(port: int, path: str, who: str | None, token: str, clients: int) -> list[Client]:
    """``clients`` signed-in connections, warmed up on ``path`` (connections, caches)."""
    found = [client(port, who, token) for _ in range(clients)]
    for conn in found:
        assert conn.request("GET", path)[0] == 200, path
    return found


def measure(conns: list[Client], path: str, count: int) -> list[float]:
    """Milliseconds of ``count`` requests on each connection, each connection in its own thread."""
    samples: list[float] = []
    lock = threading.Lock()

    def run(conn: Client) -> None:
        mine = []
        for _ in range(count):
            start = time.perf_counter()
            status, _ = conn.request("GET", path)
            mine.append((time.perf_counter() - start) * 1000)
            assert status == 200, (path, status)
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=run, args=(conn,)) for conn in conns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Site:
    """One size: its database, its server's port, the admin's API token and a task page of the bureau."""

    size: int
    url: str
    token: str
    task: str
    port: int = 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (threads)")
    parser.add_argument("--requests", type=int, default=25, help="requests per client, page and size")
    parser.add_argument(
        "--rounds", type=int, default=5, help="alternating rounds the requests are split into"
    )
    parser.add_argument("--sizes", default="100,10000", help="instance counts to measure, ascending")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    os.environ.pop("JIEBANG_SIMULATED_CLOCK", None)
    from engine.db import get_engine

    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        sites = []
        for size in sizes:
            folder = Path(tmp) / str(size)
            folder.mkdir()
            url = f"sqlite:///{folder / 'bench.sqlite3'}"
            started = time.perf_counter()
            token = prepare(url)
            have = copy_instances(get_engine(url), size)
            get_engine(url).dispose()
            print(f"{have} instances ({time.perf_counter() - started:.1f} s to load and copy)", flush=True)
            sites.append(Site(size, url, token, bureau_task(url)))
        for site in sites:
            site.port = stack.enter_context(
                server(site.url, Path(site.url.removeprefix("sqlite:///")).parent)
            )
        per_round = [
            args.requests // args.rounds + (r < args.requests % args.rounds) for r in range(args.rounds)
        ]
        results: dict[str, dict[int, tuple[float, float]]] = {label: {} for label, _, _ in PAGES}
        for label, path, who in PAGES:
            paths = {site.size: path.format(task=site.task) for site in sites}
            conns = {s.size: sessions(s.port, paths[s.size], who, s.token, args.clients) for s in sites}
            samples: dict[int, list[float]] = {size: [] for size in sizes}
            for count in per_round:
                for size in sizes:
                    samples[size] += measure(conns[size], paths[size], count)
            for size in sizes:
                results[label][size] = (statistics.median(samples[size]), percentile(samples[size], 0.99))
            print(
                f"  {label}: p50 " + ", ".join(f"{results[label][n][0]:.0f} ms @{n}" for n in sizes),
                flush=True,
            )
    low, high = sizes[0], sizes[-1]
    print(
        f"\nweb pages over HTTP, {args.clients} concurrent clients × {args.requests} requests each per size, "
        f"sizes alternating in {args.rounds} rounds; milliseconds\n"
    )
    print(f"| page | p50 @{low} | p99 @{low} | p50 @{high} | p99 @{high} | p99 ratio (target ≤ 1.5×) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, by_size in results.items():
        (p50a, p99a), (p50b, p99b) = by_size[low], by_size[high]
        print(f"| {label} | {p50a:.0f} | {p99a:.0f} | {p50b:.0f} | {p99b:.0f} | {p99b / p99a:.2f}× |")


if __name__ == "__main__":
    main()
