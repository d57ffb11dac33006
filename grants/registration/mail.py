"""The one place registration sends e-mail from.

Every message goes through :func:`send_email`; ``email_sent`` (a blinker signal,
as Flask's own) lets a listener see what went out.
"""
from __future__ import annotations

from blinker import Namespace
from flask import current_app

email_sent = Namespace().signal("registration-email-sent")


def send_email(to: str, subject: str, body: str) -> None:
    current_app.logger.info("e-mail to %s: %s\n%s", to, subject, body)
    email_sent.send(current_app._get_current_object(), to=to, subject=subject, body=body)
