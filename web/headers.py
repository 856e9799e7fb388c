"""Security headers on every response: a strict Content-Security-Policy and the usual browser hardening.

Built with the ``secure`` library (typed builders, validated header values) and applied in one
``after_request`` hook, so HTML pages, JSON, the API, static files and error pages all carry them.

The policy allows scripts from our own origin only: templates hold no inline ``<script>`` code and no
``on…=`` handlers; a page's configuration travels in ``<script type="application/json">`` blocks written with
``|tojson`` and is read by the page's static script. Beyond ``'self'``:

* ``img-src data:``: bpmn-js's stylesheet draws its breadcrumb arrows, dmn-js and Swagger UI their icons as
  ``data:`` images. An image cannot run script.
* ``style-src 'unsafe-inline'`` on the modeler's editing pages only (``INLINE_STYLE_ENDPOINTS``): dmn-js's
  decision-table editor writes ``style="…"`` attributes (column widths, resize handles) and its expression
  editor (CodeMirror) adds a ``<style>`` element; neither takes a nonce and hashes cannot cover computed
  widths. Inline styles cannot run script, and every other page (the monitor's bpmn-js viewer, the BPMN
  modeler's drawing and label editing, Swagger UI) works with ``style-src 'self'``, as the browser tests check.
"""

from __future__ import annotations

from flask import Flask, Response, request
from secure import (
    ContentSecurityPolicy,
    CrossOriginOpenerPolicy,
    PermissionsPolicy,
    ReferrerPolicy,
    Secure,
    StrictTransportSecurity,
    XContentTypeOptions,
    XFrameOptions,
)

SELF = "'self'"
NONE = "'none'"


#: Pages that need inline styles (dmn-js's decision-table editor); see the module's docstring.
INLINE_STYLE_ENDPOINTS = frozenset({"modeler.new", "modeler.edit", "modeler.edit_deployment"})


def content_security_policy(*, inline_styles: bool = False) -> ContentSecurityPolicy:
    styles = (SELF, "'unsafe-inline'") if inline_styles else (SELF,)
    return (
        ContentSecurityPolicy()
        .default_src(SELF)
        .script_src(SELF)
        .style_src(*styles)
        .img_src(SELF, "data:")
        .font_src(SELF)
        .connect_src(SELF)
        .object_src(NONE)
        .frame_src(NONE)
        .frame_ancestors(NONE)
        .base_uri(SELF)
        .form_action(SELF)
    )


def security_headers(*, https: bool, inline_styles: bool = False) -> Secure:
    """The headers of a response. ``https``: the site is served over HTTPS only (then HSTS as well)."""
    secure = Secure(
        csp=content_security_policy(inline_styles=inline_styles),
        xcto=XContentTypeOptions().nosniff(),
        xfo=XFrameOptions().deny(),
        referrer=ReferrerPolicy().same_origin(),
        coop=CrossOriginOpenerPolicy().same_origin(),
        permissions=PermissionsPolicy().value("camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
        hsts=StrictTransportSecurity().max_age(31_536_000) if https else None,
    )
    return secure.validate_and_normalize_headers(on_invalid="raise", strict=True)


def init_app(app: Flask) -> None:
    """Set the security headers on every response of ``app`` (pages, JSON, API, static files, errors). HSTS only
    when cookies are HTTPS-only (``JIEBANG_SECURE_COOKIES``): development and tests stay on plain HTTP."""
    https = bool(app.config.get("SESSION_COOKIE_SECURE"))
    strict = security_headers(https=https)
    inline_styles = security_headers(https=https, inline_styles=True)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        # A response that set its own, stricter policy keeps it: a file download is served with
        # ``default-src 'none'; sandbox`` (web/uploads.send_upload), so a stored page can never run as ours.
        own_policy = response.headers.get("Content-Security-Policy")
        chosen = inline_styles if request.endpoint in INLINE_STYLE_ENDPOINTS else strict
        chosen.set_headers(response)
        if own_policy:
            response.headers["Content-Security-Policy"] = own_policy
        return response
