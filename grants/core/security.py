"""HTTP security headers (Flask-Talisman) and the clean-up of text that comes in.

Every answer carries a Content-Security-Policy that allows scripts, styles,
images and fonts from this site only (no inline script or style: they live in
``static/``), may not be framed (``frame-ancestors 'none'``, X-Frame-Options
DENY), ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``.
In production (``FORCE_HTTPS``, which follows SESSION_COOKIE_SECURE) plain HTTP
is redirected to HTTPS and HSTS is sent. The API's browsable documentation
(Swagger UI) starts itself with an inline script; only that page allows one.
"""
from __future__ import annotations

import functools
import re

from flask import Flask, request
from flask_talisman import Talisman
from werkzeug.datastructures import ImmutableMultiDict

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
SWAGGER_UI_CSP = {**CSP, "script-src": "'self' 'unsafe-inline'", "style-src": "'self' 'unsafe-inline'"}


def init_security_headers(app: Flask) -> Talisman:
    secure = bool(app.config.get("FORCE_HTTPS"))
    talisman = Talisman(
        app,
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="same-origin",
        force_https=secure,
        strict_transport_security=secure,
        strict_transport_security_max_age=365 * 24 * 3600,
        # The cookies' flags are the configuration's (config.py), not Talisman's defaults.
        session_cookie_secure=bool(app.config.get("SESSION_COOKIE_SECURE")),
        session_cookie_http_only=True,
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
    )
    app.extensions["talisman"] = talisman
    return talisman


def allow_inline_script(app: Flask, endpoint: str) -> None:
    """A third-party page that cannot work without an inline script (Swagger UI)."""
    view = app.view_functions.get(endpoint)
    if view is None:
        return

    @functools.wraps(view)
    def page(*args, **kwargs):
        return view(*args, **kwargs)

    page.talisman_view_options = {"content_security_policy": SWAGGER_UI_CSP}
    app.view_functions[endpoint] = page


# C0 and C1 control characters except tab and line breaks (a browser sends a
# text area's line breaks as CR LF; they become LF).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def _cleaned(values: ImmutableMultiDict) -> ImmutableMultiDict:
    if not any(isinstance(v, str) and has_control_characters(v) for v in values.values()):
        return values
    return ImmutableMultiDict([(key, strip_control_characters(v) if isinstance(v, str) else v)
                               for key, v in values.items(multi=True)])


def clean_page_input() -> None:
    """before_request for pages: every form field and query parameter loses its
    control characters, once, before any form or view reads it. The API refuses
    them instead (``grants.api.schemas.ApiSchema``)."""
    if request.path.startswith("/api/"):
        return
    request.args = _cleaned(request.args)
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        request.form = _cleaned(request.form)
