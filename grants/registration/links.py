"""One-time links sent by e-mail: an address's confirmation and an invitation.

The secret goes out in the link only; the database keeps its SHA-256, so a
copy of the database opens nothing. A link works once and until it expires
(:data:`VALID_FOR`); every refusal says which of the two it was.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from grants.core import audit, clock
from grants.core.errors import Refused
from grants.extensions import db
from grants.notifications.services import link_for
from grants.registration.models import LinkPurpose, OneTimeLink

VALID_FOR = timedelta(days=7)


def _local(moment) -> str:
    return clock.to_local(moment).strftime("%Y-%m-%d %H:%M")


def _digest(secret: str) -> str:
    return hashlib.sha256((secret or "").encode()).hexdigest()


def new_link(purpose: LinkPurpose, email: str, *, actor=None, **about) -> tuple[OneTimeLink, str]:
    """A link for ``email`` about ``about`` (organization=, registration=, application=);
    returns the row and the secret to put in the URL."""
    secret = secrets.token_urlsafe(32)
    link = OneTimeLink(purpose=purpose, token_hash=_digest(secret), email=email,
                       expires_at=clock.now() + VALID_FOR, created_by_id=getattr(actor, "id", None), **about)
    db.session.add(link)
    db.session.flush()
    return link, secret


def link_url(link: OneTimeLink, secret: str) -> str:
    """The address to put in the e-mail (``PUBLIC_BASE_URL``, as every e-mail's links)."""
    endpoint = "registration.confirm" if link.purpose == LinkPurpose.confirm_email else "registration.accept"
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + link_for(endpoint, token=secret)


def find_link(secret: str, purpose: LinkPurpose) -> OneTimeLink:
    """The live link for ``secret``, or the refusal in words (unknown, used, expired)."""
    link = db.session.scalar(sa.select(OneTimeLink).where(OneTimeLink.token_hash == _digest(secret),
                                                          OneTimeLink.purpose == purpose))
    if link is None:
        raise Refused(_("This link is not valid. Check that it was copied whole."))
    if link.used_at is not None:
        raise Refused(_("This link has already been used (on %(at)s); each link works once.",
                        at=_local(link.used_at)))
    if link.expires_at <= clock.now():
        raise Refused(_("This link expired on %(at)s; ask for a new one.", at=_local(link.expires_at)))
    return link


def use_link(link: OneTimeLink, *, actor=None) -> None:
    """Spend ``link``; a second request with the same link is refused (the row's update
    counts: two at once cannot both spend it)."""
    spent = db.session.execute(sa.update(OneTimeLink).where(OneTimeLink.id == link.id,
                                                            OneTimeLink.used_at.is_(None))
                               .values(used_at=clock.now())).rowcount
    if spent != 1:
        raise Refused(_("This link has already been used; each link works once."))
    db.session.refresh(link)
    audit.record(link, "use", actor=actor, evidence={"purpose": link.purpose.value, "email": link.email})
