"""Browser tests: the app served on 127.0.0.1 (a free port, werkzeug in a thread) and Debian's Chromium driven
by Python playwright. Never downloads a browser: Chromium comes from `apt-get install chromium`
(scripts/setup.sh). Skipped, with the reason, when Chromium or playwright is missing.

``roles(username)`` opens a signed-in browser context (``None``: the public) whose pages report every dialog,
Content-Security-Policy violation and page error; the test fails (at teardown) when any was seen."""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from engine.models.deployment import ProcessVersion
from engine.models.task import HumanTask
from tests.lifecycle.conftest import Flow

CHROMIUM = os.environ.get("JIEBANG_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--lang=zh-CN",  # the browser's own controls (file chooser, date pickers) in Chinese, as our users see them
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
PASSWORD = "browser-test-42"
TIMEOUT_MS = 20_000


def _playwright() -> Any:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: run scripts/setup.sh as root (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is missing: pip install -e '.[test]'")
    return sync_playwright


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    sync_playwright = _playwright()
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True, timeout=TIMEOUT_MS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_app(db_url: str, db_session: Session, tmp_path: Path) -> Iterator[str]:
    """The Flask app on the test database, served on a free port; yields its base URL."""
    from web.app import create_app
    from web.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": db_url,
            "SECRET_KEY": "browser-test-secret",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "LOGIN_RATE_LIMIT": (1000, 60),
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def demo_data(db_session: Session, sim, calendar_loaded) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The demo data, with a fast password hash for the users the tests sign in as."""
    from engine.users import add_user
    from web.demo import load_demo

    sim.set("2026-09-28T10:00:00+08:00")
    loaded = load_demo(db_session)
    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    for name in ("supervisor", "owner", "admin", "bureau_urumqi"):
        add_user(db_session, name, roles=[], password_hash=fast)
    return loaded


@pytest.fixture
def people(db_session: Session, demo_data: Any) -> Any:
    """The demo data (users, organisations, the expert pool, the deployment) with a fast password hash."""
    fast_passwords(db_session)
    return demo_data


def fast_passwords(session: Session, *names: str) -> None:
    """Give the named accounts (every account, without names) the fast test password hash."""
    from sqlalchemy import update

    from engine.models.user import User

    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    query = update(User).values(password_hash=fast)
    session.execute(query.where(User.username.in_(names)) if names else query)
    session.commit()


#: the demo's Dazu challenge open for applications (web.demo)
DEMO_DAZU = "DAZU-2026-002"


@pytest.fixture
def dazu_experts(people: Any, db_session: Session) -> Any:
    """The demo (fast passwords) and five Dazu experts e1…e5: a panel whose members each score their own task."""
    from engine.users import add_user

    for name in ("e1", "e2", "e3", "e4", "e5"):
        add_user(db_session, name, roles=["expert"], jurisdiction="dazu")
    db_session.commit()
    return people


def demo_flow(session: Session, sim: Any, key: str = DEMO_DAZU) -> Flow:
    """The demo's Dazu challenge ``key``, driven by engine calls (what the pages wrote is read afresh)."""
    from sqlalchemy import select

    from engine.models.instance import ProcessInstance

    session.rollback()
    iid = session.scalars(select(ProcessInstance.id).where(ProcessInstance.business_key == key)).one()
    return Flow(session, sim, "dazu", iid, key)


def task_of(flow: Flow, spec: str) -> HumanTask:
    """The one task ``spec`` of the flow's instance, read afresh."""
    from sqlalchemy import select

    flow.s.rollback()
    return flow.s.scalars(
        select(HumanTask).where(HumanTask.instance_id == flow.id, HumanTask.task_spec == spec)
    ).one()


#: the team each demo unit names on its application (web.demo: three researchers a unit)
DEMO_TEAMS = {"DAZU-S1": "DAZU-P1,DAZU-P2", "DAZU-S2": "DAZU-P4"}


def demo_scored(flow: Flow, scores: dict[str, int] | None = None) -> None:
    """After the demo challenge's application window: the bureau collects the applications of the units
    scored (``DEMO_TEAMS``), a panel of e1…e5 scores them (``dazu_experts``). Engine calls, committed."""
    from tests.lifecycle.conftest import application, panel, score_all

    scores = scores or {"DAZU-S1": 90}
    close = date.fromisoformat(flow.data["applications_close_on"]) + timedelta(days=1)
    flow.at(f"{close}T00:00:05+08:00")
    apps = [application(solver, DEMO_TEAMS[solver]) for solver in scores]
    flow.do("collect_applications", {"applications": apps})
    flow.do("form_panel", panel(["e1", "e2", "e3", "e4", "e5"]))
    score_all(flow, scores)
    flow.s.commit()


def demo_contracted(
    flow: Flow, contract_fen: str = "3,000,000", milestone_in_days: int | None = None
) -> datetime:
    """From the selection: DAZU-S1 selected (900,000 元 fiscal support), approved, the publicity over, the
    task book signed with the pledge (001 八(六)) and, given ``milestone_in_days``, one milestone that many days
    after it. Engine calls, committed; returns when the task book was signed (the publicity's end)."""
    from tests.lifecycle.drivers import end_of_publicity

    choice = {"mode": "single", "selected": "DAZU-S1", "selection_reason": "评分最高"}
    flow.do("select", dict(choice, contract_fen=contract_fen, fiscal_support_fen="900,000"))
    flow.do("approve", {"approval": "approve"})
    due = datetime.fromisoformat(end_of_publicity(flow)) + timedelta(minutes=1)
    flow.at(due.isoformat())
    milestones = []
    if milestone_in_days is not None:
        due_date = (due.date() + timedelta(days=milestone_in_days)).isoformat()
        milestones.append({"title": "小试", "due_date": due_date, "indicators": "纯度 ≥ 6N"})
    book = {"period_months": 24, "ip_ownership": "双方共有", "disbursement_plan": "按政策分期"}
    flow.do("sign_contract", dict(book, confidentiality=True, integrity_pledge=True, milestones=milestones))
    flow.s.commit()
    return due


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.js_errors = errors  # type: ignore[attr-defined]
    yield pg
    context.close()


def sign_in(page: Any, base: str, username: str, next_path: str = "/") -> None:
    page.goto(f"{base}/login?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state("networkidle")


def open_latest_in_modeler(page: Any, base: str, session: Session, key: str) -> None:
    """The process owner opens the latest version of process ``key`` in the modeler, imported."""
    sign_in(page, base, "owner", "/modeler/")
    pv = session.scalar(
        select(ProcessVersion)
        .where(ProcessVersion.process_key == key)
        .order_by(ProcessVersion.version.desc())
    )
    assert pv is not None, key
    page.goto(f"{base}/modeler/versions/{pv.id}")
    page.wait_for_selector("#canvas-bpmn[data-import=ok]", state="attached")


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def copy_for_readme(path: Path, name: str) -> None:
    """Refresh docs/screenshots/<name>.png when JIEBANG_README_SCREENSHOTS=1 (the committed README images)."""
    if os.environ.get("JIEBANG_README_SCREENSHOTS") == "1":
        target = ROOT / "docs" / "screenshots" / f"{name}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


#: Reports every Content-Security-Policy violation of a page as a console message the test collects.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP-VIOLATION " + e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
});
"""


class Watched:
    """A browser context (one role) whose pages report dialogs, policy violations and page errors."""

    def __init__(self, browser: Any, base: str, username: str | None) -> None:
        self.base = base
        self.username = username or "public"
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.add_init_script(REPORT_VIOLATIONS)
        self.problems: list[str] = []
        self.page = self.context.new_page()
        self.page.on("dialog", self._dialog)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        if username:
            sign_in(self.page, base, username)
            assert "/login" not in self.page.url, f"{username} could not sign in"

    def _dialog(self, dialog: Any) -> None:
        self.problems.append(f"{dialog.type} dialog: {dialog.message} on {self.page.url}")
        dialog.dismiss()

    def _console(self, message: Any) -> None:
        text = message.text
        if "CSP-VIOLATION" in text or "Content Security Policy" in text:
            self.problems.append(f"{text[:300]} on {self.page.url}")

    def open(
        self,
        path: str,
        *shown: str,
        wait_for: str | None = None,
        shot: str | None = None,
        expand: bool = False,
    ) -> str:
        """Open ``path``; every text of ``shown`` must be visible on it (``expand``: after opening every
        collapsed ``<details>``, as a reader who looks at the raw data would). Returns the page's visible text."""
        response = self.page.goto(self.base + path)
        policy = response.headers.get("content-security-policy", "") if response else ""
        assert "script-src 'self';" in policy and "object-src 'none'" in policy, f"{path}: no strict CSP"
        if wait_for:  # the page's own signal that its scripts are done
            self.page.wait_for_selector(wait_for, state="attached")
        else:
            self.page.wait_for_load_state("networkidle")
        if expand:
            self.page.evaluate(
                "() => document.querySelectorAll('details').forEach((d) => { d.open = true; })"
            )
        return self.check(*shown, shot=shot)

    def check(self, *shown: str, shot: str | None = None) -> str:
        text = self.page.inner_text("body")
        for expected in shown:
            assert visible(expected, text), (
                f"{self.username} on {self.page.url}: {expected!r} not shown as text"
            )
        injected = self.page.evaluate(
            """() => ({
                images: document.querySelectorAll('img[src="x"], img[src$="/x"]').length,
                links: Array.from(document.querySelectorAll('[href], [src], [action]')).filter(el =>
                    /^\\s*javascript:/i.test(el.getAttribute('href') || el.getAttribute('src') ||
                                            el.getAttribute('action') || '')).length,
                scripts: Array.from(document.scripts).filter(s =>
                    s.type !== 'application/json' && /alert\\(/.test(s.textContent)).length,
                handlers: Array.from(document.querySelectorAll('*')).filter(el =>
                    Array.from(el.attributes).some(a => /^on/i.test(a.name))).length,
            })"""
        )
        assert injected == {"images": 0, "links": 0, "scripts": 0, "handlers": 0}, (
            f"{self.username} on {self.page.url}: elements made from hostile text: {injected}"
        )
        if shot:
            screenshot(self.page, shot)
        return text

    def close(self) -> None:
        self.context.close()


def visible(expected: str, text: str) -> bool:
    """``expected`` in the page's text as written, as a JSON string (the data panels), or with the line breaks
    a diagram label gets."""
    squeeze = re.compile(r"\s+")
    return (
        expected in text
        or json.dumps(expected, ensure_ascii=False)[1:-1] in text
        or squeeze.sub("", expected) in squeeze.sub("", text)
    )


@pytest.fixture
def roles(browser: Any, live_app: str) -> Iterator[Any]:
    opened: list[Watched] = []

    def open_as(username: str | None) -> Watched:
        watched = Watched(browser, live_app, username)
        opened.append(watched)
        return watched

    yield open_as
    problems = [p for w in opened for p in w.problems]
    for watched in opened:
        watched.close()
    assert not problems, "\n".join(problems)
