"""Personal API tokens, shared by the account page, the CLI and the API itself.

A token is ``gr_`` followed by 43 URL-safe characters (``secrets.token_urlsafe(32)``).
Only its SHA-256 is stored; the token is shown once, when it is made. A token
acts as its user, with the user's role, and stops working when it expires,
is revoked, or the user is deactivated.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants.api.models import ApiToken
from grants.core import audit, clock
from grants.core.errors import Refused, ValidationFailed
from grants.core.permissions import require
from grants.extensions import db

PREFIX = "gr_"
DEFAULT_DAYS = 90
MAX_DAYS = 365
# A used token's last_used_at is written at most this often, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _fail(field: str, label, problem) -> None:
    message = _("%(field)s %(problem)s", field=label, problem=problem)
    raise ValidationFailed(message, details={field: message})


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(user, *, name: str | None = None, days: int | None = DEFAULT_DAYS,
                 actor=None) -> tuple[ApiToken, str]:
    """Make a token for ``user``; return it and the secret to show once."""
    if actor is not None:  # None: the system (``flask tokens``)
        require("api.keep_tokens", actor, user)
    name = (name or "").strip() or _("API token")
    if len(name) > 100:
        _fail("name", _l("Name"), _l("is longer than %(n)s characters", n=100))
    days = DEFAULT_DAYS if days is None else days
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        _fail("days", _l("Valid for (days)"), _l("must be between 1 and %(n)s", n=MAX_DAYS))
    if not user.is_active:
        raise Refused(_("A deactivated account cannot have API tokens."))
    secret = PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(secret),
                     hint=secret[:8], created_at=now, expires_at=now + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    audit.record(token, "create", actor=actor,
                 evidence={"user": user.email, "name": name, "hint": token.hint,
                           "expires_at": token.expires_at.isoformat()})
    return token, secret


def revoke_token(token: ApiToken, *, actor) -> ApiToken:
    if actor is not None:  # None: the system (``flask tokens``)
        require("api.revoke_token", actor, token)
    if token.revoked_at is not None:
        raise Refused(_("This token was already revoked."))
    token.revoked_at = clock.now()
    db.session.flush()
    audit.record(token, "revoke", actor=actor, evidence={"user": token.user.email, "hint": token.hint})
    return token


def tokens_of(user) -> list[ApiToken]:
    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def token_for_secret(secret: str) -> ApiToken | None:
    """The usable token of an active user with this secret, or None; notes the use (flushes)."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    now = clock.now()
    if token is None or not token.usable(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.flush()
    return token
