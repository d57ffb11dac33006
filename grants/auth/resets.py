"""Choosing a new password through a link e-mailed to the account's address.

Asking for a link answers the same words, after the same work, whether or not
the address has an account, so the answer tells nothing about who is
registered. An active account gets an e-mail (the product's outbox: delivered
over SMTP when configured, shown on the administrator's outbox page
otherwise) with a link that works once, for :data:`VALID_FOR`, and only while
it is the newest one asked for. The database keeps the link's SHA-256, never
the secret. Setting the password follows the change-password rules and ends
every session of the account.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash

from grants.auth.models import PasswordReset, User
from grants.auth.services import _fail, check_password_strength, user_by_email
from grants.core import audit, clock
from grants.core.errors import Refused
from grants.extensions import db

VALID_FOR = timedelta(hours=1)
NO_ACCOUNT = 0  # the user id the unknown address's (empty) update looks for


def request_answer() -> str:
    """The one answer to every request, known address or not."""
    return _("If an active account uses this address, a link to choose a new password is on its "
             "way to it. The link works once, for one hour; only the newest link works.")


def _digest(secret: str) -> str:
    return hashlib.sha256((secret or "").encode()).hexdigest()


def _local(moment) -> str:
    return clock.to_local(moment).strftime("%Y-%m-%d %H:%M")


def _end_live_links(user_id: int) -> None:
    now = clock.now()
    db.session.execute(sa.update(PasswordReset)
                       .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None),
                              PasswordReset.superseded_at.is_(None))
                       .values(superseded_at=now, updated_at=now))


def reset_url(secret: str) -> str:
    from grants.notifications.services import link_for

    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + link_for("auth.reset_password_page", token=secret)


def request_password_reset(email: str) -> None:
    """E-mail a new link to the account of ``email`` if it is active; else nothing, after
    the same steps (a new secret, its digest, the letter, the update of older links)."""
    # The outbox is the notifications area's; it needs nothing of the accounts' code.
    from grants.notifications.services import queue_email

    user = user_by_email(email)
    secret = secrets.token_urlsafe(32)
    digest = _digest(secret)
    subject = _("Choose a new password")
    body = _("Someone, probably you, asked to choose a new password for the account %(email)s.\n\n"
             "Open this link within one hour to choose it (the link works once):\n%(url)s\n\n"
             "If it was not you, ignore this e-mail: the password stays as it is.",
             email=getattr(user, "email", email), url=reset_url(secret))
    known = user is not None and user.is_active
    _end_live_links(user.id if known else NO_ACCOUNT)
    if not known:
        return
    link = PasswordReset(user=user, token_hash=digest, expires_at=clock.now() + VALID_FOR)
    db.session.add(link)
    db.session.flush()
    queue_email(user.email, subject, body)
    audit.record(user, "request_password_reset", actor=None, evidence={"link": link.id})


def find_reset(secret: str) -> PasswordReset:
    """The live link for ``secret``, or the refusal in words (unknown, used, replaced, expired)."""
    link = db.session.scalar(sa.select(PasswordReset).where(PasswordReset.token_hash == _digest(secret)))
    if link is None:
        raise Refused(_("This link is not valid. Check that it was copied whole."))
    if link.used_at is not None:
        raise Refused(_("This link has already been used (on %(at)s); each link works once.",
                        at=_local(link.used_at)))
    if link.superseded_at is not None:
        raise Refused(_("A newer link replaced this one on %(at)s; use the link in the newest e-mail, "
                        "or ask for another.", at=_local(link.superseded_at)))
    if link.expires_at <= clock.now():
        raise Refused(_("This link expired on %(at)s; ask for a new one.", at=_local(link.expires_at)))
    if not link.user.is_active:
        raise Refused(_("This account is deactivated. Contact the administrator."))
    return link


def reset_password_with_link(secret: str, *, new: str, confirm: str) -> User:
    """Set the password of the link's account: the change-password rules, once; every
    session and remember-me cookie of the account ends, and every other link too."""
    link = find_reset(secret)
    user = link.user
    if new != confirm:
        _fail("confirm", _l("Repeat the new password"), _l("does not match the new password"))
    if check_password_hash(user.password_hash, new or ""):
        _fail("new_password", _l("New password"), _l("must differ from the current one"))
    check_password_strength(new, field="new_password", user_inputs=(user.email, user.display_name))
    # The row's update counts: of two requests with the same link, one spends it.
    now = clock.now()
    spent = db.session.execute(sa.update(PasswordReset)
                               .where(PasswordReset.id == link.id, PasswordReset.used_at.is_(None),
                                      PasswordReset.superseded_at.is_(None))
                               .values(used_at=now, updated_at=now)).rowcount
    if spent != 1:
        raise Refused(_("This link has already been used; each link works once."))
    _end_live_links(user.id)
    user.set_password(new)
    user.must_change_password = False
    user.end_sessions()
    db.session.flush()
    audit.record(user, "reset_password_by_link", actor=user, evidence={"link": link.id})
    return user
