"""The one place registration sends e-mail from: the product's outbox
(``grants.notifications``), delivered by ``flask mail send`` when SMTP is
configured and shown on the administrator's outbox page otherwise, so a trial
still works. ``email_sent`` (a blinker signal, as Flask's own) lets a
listener see what went out.
"""
from __future__ import annotations

from blinker import Namespace
from flask import current_app

from grants.notifications.services import queue_email

email_sent = Namespace().signal("registration-email-sent")


def send_email(to: str, subject: str, body: str) -> None:
    queue_email(to, str(subject), str(body))
    email_sent.send(current_app._get_current_object(), to=to, subject=str(subject), body=str(body))
