"""Notifying users and queueing e-mail, in the caller's transaction.

``notify`` and ``queue_email`` only add rows and flush: the event that causes a
notification and the notification itself are committed (or rolled back)
together by the page, API request or command that caused the event.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable

import sqlalchemy as sa
from flask import current_app, has_request_context, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from grants.core import clock, jobs
from grants.core.permissions import require, signed_in
from grants.extensions import db
from grants.notifications.kinds import KINDS, render
from grants.notifications.mail import send_job
from grants.notifications.models import Notification, OutboundEmail

SUBJECT_LENGTH = 120


def link_for(endpoint: str, **values) -> str:
    """The path of a page, also outside a request (``flask tick``), for a notification's link."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return url_for(endpoint, **values)


def _plain(value: Any) -> Any:
    """A parameter as it is stored (JSON): dates as ISO text, anything else unusual as its text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _recipients(users) -> list:
    if users is None:
        return []
    # One user (a signed-in proxy is iterable too: it has an id) or several.
    if hasattr(users, "id") or not isinstance(users, Iterable) or isinstance(users, (str, bytes)):
        users = [users]
    seen: set[int] = set()
    found = []
    for user in users:
        if user is None or user.id in seen:
            continue
        seen.add(user.id)
        found.append(user)
    return found


def subject_key(obj) -> str:
    """What a notification is about, as stored: "<audit type>:<id>" ("review_assignment:12")."""
    return f"{obj.__audit_type__}:{obj.id}"


def notify(users, kind: str, link: str | None = None, *, about=None, **params) -> list[Notification]:
    """One notification of ``kind`` for each of ``users`` (a user, or several; None
    and repeats skipped), and an e-mail to each who has an address. ``about``: the
    request the notification asks the user to answer (an assignment, an invitation,
    an objection...), so that :func:`settle` can mark it done once answered. Adds and
    flushes; the caller's request or command commits with its event."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}: register it with register_kind")
    parameters = {name: _plain(value) for name, value in params.items()}
    about_key = subject_key(about) if about is not None else None
    created = []
    for user in _recipients(users):
        note = Notification(user_id=user.id, kind=kind, parameters=parameters, link=link, subject=about_key,
                            created_at=clock.now())
        db.session.add(note)
        created.append(note)
        if getattr(user, "email", None):
            title, body = _email_for(user, kind, parameters, link)
            queue_email(user.email, title, body)
    db.session.flush()
    return created


def _email_for(user, kind: str, parameters: dict, link: str | None) -> tuple[str, str]:
    """Subject and body in the product's default language (an e-mail has no reader's session)."""
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = render(kind, parameters)
        subject = text if len(text) <= SUBJECT_LENGTH else text[:SUBJECT_LENGTH - 1] + "…"
        lines = [_("Dear %(name)s,", name=user.display_name), "", text, ""]
        # Each address on a line of its own, so mail readers (and the outbox page) link it.
        if link:
            lines += [_("Open the page:"), base + link, ""]
        lines += [_("Your inbox:"), base + link_for("notifications.inbox"), "", _("Open Competition S&T Projects")]
    return subject, "\n".join(lines)


def queue_email(to: str, subject: str, body: str) -> OutboundEmail:
    """Put an e-mail in the outbox; ``flask mail send`` or the tick delivers it when SMTP is
    configured, or, with a job queue (``JOB_QUEUE_URL``), a worker right after the commit."""
    email = OutboundEmail(to_address=to.strip(), subject=subject[:300], body=body, created_at=clock.now(),
                          attempts=0)
    db.session.add(email)
    db.session.flush()
    if current_app.config.get("MAIL_SERVER"):
        jobs.dispatch(send_job, run_inline=False)  # with a queue, sent right after the commit
    return email


# the inbox ------------------------------------------------------------------------

def inbox_query(user) -> sa.Select:
    """The user's notifications, newest first."""
    return (sa.select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.id.desc()))


def unread_count(user) -> int:
    """How many of the user's notifications are unread: one query, kept for the request."""
    if not signed_in(user):
        return 0
    cache = _request_cache()
    if user.id not in cache:
        cache[user.id] = db.session.scalar(
            sa.select(sa.func.count()).select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))) or 0
    return cache[user.id]


def _request_cache() -> dict:
    """Kept on the request itself (an application context may outlive many requests)."""
    if not has_request_context():
        return {}
    holder = request._get_current_object()
    if not hasattr(holder, "_unread_notifications"):
        holder._unread_notifications = {}
    return holder._unread_notifications


def _forget_count(user) -> None:
    _request_cache().pop(getattr(user, "id", None), None)


def notification_of(user, notification_id: int) -> Notification | None:
    """The user's own notification, or None (another's is not found)."""
    note = db.session.get(Notification, notification_id)
    return note if note is not None and signed_in(user) and note.user_id == user.id else None


def mark_read(notification: Notification, *, actor) -> Notification:
    require("notifications.read", actor, notification)
    if notification.read_at is None:
        notification.read_at = clock.now()
        db.session.flush()
        _forget_count(actor)
    return notification


def mark_all_read(*, actor) -> int:
    """Mark every unread notification of ``actor`` read; how many were."""
    require("notifications.read_inbox", actor)
    result = db.session.execute(
        sa.update(Notification).where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=clock.now()).execution_options(synchronize_session="fetch"))
    _forget_count(actor)
    return result.rowcount or 0


def settle(about, *, kinds: Iterable[str] | None = None, users=None) -> int:
    """The request ``about`` was answered or withdrawn: its unread notifications (of ``kinds``,
    to ``users``; every kind and user by default) are marked read, so the inbox and the unread
    count show only what still waits. How many were. Runs in the caller's transaction."""
    query = sa.update(Notification).where(Notification.subject == subject_key(about),
                                          Notification.read_at.is_(None))
    if kinds is not None:
        query = query.where(Notification.kind.in_(list(kinds)))
    recipients = None
    if users is not None:
        recipients = _recipients(users)
        query = query.where(Notification.user_id.in_([user.id for user in recipients]))
    result = db.session.execute(query.values(read_at=clock.now()).execution_options(synchronize_session="fetch"))
    if has_request_context():
        _request_cache().clear()
    return result.rowcount or 0


# the outbox -----------------------------------------------------------------------

def outbox_query(state: str | None = None) -> sa.Select:
    """Queued and sent e-mails, newest first; ``state``: "queued", "sent" or "failed"."""
    query = sa.select(OutboundEmail).order_by(OutboundEmail.id.desc())
    if state == "queued":
        query = query.where(OutboundEmail.sent_at.is_(None))
    elif state == "sent":
        query = query.where(OutboundEmail.sent_at.is_not(None))
    elif state == "failed":
        query = query.where(OutboundEmail.sent_at.is_(None), OutboundEmail.last_error.is_not(None))
    return query
