"""Every web page and API endpoint declares its access rule (``engine.access.routes``) here.

``rule(name)`` gates a page (sign-in and roles, by the web session) and records the rule on the view;
``api_rule(name)`` does the same for an API endpoint (by bearer token). Endpoints that Flask and flask-smorest
register themselves are named in ``FRAMEWORK_ENDPOINTS``. ``rule_of`` answers for any endpoint; the route
coverage test fails on a route without a rule. What the handler may show of a resource it then asks
``engine.access.policy`` — the viewer of the instance or task, filtered data and events, allowed files.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, render_template
from flask_login import current_user

from engine.access import ROUTE_RULES, Principal, principal
from engine.errors import Forbidden
from web.security import roles_required

F = TypeVar("F", bound=Callable[..., Any])

#: Endpoints registered by Flask and flask-smorest, and the sign-in pages.
FRAMEWORK_ENDPOINTS = {
    "static": "public",
    "api-docs.openapi_json": "public",
    "api-docs.openapi_swagger_ui": "public",
    # sign-in, sign-out and the language switch (web/views/auth.py): open to everyone by nature
    "auth.login": "public",
    "auth.logout": "public",
    "auth.set_language": "public",
}
ATTRIBUTE = "access_rule"


def rule(name: str) -> Callable[[F], F]:
    """A web page's rule: ``public`` pages are open; others need a sign-in with one of the rule's roles."""
    declared = ROUTE_RULES[name]

    def decorate(view: F) -> F:
        @wraps(view)
        def refusing(*args: Any, **kwargs: Any) -> Any:
            try:
                return view(*args, **kwargs)
            except Forbidden as exc:  # the policy's refusal, with its reason, on the "no access" page
                return denied(exc)

        gated = refusing if declared.roles is None else roles_required(*sorted(declared.roles))(refusing)
        setattr(gated, ATTRIBUTE, name)
        return gated  # type: ignore[return-value]

    return decorate


def api_rule(name: str) -> Callable[[F], F]:
    """An API endpoint's rule: ``public`` endpoints are open; others authenticate the bearer token before
    anything else (argument parsing included, so a request without a valid token gets 401 whatever its body)
    and need one of the rule's roles."""
    from web.api.common import current_user as api_user

    declared = ROUTE_RULES[name]

    def decorate(view: F) -> F:
        if declared.roles is None:
            setattr(view, ATTRIBUTE, name)
            return view

        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            who = principal(api_user())
            if declared.roles is not None and not who.holds_anywhere(declared.roles):
                raise Forbidden(
                    "您的账号没有调用此接口所需的角色；如需权限，请联系系统管理员。",
                    "Your account lacks a role this endpoint needs; ask the administrator for it.",
                )
            return view(*args, **kwargs)

        setattr(wrapped, ATTRIBUTE, name)
        return wrapped  # type: ignore[return-value]

    return decorate


def denied(exc: Forbidden) -> tuple[str, int]:
    from flask_babel import gettext as _

    from web.i18n import current_lang

    return render_template(
        "error.html", status=403, title=_("无权访问"), message=exc.message(current_lang())
    ), 403


def rule_of(app: Flask, endpoint: str) -> str | None:
    """The access rule declared for ``endpoint``, or None."""
    if endpoint in FRAMEWORK_ENDPOINTS:
        return FRAMEWORK_ENDPOINTS[endpoint]
    view = app.view_functions.get(endpoint)
    return getattr(view, ATTRIBUTE, None)


def me() -> Principal:
    """The signed-in web user as the policy sees them."""
    return principal(current_user if current_user.is_authenticated else None)
