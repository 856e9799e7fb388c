"""Every registered web and API route declares a named access rule, and the rule's gate holds."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, Rule

from engine.access import ROUTE_RULES
from tests.web.conftest import login
from web.access import rule_of

SKIP_METHODS = {"HEAD", "OPTIONS"}


def _path(app: Flask, rule: Rule) -> str:
    values = {
        arg: 1 if isinstance(rule._converters[arg], IntegerConverter) else "x" for arg in rule.arguments
    }
    return app.url_map.bind("localhost").build(rule.endpoint, values)


def test_every_route_declares_an_access_rule(app: Flask) -> None:
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 60  # web pages and the API are registered
    missing = sorted(f"{r.rule} → {r.endpoint}" for r in rules if rule_of(app, r.endpoint) not in ROUTE_RULES)
    assert missing == []


def test_anonymous_requests_stop_at_the_gate(app: Flask) -> None:
    """Web pages send to the sign-in page, API endpoints answer 401 — before any handler code runs."""
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    leaks = []
    for r in app.url_map.iter_rules():
        if ROUTE_RULES[rule_of(app, r.endpoint) or "public"].roles is None:
            continue
        path = _path(app, r)
        for method in sorted((r.methods or set()) - SKIP_METHODS):
            response = client.open(path, method=method)
            if path.startswith("/api/"):
                ok = response.status_code == 401
            else:
                ok = response.status_code == 302 and "/login" in (response.location or "")
            if not ok:
                leaks.append(f"{method} {path}: {response.status_code}")
    assert leaks == []


def test_a_role_outside_the_rule_gets_403(app: Flask, web_users: dict[str, str]) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    login(client, web_users["solver"])
    refused = []
    for r in app.url_map.iter_rules():
        declared = ROUTE_RULES[rule_of(app, r.endpoint) or "public"]
        if declared.roles is None or "solver" in declared.roles:
            continue
        for method in sorted((r.methods or set()) - SKIP_METHODS):
            refused.append((method, _path(app, r), client.open(_path(app, r), method=method).status_code))
    assert refused and {status for _m, _p, status in refused} == {403}, refused
