"""Who is calling the API: a personal token in ``Authorization: Bearer``, or nobody.

The browser session is never consulted under /api/, so a page's cookie cannot
act through the API and CSRF protection is not needed there. The caller
becomes ``current_user`` for the request (an anonymous user without a token).
"""
from __future__ import annotations

import hashlib

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user

from grants.api.errors import PayloadTooLarge, Unauthorized
from grants.api.services import token_for_secret
from grants.core.errors import Forbidden
from grants.extensions import db, login_manager

# Where no file is expected, a request body over this size is refused.
DEFAULT_MAX_BODY = 1024 * 1024


def body_limit(max_bytes: int):
    """View decorator for an API operation that takes files: its own body size limit."""

    def decorator(view):
        view._api_max_body = max_bytes
        return view

    return decorator


def authenticate_request() -> None:
    """before_request for /api/: limit the body and establish the caller."""
    if not request.path.startswith("/api/"):
        return
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    limit = getattr(view, "_api_max_body", None) or current_app.config.get("API_MAX_BODY", DEFAULT_MAX_BODY)
    # Bodies streamed without a Content-Length are cut off by Werkzeug at the same limit.
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(_("The request body is larger than %(n)s KB.", n=limit // 1024))

    header = request.headers.get("Authorization")
    if header is None:
        g._login_user = login_manager.anonymous_user()
        return
    scheme, _sep, secret = header.partition(" ")
    token = token_for_secret(secret.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        g._login_user = login_manager.anonymous_user()
        raise Unauthorized(_("The API token is missing, wrong, expired or revoked, "
                             "or its account is deactivated."))
    db.session.commit()  # keeps the token's last use
    g._login_user = token.user
    g.api_token = token


def check_operation_permission() -> None:
    """before_request for /api/, after the caller is known: the operation's own
    permission (``route(..., permission=...)``), before its body is parsed; a
    refusal says why, in the map's words."""
    from grants.core.permissions import reason

    if not request.path.startswith("/api/") or not request.endpoint:
        return
    name, say_why = getattr(current_app.view_functions.get(request.endpoint), "_api_permission", (None, False))
    if name is None:
        return
    if not say_why:
        require_permission(name)
        return
    why = reason(name, None, require_user())
    if why is not None:
        raise Forbidden(why)


def rate_limit_key() -> str:
    """Who an API request counts against: its token (by a digest of the secret,
    so no lookup is needed), or its address without one."""
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        return "api-token:" + hashlib.sha256(secret.strip().encode()).hexdigest()[:32]
    return f"api-address:{request.remote_addr}"


def address_key() -> str:
    return f"api-address-all:{request.remote_addr}"


def forget_caller(_exc=None) -> None:
    """teardown_request: the caller belongs to one request only."""
    if request.path.startswith("/api/"):
        g.pop("_login_user", None)
        g.pop("api_token", None)


def caller():
    """The signed-in user of this API request, or None when anonymous."""
    return current_user if current_user.is_authenticated else None


def require_user():
    user = caller()
    if user is None:
        raise Unauthorized(_("This needs an API token: send “Authorization: Bearer <token>”."))
    return user


def require_permission(name: str, obj=None):
    """The caller, whom the permission map allows ``name`` (401 without a token,
    403 otherwise): the API's gate to a part only some roles use."""
    from grants.core.permissions import can

    user = require_user()
    if not can(name, obj, user):
        raise Forbidden(_("Your role may not use this part of the API."))
    return user
