"""Web pages over HTTP at 100 and 10,000 instances, side by side (p50/p99 under a few concurrent clients).

Each size has its own database (a SQLite file, or with ``--database`` a PostgreSQL schema of its own) and its
own server: the demo data (`jiebang demo load`: instances in publicity, published challenges, open tasks) is
loaded into each, and its instances are copied row by row (listing row, state, tasks, message waits, timers,
portal rows, events) up to the size, so a copy is as good as a started instance for every page and no workflow
is run 10,000 times. A PostgreSQL database is then vacuumed and analysed, as autovacuum keeps a database that
grew to that size (a bulk copy measured at once would measure a planner without statistics). The servers are
`jiebang serve` (gunicorn, one worker per core) in their own processes on 127.0.0.1.

What keeps one run's ratio honest on a shared, noisy machine:

* the sizes alternate in short turns (every client does ``--turn`` requests at one size, then all switch to
  the other, in the order ABBA; by default one request), so that a burst of load from other programs falls on
  both sizes alike;
* every client opens a new connection per request, so that each request goes to whichever worker accepts it.
  A kept-alive connection stays with the worker that accepted it, and four of them land on two workers as
  4:0, 3:1 or 2:2 by chance (4:0 or 3:1 in six of eight trials); a page measured on a 4:0 server and
  compared with a 2:2 one doubles its latency for no reason of its own;
* enough samples: p99 of 100 requests is the second slowest request; the default 500 per page and size puts
  p99 on the five slowest, and the table says how many samples each figure rests on.

The signed-in pages are those of ``--bureau`` (default ``bureau_karamay``: the bench data has ready tasks in
the Karamay bureau's own lane, 11 at 100 instances and 1,111 at 10,000, so its work queue measures a full page;
Dazu's bureau has none of its own and its queue is empty); its task page is a ready task of its jurisdiction.
``--queue NAME`` (repeatable) adds the work queue of another demo user, e.g. ``--queue issuer_karamay``.

Usage: .venv/bin/python -m bench.web [--database URL] [--bureau NAME] [--queue NAME]... [--clients 4]
                                     [--requests 125] [--turn 1] [--sizes 100,10000]
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
#: the bureau user of the signed-in pages (``--bureau``): one with ready tasks of its own in the bench data
BUREAU, ADMIN, PASSWORD = "bureau_karamay", "admin", "demo12345"
#: (label, path, who): None = anonymous, "web" = the signed-in bureau user, "web:NAME" = the demo user NAME,
#: "api" = an API token of the admin. ``{bureau}`` in a label is the bureau user's name.
PAGES: tuple[tuple[str, str, str | None], ...] = (
    ("portal (anonymous)", "/portal/", None),
    ("challenge list API (anonymous)", "/api/v1/challenges", None),
    ("work queue /tasks ({bureau})", "/tasks", "web"),
    ("a task page /tasks/ID ({bureau})", "/tasks/{task}", "web"),
    ("monitor /monitor/ ({bureau})", "/monitor/", "web"),
    ("instance list API (admin)", "/api/v1/instances", "api"),
)
#: requests per client and page before measuring (each lands on a worker by chance: both workers warm up)
WARM_UP = 3
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


def bureau_task(url: str, bureau: str) -> str:
    """A ready task of the bureau user's jurisdiction that it may open, from the demo data (its page is one of
    those measured)."""
    from engine.db import session_factory
    from engine.lint import role_of_lane
    from engine.models.task import HumanTask
    from engine.models.user import RoleGrant, User

    with session_factory(url)() as session:
        places = session.scalars(
            select(RoleGrant.jurisdiction)
            .join(User)
            .where(User.username == bureau, RoleGrant.role == "bureau")
        ).all()
        assert places, f"{bureau} is not a bureau user of the demo data"
        rows = session.execute(
            select(HumanTask.id, HumanTask.lane)
            .where(HumanTask.jurisdiction.in_([p for p in places if p]), HumanTask.status == "ready")
            .order_by(HumanTask.created_at)
        ).all()
    # the bureau's own task if there is one, else one it oversees (shown to it read-only)
    found = next((row.id for row in rows if role_of_lane(row.lane) == "bureau"), rows[0].id if rows else None)
    assert found, f"the demo data has no ready task in the jurisdiction of {bureau}"
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
    """One client with its own cookies, a new connection per request (the standard library is enough for GETs
    and a login)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.headers: dict[str, str] = {"Connection": "close"}
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, str]:
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
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
    if who is not None and who.startswith("web"):
        _, form = conn.request("GET", "/login")
        match = CSRF.search(form)
        assert match, "no CSRF token on /login"
        username = who.partition(":")[2] or BUREAU
        status, _ = conn.request(
            "POST", "/login", {"username": username, "password": PASSWORD, "csrf_token": match.group(1)}
        )
        assert status in (302, 303), status
    elif who == "api":
        conn.headers["Authorization"] = f"Bearer {token}"
    return conn


def sessions(port: int, path: str, who: str | None, token: str, clients: int) -> list[Client]:
    """``clients`` signed-in clients, warmed up on ``path`` (both workers' caches, most likely)."""
    found = [client(port, who, token) for _ in range(clients)]
    for _ in range(WARM_UP):
        for conn in found:
            assert conn.request("GET", path)[0] == 200, path
    return found


def measure(
    conns: dict[int, list[Client]], paths: dict[int, str], turns: int, turn: int
) -> dict[int, list[float]]:
    """Milliseconds per request at each size: ``turns`` alternating turns (ABBA…) in which every client, in its
    own thread, does ``turn`` requests at one size; the clients start each turn together."""
    sizes = list(conns)
    clients = len(conns[sizes[0]])
    gate = threading.Barrier(clients)
    samples: dict[int, list[float]] = {size: [] for size in sizes}
    lock = threading.Lock()
    failed: list[BaseException] = []

    def run(k: int) -> None:
        mine: dict[int, list[float]] = {size: [] for size in sizes}
        try:
            for t in range(turns):
                for size in sizes if t % 2 == 0 else reversed(sizes):
                    gate.wait()
                    for _ in range(turn):
                        start = time.perf_counter()
                        status, _ = conns[size][k].request("GET", paths[size])
                        mine[size].append((time.perf_counter() - start) * 1000)
                        assert status == 200, (paths[size], status)
        except BaseException as exc:  # reported by the main thread
            failed.append(exc)
            gate.abort()
        with lock:
            for size in sizes:
                samples[size] += mine[size]

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failed:
        raise failed[0]
    return samples


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Site:
    """One size: its database, its server's port, the admin's API token and a task page of the bureau."""

    size: int
    url: str
    folder: Path
    token: str
    task: str
    schema: str | None = None
    port: int = 0


def load(size: int, base: str | None, folder: Path) -> Site:
    """A database of ``size`` instances: a SQLite file in ``folder``, or a schema of its own at ``base``."""
    from bench.database import schema_url
    from engine.db import get_engine

    started = time.perf_counter()
    url, schema = (
        schema_url(base, f"bench_web_{size}") if base else (f"sqlite:///{folder / 'bench.sqlite3'}", None)
    )
    token = prepare(url)
    have = copy_instances(get_engine(url), size)
    get_engine(url).dispose()
    if schema is not None:
        analyse(url)
    print(f"{have} instances ({time.perf_counter() - started:.1f} s to load and copy)", flush=True)
    return Site(size, url, folder, token, bureau_task(url, BUREAU), schema)


def analyse(url: str) -> None:
    """VACUUM ANALYZE (outside a transaction), what autovacuum does to a table that grew."""
    from sqlalchemy import create_engine, text

    eng = create_engine(url, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    eng.dispose()


def set_users(bureau: str, queues: list[str]) -> None:
    """The bureau user of the signed-in pages, and a work-queue row for each of ``queues``."""
    global BUREAU, PAGES
    BUREAU = bureau
    extra = tuple((f"work queue /tasks ({name})", "/tasks", f"web:{name}") for name in queues)
    PAGES = tuple((label.replace("{bureau}", bureau), path, who) for label, path, who in PAGES) + extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", help="PostgreSQL URL (each size gets a schema of its own; default SQLite)"
    )
    parser.add_argument(
        "--bureau", default=BUREAU, help=f"the bureau user of the signed-in pages (default {BUREAU})"
    )
    parser.add_argument(
        "--queue",
        action="append",
        default=[],
        metavar="NAME",
        help="also measure the work queue of this demo user (repeatable)",
    )
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (threads)")
    parser.add_argument("--requests", type=int, default=125, help="requests per client, page and size")
    parser.add_argument("--turn", type=int, default=1, help="requests per client before the sizes alternate")
    parser.add_argument("--sizes", default="100,10000", help="instance counts to measure, ascending")
    args = parser.parse_args()
    set_users(args.bureau, args.queue)
    sizes = [int(s) for s in args.sizes.split(",")]
    turns = max(1, args.requests // args.turn)
    os.environ.pop("JIEBANG_SIMULATED_CLOCK", None)
    from bench.database import drop_schema

    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        sites = []
        for size in sizes:
            folder = Path(tmp) / str(size)
            folder.mkdir()
            site = load(size, args.database, folder)
            stack.callback(drop_schema, args.database or "", site.schema)
            sites.append(site)
        for site in sites:
            site.port = stack.enter_context(server(site.url, site.folder))
        results: dict[str, dict[int, tuple[float, float, int]]] = {label: {} for label, _, _ in PAGES}
        for label, path, who in PAGES:
            paths = {site.size: path.format(task=site.task) for site in sites}
            conns = {s.size: sessions(s.port, paths[s.size], who, s.token, args.clients) for s in sites}
            samples = measure(conns, paths, turns, args.turn)
            for size in sizes:
                got = samples[size]
                results[label][size] = (statistics.median(got), percentile(got, 0.99), len(got))
            print(
                f"  {label}: p50 " + ", ".join(f"{results[label][n][0]:.0f} ms @{n}" for n in sizes),
                flush=True,
            )
    low, high = sizes[0], sizes[-1]
    count = results[PAGES[0][0]][low][2]
    database = "PostgreSQL" if args.database else "SQLite"
    print(
        f"\nweb pages over HTTP on {database}, {args.clients} concurrent clients, {count} requests per page and "
        f"size (p99: the {max(1, round(count / 100))} slowest), sizes alternating every {args.turn} requests "
        f"per client; milliseconds\n"
    )
    print(f"| page | n | p50 @{low} | p99 @{low} | p50 @{high} | p99 @{high} | p99 ratio (target ≤ 1.5×) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, by_size in results.items():
        (p50a, p99a, n), (p50b, p99b, _n) = by_size[low], by_size[high]
        print(f"| {label} | {n} | {p50a:.0f} | {p99a:.0f} | {p50b:.0f} | {p99b:.0f} | {p99b / p99a:.2f}× |")


if __name__ == "__main__":
    main()
