"""``flask tokens ...``: personal API tokens for scripts and operators."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from grants.api import services
from grants.api.models import ApiToken
from grants.auth.services import user_by_email
from grants.core.errors import DomainError
from grants.extensions import db

tokens_cli = AppGroup("tokens", help="Personal API tokens.")


def _fail(message: str) -> None:
    db.session.rollback()
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@tokens_cli.command("create")
@click.option("--email", required=True, help="The account the token acts for.")
@click.option("--days", type=int, default=services.DEFAULT_DAYS, show_default=True, help="Days until it expires.")
@click.option("--name", default=None, help="What the token is for.")
def tokens_create(email, days, name):
    """Create a token and print it (it is shown only this once)."""
    user = user_by_email(email)
    if user is None:
        _fail(f"no user with email {email}")
    try:
        token, secret = services.create_token(user, name=name, days=days, actor=None)
        db.session.commit()
    except DomainError as exc:
        _fail(str(exc))
    click.echo(f"token {token.id} for {user.email}, expires {token.expires_at:%Y-%m-%d %H:%M} UTC:", err=True)
    click.echo(secret)


@tokens_cli.command("revoke")
@click.option("--id", "token_id", type=int, required=True)
def tokens_revoke(token_id):
    """Revoke a token by its number."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        _fail(f"no token {token_id}")
    try:
        services.revoke_token(token, actor=None)
        db.session.commit()
    except DomainError as exc:
        _fail(str(exc))
    click.echo(f"token {token.id} ({token.hint}…) revoked")


def register(app: Flask) -> None:
    app.cli.add_command(tokens_cli)
