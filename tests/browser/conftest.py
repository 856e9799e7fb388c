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
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

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
    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    from sqlalchemy import select

    from engine.models.user import User

    for user in db_session.scalars(select(User)):
        user.password_hash = fast
    db_session.commit()
    return demo_data


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


def fast_passwords(session: Session, *names: str) -> None:
    """Give the users ``names`` (made by the lifecycle fixtures) the test password with a fast hash."""
    from sqlalchemy import update

    from engine.models.user import User

    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    session.execute(update(User).where(User.username.in_(names)).values(password_hash=fast))
    session.commit()


def sign_in(page: Any, base: str, username: str, next_path: str = "/") -> None:
    page.goto(f"{base}/login?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state("networkidle")


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
