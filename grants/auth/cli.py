"""``flask orgs ...`` and ``flask users ...`` for scripts and operators."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from grants.auth import services
from grants.auth.models import OrgKind
from grants.core.errors import DomainError
from grants.core.permissions import Role
from grants.extensions import db

orgs_cli = AppGroup("orgs", help="Organisations.")
users_cli = AppGroup("users", help="User accounts.")


def _fail(message: str) -> None:
    db.session.rollback()
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@orgs_cli.command("create")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice([k.value for k in OrgKind]))
@click.option("--credit-code", required=True)
def orgs_create(name, kind, credit_code):
    """Register an organisation by its unified social credit code."""
    try:
        org = services.create_organization(name=name, kind=kind, credit_code=credit_code)
        db.session.commit()
    except DomainError as exc:
        _fail(str(exc))
    click.echo(f"organisation {org.id}: {org.name} ({org.credit_code})")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--org", "org_code", help="Credit code of the user's organisation.")
@click.option("--id-number", help="Resident ID number (required for applicants and reviewers).")
def users_create(email, name, role, org_code, id_number):
    """Create an account; the password is read from standard input."""
    password = sys.stdin.readline().rstrip("\r\n")
    org = None
    if org_code:
        org = services.organization_by_code(org_code)
        if org is None:
            _fail(f"no organisation with credit code {org_code}")
    try:
        user = services.create_user(email=email, display_name=name, password=password,
                                    role=role, organization=org, id_number=id_number)
        db.session.commit()
    except DomainError as exc:
        _fail(str(exc))
    click.echo(f"user {user.id}: {user.email} ({user.role})")


@users_cli.command("deactivate")
@click.option("--email", required=True)
def users_deactivate(email):
    """Deactivate an account; it can no longer sign in."""
    user = services.user_by_email(email)
    if user is None:
        _fail(f"no user with email {email}")
    services.set_user_active(user, False, actor=None)
    db.session.commit()
    click.echo(f"user {user.email} deactivated")


def register(app: Flask) -> None:
    app.cli.add_command(orgs_cli)
    app.cli.add_command(users_cli)
