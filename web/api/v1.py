"""Sets up ``/api/v1`` when ``web.app.register_blueprints`` registers ``bp``: flask-smorest's ``Api``, the
resource blueprints, the OpenAPI document, Swagger UI served from our own files, and problem+json errors."""

from __future__ import annotations

import http
from typing import Any

import flask_smorest
import swagger_ui_bundle
from flask import Blueprint, Flask, Response, request, send_from_directory
from flask.blueprints import BlueprintSetupState
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from engine.errors import JiebangError
from web.access import rule
from web.api import deployments, instances, me, messages, processes, public, tasks
from web.api.common import close_session
from web.api.problems import PROBLEM_JSON, ProblemSchema, from_http, handle_error

PREFIX = "/api/v1"
RESOURCES: list[flask_smorest.Blueprint] = [
    deployments.blp,
    processes.blp,
    instances.blp,
    tasks.blp,
    messages.blp,
    public.blp,
    me.blp,
]

DESCRIPTION = """揭榜挂帅项目管理系统的 REST API。/ The REST API of Jiebang.

* **Authentication**: personal API tokens, created and revoked on the web page *API tokens*, sent as
  `Authorization: Bearer jb_…`. Challenges and notices are public.
* **Roles** are those of the web UI: a task needs its lane's role in the instance's jurisdiction; instances are
  read by the oversight roles of their jurisdiction (bureau, admin, supervisor, expert, panel chair, approver)
  and by their participants (who started them, completed or claimed one of their tasks).
* **Errors** are `application/problem+json` (RFC 9457) with a stable `code`, a `detail` in Chinese or English
  (`Accept-Language: en`), and `errors` (field → messages) when input was invalid.
* **Lists** are paged: `page` (from 1) and `page_size` (≤ 200); the response carries `total`.
"""


class JiebangApi(flask_smorest.Api):
    """flask-smorest's Api with problem+json errors, limited to the API's own blueprints (the web UI keeps its
    HTML error pages)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:  # handlers are per blueprint, see _errors_on
        pass

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        default: dict[str, Any] = {"description": "Error (problem details)", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)


def _errors_on(blueprint: Blueprint) -> None:
    for kind in (JiebangError, HTTPException, Exception):
        blueprint.register_error_handler(kind, handle_error)


bp = Blueprint("api_v1", __name__, url_prefix=PREFIX)


@bp.get("/swagger-ui/<path:filename>")
@rule("public")
def swagger_asset(filename: str) -> Response:
    """Swagger UI's files from the swagger-ui-bundle package: the page works offline, with no CDN."""
    return send_from_directory(str(swagger_ui_bundle.swagger_ui_path), filename, max_age=86400)


@bp.before_app_request
def _routing_errors() -> Response | None:
    """404 and 405 under /api/v1 never reach a blueprint's handlers; answer them as problems here."""
    exc = request.routing_exception
    if exc is None or isinstance(exc, RequestRedirect) or not isinstance(exc, HTTPException):
        return None
    if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
        return from_http(exc)
    return None


def _setup(state: BlueprintSetupState) -> None:
    app: Flask = state.app
    if "flask-smorest" in app.extensions:
        return
    config = {
        "API_TITLE": "Jiebang API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": PREFIX,
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": f"{PREFIX}/swagger-ui/",
    }
    for key, value in config.items():
        app.config.setdefault(key, value)
    api = JiebangApi(
        app,
        spec_kwargs={
            "info": {"description": DESCRIPTION},
            "servers": [{"url": "/"}],
        },
    )
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "personal API token (jb_…)"}
    )
    for resource in RESOURCES:
        api.register_blueprint(resource)
    app.teardown_request(close_session)
    csrf = app.extensions.get("csrf")
    if csrf is not None:  # Flask-WTF: token-authenticated API calls carry no CSRF token
        for resource in RESOURCES:
            csrf.exempt(resource)


for _blueprint in [bp, *RESOURCES]:
    _errors_on(_blueprint)
bp.record(_setup)
