"""``flask mail send``: deliver the outbox over SMTP."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from grants.notifications.mail import send_queued

mail_cli = AppGroup("mail", help="The e-mail outbox.")


@mail_cli.command("send", help="Send the queued e-mails over SMTP (MAIL_SERVER and the other MAIL_* settings).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Send at most this many.")
def send_command(limit):
    delivery = send_queued(limit)
    if delivery is None:
        click.echo("SMTP is not configured (set MAIL_SERVER, and MAIL_PORT, MAIL_USERNAME, MAIL_PASSWORD, "
                   "MAIL_USE_TLS, MAIL_SENDER as needed): nothing was sent. The outbox stays queued and "
                   "the administrator's outbox page shows it.")
        return
    click.echo(f"sent {delivery.sent}, failed {delivery.failed}")
    if delivery.failed:
        raise SystemExit(1)


def register(app: Flask) -> None:
    app.cli.add_command(mail_cli)
