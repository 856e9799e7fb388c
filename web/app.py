"""The Flask application factory."""

from __future__ import annotations

import importlib
import json
import logging
import os
import pkgutil
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, g, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from engine.clock import SHANGHAI, get_clock
from engine.db import default_database_url
from engine.domain.problems import citation
from engine.errors import JiebangError
from engine.migrate import MIGRATIONS
from engine.private import restrict_umask
from forms.convert import format_money_fen
from web import headers, i18n, security
from web.extensions import db, migrate
from web.security import secret_key

log = logging.getLogger(__name__)

csrf = CSRFProtect()

#: Upload limit of one request (a form's own ``max_size`` per file is checked as well).
MAX_UPLOAD_BYTES = 64 * 1024 * 1024


def register_blueprints(app: Flask) -> None:
    """Every module in web.views (and web.api, when present) that defines a Blueprint named ``bp`` is
    registered, so that features are added without editing this file. Blueprints of web.api authenticate
    with bearer tokens, not cookies, so they are exempt from CSRF protection."""
    for package_name in ("web.views", "web.api"):
        try:
            package = importlib.import_module(package_name)
        except ModuleNotFoundError:
            continue
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            module = importlib.import_module(f"{package_name}.{info.name}")
            blueprint = getattr(module, "bp", None)
            if isinstance(blueprint, Blueprint):
                app.register_blueprint(blueprint)
                if package_name == "web.api":
                    csrf.exempt(blueprint)


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    restrict_umask()  # the database, uploads and secret key are the service user's alone (engine.private)
    app = Flask(__name__, instance_path=os.path.abspath(os.environ.get("JIEBANG_INSTANCE_PATH", "instance")))
    secure = _env_flag("JIEBANG_SECURE_COOKIES")
    app.config.update(
        SQLALCHEMY_DATABASE_URI=default_database_url(),
        # made by engine.db.make_engine (web.extensions): SQLite configured as the engine's own connections are,
        # a server connection pinged after it sat idle (no pool_pre_ping)
        SQLALCHEMY_ENGINE_OPTIONS={},
        JSON_AS_ASCII=False,
        SESSION_COOKIE_NAME="jiebang_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        UPLOAD_FOLDER=None,  # default: JIEBANG_UPLOAD_FOLDER or <instance>/uploads (engine.upload_store)
        OBJECTION_RATE_LIMIT=(5, 60 * 60),  # objections per client address
        RECEIPT_LOOKUP_RATE_LIMIT=(30, 10 * 60),  # receipt look-ups per client address
        QUEUE_PAGE_SIZE=25,
    )
    if config:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(app)
    if _env_flag("JIEBANG_PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    csrf.init_app(app)
    security.init_app(app)  # sessions, sign-in throttles, audit client, Cache-Control
    i18n.init_app(app)
    headers.init_app(app)

    register_blueprints(app)
    _register_template_helpers(app)
    _register_error_pages(app)

    return app


def clock_now() -> datetime:
    """The engine clock's now, once per request."""
    if "jb_now" not in g:
        g.jb_now = get_clock(db.session()).now()
    return g.jb_now  # type: ignore[no-any-return]


def yuan(fen: int) -> str:
    """Integer fen as 元 with thousands separators: 45000000 → 450,000.00."""
    return format_money_fen(int(fen), grouping=True)


def unit_name(code: str | None) -> str:
    """An organisation's name for its code (looked up once per request); the code when there is no such unit."""
    from engine.directory import organisation_names

    if not code:
        return ""
    known: dict[str, str] = g.setdefault("jb_unit_names", {})
    if code not in known:
        known[code] = organisation_names(db.session(), [code]).get(code, code)
    return known[code]


def lane_name(lane: str | None) -> str:
    """A lane's display name (``科技局 (bureau)`` → 科技局 / Science bureau)."""
    from engine.diagram_names import lane_display

    return i18n.diagram_name(lane_display(lane)) if lane else ""


def account_name(username: str | None) -> str:
    """What to call an account's holder (the linked person's name or the account's display name)."""
    from web.case_view import Names

    return Names().account(username)


def process_name(process_key: str | None) -> str:
    """The display name of a process (its newest version's name) for its key; the names are read once per
    request."""

    from engine.models.deployment import ProcessVersion

    if not process_key:
        return ""
    if "jb_process_names" not in g:
        # every process's newest name in one query (a list shows many processes; versions are few)
        rows = db.session.execute(
            select(ProcessVersion.process_key, ProcessVersion.name).order_by(ProcessVersion.version)
        )
        g.jb_process_names = {key: name for key, name in rows if name}
    known: dict[str, str] = g.jb_process_names
    return i18n.diagram_name(known.get(process_key) or process_key)


def stage_name(instance: Any) -> str:
    """What an instance is at, as a clerk reads it: the diagram's name of its stage, except for a call for needs
    whose window has not opened yet (the diagram already waits for 征集截止; ``engine.call_stage``)."""
    from engine.call_stage import not_open_text
    from engine.start_forms import opens_later

    opens = opens_later(db.session(), instance, clock_now())
    if opens is not None:
        return not_open_text(opens, i18n.current_lang())
    return i18n.stage_text(instance.stage)


def _due_pending_year(row: Any) -> int | None:
    """The year whose holiday schedule a task without a due date waits for (engine.task_due.PendingDue)."""
    from flask import g

    from engine.task_due import PendingDue
    from web.extensions import db

    if "jb_pending_due" not in g:
        g.jb_pending_due = PendingDue(db.session())
    return g.jb_pending_due.missing_year(row)


def _register_template_helpers(app: Flask) -> None:
    from engine.labels import credit_kind_name, event_name, jurisdiction_name, role_name, tranche_name
    from web.failure_text import failure_message, failure_place
    from web.timefmt import local_instant, time_left, window_days, window_end

    @app.template_filter("local")
    def local_time(value: Any) -> str:
        return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else ""

    @app.template_filter("local_seconds")
    def local_seconds(value: Any) -> str:
        return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if value else ""

    app.add_template_filter(yuan, "yuan")
    app.add_template_filter(citation, "citation")
    app.add_template_filter(window_end, "window_end")
    app.add_template_filter(local_instant, "instant")

    @app.template_filter("pretty_json")
    def pretty_json(value: Any) -> str:
        """Data shown as indented JSON in HTML text (autoescaped there; ``|tojson`` is for script blocks)."""
        return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "lang": i18n.current_lang(),
            "now": clock_now,
            "time_left": lambda due, remind=None: time_left(due, clock_now(), remind),
            "due_pending_year": _due_pending_year,
            "window_days": window_days,
            "bi": lambda zh, en: zh if i18n.current_lang() == "zh" else en,
            "role_name": lambda code: role_name(code, i18n.current_lang()),
            "jurisdiction_name": lambda code: jurisdiction_name(code, i18n.current_lang()),
            "tranche_name": lambda code: tranche_name(code, i18n.current_lang()),
            "credit_kind_name": lambda code: credit_kind_name(code, i18n.current_lang()),
            "event_name": lambda kind: event_name(kind, i18n.current_lang()),
            "unit_name": unit_name,
            "diagram_name": i18n.diagram_name,
            "stage_text": i18n.stage_text,
            "punct": i18n.punctuation(),
            "stage_name": stage_name,
            "process_name": process_name,
            "account_name": account_name,
            "lane_name": lane_name,
            "failure_message": lambda message: failure_message(message, i18n.current_lang()),
            "failure_place": failure_place,
        }


def _register_error_pages(app: Flask) -> None:
    def page(status: int, title: str, message: str) -> tuple[str, int]:
        return render_template("error.html", status=status, title=title, message=message), status

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> tuple[str, int]:
        from flask_babel import gettext as _

        return page(400, _("请求已过期"), _("表单的安全令牌无效或已过期。请返回、刷新页面后重新提交。"))

    @app.errorhandler(JiebangError)
    def _user_error(exc: JiebangError) -> tuple[str, int]:
        from flask_babel import gettext as _

        return page(exc.http_status, _("无法完成操作"), exc.message(i18n.current_lang()))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        from flask_babel import gettext as _

        if request.path.startswith("/api/"):
            return exc
        titles = {
            403: (_("无权访问"), _("您的账号没有访问此页面所需的角色。如需权限，请联系系统管理员。")),
            404: (_("页面不存在"), _("您要找的页面不存在或已被移除。")),
            405: (_("不支持的请求"), _("此页面不接受这种请求方式。")),
            413: (_("文件过大"), _("上传的内容超过了大小限制。")),
            429: (_("请求过于频繁"), _("请稍后再试。")),
        }
        title, message = titles.get(exc.code or 500, (exc.name, exc.description or ""))
        return page(exc.code or 500, title, message)

    @app.errorhandler(Exception)
    def _internal(exc: Exception) -> Any:
        from flask_babel import gettext as _

        if isinstance(exc, HTTPException):
            return _http(exc)
        log.exception("internal error on %s %s", request.method, request.path)
        db.session.rollback()
        return page(
            500,
            _("系统内部错误"),
            _("服务器出现了意外错误，您的操作未完成。请稍后重试；问题持续时请联系管理员。"),
        )
