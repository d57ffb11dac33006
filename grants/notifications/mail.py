"""Delivering the outbox over SMTP (``flask mail send``, and ``flask tick`` when SMTP is configured).

Settings (config.py, from the environment): ``MAIL_SERVER``, ``MAIL_PORT``,
``MAIL_USERNAME``/``MAIL_PASSWORD``, ``MAIL_USE_TLS`` (STARTTLS), ``MAIL_USE_SSL``,
``MAIL_SENDER``, ``MAIL_TIMEOUT``, ``MAIL_MAX_ATTEMPTS``. Without ``MAIL_SERVER``
nothing is sent and the inbox alone carries the notifications.

Each e-mail's outcome is committed as soon as it is known (``sent_at``, or one
more attempt and the error), so a crash never sends the same e-mail twice and
a failing address does not hold up the others. An e-mail that failed
``MAIL_MAX_ATTEMPTS`` times is left for the administrator (the outbox page).
"""
from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import sqlalchemy as sa
from flask import current_app

from grants.core import clock, jobs
from grants.core.registry import tick_job
from grants.extensions import db
from grants.notifications.models import OutboundEmail


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0


def smtp_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def _connect():
    config = current_app.config
    ssl = bool(config.get("MAIL_USE_SSL"))
    smtp_class = config.get("MAIL_SMTP_CLASS") or (smtplib.SMTP_SSL if ssl else smtplib.SMTP)
    smtp = smtp_class(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or (465 if ssl else 25)),
                      timeout=int(config.get("MAIL_TIMEOUT") or 30))
    try:
        if config.get("MAIL_USE_TLS") and not ssl:
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        _close(smtp)
        raise
    return smtp


def _close(smtp) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        pass


def _message(email: OutboundEmail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config.get("MAIL_SENDER") or "noreply@localhost"
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=f"outbox{email.id}")
    message.set_content(email.body)
    return message


def _failed(email: OutboundEmail, exc: BaseException) -> None:
    email.attempts += 1
    email.last_error = f"{type(exc).__name__}: {exc}"[:2000]


def due_emails(limit: int | None = None) -> list[OutboundEmail]:
    max_attempts = int(current_app.config.get("MAIL_MAX_ATTEMPTS") or 5)
    query = (sa.select(OutboundEmail)
             .where(OutboundEmail.sent_at.is_(None), OutboundEmail.attempts < max_attempts)
             .order_by(OutboundEmail.id))
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def send_queued(limit: int | None = None) -> Delivery | None:
    """Send what waits in the outbox; None when SMTP is not configured (nothing is sent).

    With a job queue, workers, ticks and ``flask mail send`` on several hosts may
    send at once: one at a time holds the outbox (a lock in Redis), the others
    wait for it and then send what is left, so no e-mail goes out twice."""
    if not smtp_configured():
        return None
    with jobs.exclusive("mail", wait=120) as held:
        if not held:
            return Delivery()
        return _send_due(limit)


def _send_due(limit: int | None) -> Delivery:
    delivery = Delivery()
    emails = due_emails(limit)
    if not emails:
        return delivery
    try:
        smtp = _connect()
    except (smtplib.SMTPException, OSError) as exc:
        # The server cannot be reached: every e-mail of this batch counts one attempt.
        for email in emails:
            _failed(email, exc)
        db.session.commit()
        delivery.failed = len(emails)
        return delivery
    try:
        for email in emails:
            try:
                smtp.send_message(_message(email))
            except (smtplib.SMTPException, OSError) as exc:
                _failed(email, exc)
                delivery.failed += 1
            else:
                email.attempts += 1
                email.sent_at = clock.now()
                email.last_error = None
                delivery.sent += 1
            db.session.commit()
    finally:
        _close(smtp)
    return delivery


def send_job() -> str:
    """The queued delivery (grants/core/jobs.py): started when e-mails are queued."""
    delivery = send_queued(limit=int(current_app.config.get("MAIL_BATCH") or 100))
    return "SMTP is not configured" if delivery is None else f"sent {delivery.sent}, failed {delivery.failed}"


@tick_job("mail_send", order=95)
def send_mail_on_tick() -> int:
    """With SMTP configured, each tick delivers the outbox; without, it does nothing."""
    delivery = send_queued(limit=int(current_app.config.get("MAIL_BATCH") or 100))
    return delivery.sent if delivery else 0
