"""``flask orgs set-manager``: name the manager of an organisation's accounts."""
from __future__ import annotations

import click

from grants.auth import services as accounts
from grants.auth.cli import _fail, orgs_cli
from grants.core.errors import DomainError
from grants.extensions import db
from grants.registration import members


@orgs_cli.command("set-manager")
@click.option("--org", "org_code", required=True, help="Credit code of the organisation.")
@click.option("--email", required=True, help="An active member's e-mail address.")
def orgs_set_manager(org_code, email):
    """Name the manager of an organisation's accounts (one registered by an administrator
    has none): they can then invite the organisation's other members."""
    organisation = accounts.organization_by_code(org_code)
    if organisation is None:
        _fail(f"no organisation with credit code {org_code}")
    member = accounts.user_by_email(email)
    if member is None:
        _fail(f"no user with email {email}")
    try:
        members.appoint_manager(organisation, member, actor=None)
        db.session.commit()
    except DomainError as exc:
        _fail(str(exc))
    click.echo(f"{member.email} manages the accounts of {organisation.name}")
