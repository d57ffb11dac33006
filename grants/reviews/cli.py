"""``flask reviewers ...``: the expert pool, for administrators' scripts.

The same services as the "My expert profile" and "Expert pool" pages; the
changes are recorded in the audit log as made by the system.
"""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from grants.auth import services as accounts
from grants.core.errors import DomainError
from grants.extensions import db
from grants.reviews import profiles
from grants.reviews.models import ChallengeField

reviewers_cli = AppGroup("reviewers", help="Expert reviewers: profiles and the pool.")

FIELDS = [f.value for f in ChallengeField]


def _fail(message: str) -> None:
    db.session.rollback()
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _fields(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def _set_employer(user, credit_code: str) -> None:
    """The expert's organisation, as an administrator sets it on the account page."""
    org = None
    if credit_code.strip():
        org = accounts.organization_by_code(credit_code)
        if org is None:
            _fail(f"no organisation with credit code {credit_code}")
    accounts.update_user(user, display_name=user.display_name, role=user.role, organization=org, actor=None)


@reviewers_cli.command("set")
@click.option("--email", required=True, help="The expert's account (role reviewer).")
@click.option("--fields", help=f"Fields of expertise, comma-separated: {', '.join(FIELDS)}.")
@click.option("--title", help="Professional title (职称).")
@click.option("--available/--unavailable", default=None, help="Available for reviews (may be drawn).")
@click.option("--employer", metavar="CREDIT_CODE",
              help="Credit code of the expert's organisation; an empty value clears it.")
def reviewers_set(email, fields, title, available, employer):
    """Create or change an expert's profile; options left out keep their value."""
    user = accounts.user_by_email(email)
    if user is None:
        _fail(f"no user with email {email}")
    profile = profiles.profile_of(user)
    try:
        if employer is not None:
            _set_employer(user, employer)
        profile = profiles.save_reviewer_profile(
            user, actor=None,
            fields=_fields(fields) if fields is not None else (profile.fields if profile else []),
            title=title if title is not None else (profile.title if profile else ""),
            available=available if available is not None else (profile.available if profile else True))
        db.session.commit()
    except DomainError as exc:
        _fail(str(exc))
    click.echo(_describe(profile))


@reviewers_cli.command("list")
@click.option("--field", type=click.Choice(FIELDS), help="Only experts in this field.")
@click.option("--available-only", is_flag=True, help="Only experts available for reviews.")
def reviewers_list(field, available_only):
    """The expert pool, one expert a line, by name."""
    query = profiles.reviewer_pool_query(field=field, available_only=available_only)
    for profile in db.session.scalars(query):
        click.echo(_describe(profile))


def _describe(profile) -> str:
    org = profile.organization
    return "\t".join([profile.user.email, profile.user.display_name, profile.title or "-",
                      ",".join(profile.fields), "available" if profile.available else "unavailable",
                      f"{org.name} ({org.credit_code})" if org else "-"])


def register(app: Flask) -> None:
    app.cli.add_command(reviewers_cli)
