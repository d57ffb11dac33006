"""Notifications: every user's inbox of what asks them to act, and the e-mail outbox.

Any later area notifies in the service where its event happens, in the same
transaction: ``notify(users, kind, link=None, **params)`` (kinds and their
messages in ``kinds.py``), ``queue_email(to, subject, body)`` for other mail.
A notification that asks someone to answer a request names it (``about=request``);
the service that answers or withdraws the request calls ``settle(request)``, which
marks those notifications read so the inbox shows only what still waits.
``flask mail send`` (and ``flask tick``) delivers the outbox when SMTP is configured.
"""
from flask import Blueprint

bp = Blueprint("notifications", __name__)


def init_app(app):
    from flask_login import current_user

    from grants.notifications import cli
    from grants.notifications.services import unread_count

    cli.register(app)

    @app.context_processor
    def inbox_badge():
        # Called by the navigation only when it renders: one count per request.
        return {"inbox_unread": lambda: unread_count(current_user)}


from grants.notifications import mail, models, views  # noqa: E402,F401  (tick job, tables, routes)
