"""Accounts inside an organisation: its manager invites members by e-mail, sees and
deactivates them, and hands the manager's part to another member.

A person (by resident ID number) holds at most one account in an organisation;
the accounts' own rules (``grants.auth.services.create_user``) decide the rest.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from grants.auth import services as accounts
from grants.auth.models import Organization, User
from grants.core import audit, clock
from grants.core.errors import Refused, ValidationFailed
from grants.core.permissions import has_role, require
from grants.extensions import db
from grants.registration import links, mail
from grants.registration.models import LinkPurpose, OneTimeLink, OrgManager
from grants.registration.permissions import MANAGERS, member_role


def manager_of(organization: Organization) -> User | None:
    row = db.session.get(OrgManager, organization.id)
    return row.user if row is not None else None


def members_query(organization: Organization):
    return (sa.select(User).where(User.organization_id == organization.id)
            .order_by(User.active.desc(), User.display_name, User.id))


def pending_invitations_query(organization: Organization):
    return (sa.select(OneTimeLink).where(OneTimeLink.organization_id == organization.id,
                                         OneTimeLink.purpose == LinkPurpose.invitation,
                                         OneTimeLink.used_at.is_(None), OneTimeLink.expires_at > clock.now())
            .order_by(OneTimeLink.expires_at))


def invite_member(organization: Organization, email: str, *, actor) -> OneTimeLink:
    """An invitation by e-mail, a one-time link valid for 7 days."""
    require("registration.manage_members", actor, organization)
    email = accounts.normalize_email(email)
    if accounts.user_by_email(email):
        message = _("%(email)s already has an account.", email=email)
        raise ValidationFailed(message, details={"email": message})
    waiting = db.session.scalar(pending_invitations_query(organization).where(OneTimeLink.email == email))
    if waiting is not None:
        message = _("%(email)s has already been invited; the invitation is valid until %(at)s.",
                    email=email, at=clock.to_local(waiting.expires_at).strftime("%Y-%m-%d %H:%M"))
        raise ValidationFailed(message, details={"email": message})
    link, secret = links.new_link(LinkPurpose.invitation, email, actor=actor, organization_id=organization.id)
    audit.record(organization, "invite", actor=actor, evidence={"email": email})
    mail.send_email(email, _("Invitation to join %(org)s", org=organization.name),
                    _("%(who)s invites you to open an account of %(org)s. Follow this link within 7 days:\n"
                      "%(url)s", who=actor.display_name, org=organization.name, url=links.link_url(link, secret)))
    return link


def invitation(secret: str) -> OneTimeLink:
    """The live invitation of ``secret``, or the refusal in words."""
    link = links.find_link(secret, LinkPurpose.invitation)
    if not link.organization.active:
        raise Refused(_("%(org)s is deactivated; it takes no new members.", org=link.organization.name))
    return link


def accept_invitation(secret: str, *, name: str, password: str, id_number: str | None = None) -> User:
    """The invited person opens their account; following the link confirmed the address."""
    link = invitation(secret)
    organization = link.organization
    number = (id_number or "").strip() or None
    if number:
        number = accounts.check_id_number(number)
        person = accounts.person_by_id_number(number)
        if person is not None:
            holder = db.session.scalar(sa.select(User).where(User.person_id == person.id))
            if holder is not None and holder.organization_id == organization.id:
                message = _("This person already has an account in %(org)s (%(email)s).",
                            org=organization.name, email=holder.email)
                raise ValidationFailed(message, details={"id_number": message})
    # Spent first: a second request with the same link waits for this one and is refused.
    links.use_link(link)
    user = accounts.create_user(email=link.email, display_name=name, password=password,
                                role=member_role(organization.kind), organization=organization, id_number=number)
    link.user_id = user.id
    audit.record(organization, "join", actor=user, evidence={"email": user.email})
    return user


def _member(organization: Organization, user: User) -> User:
    if user.organization_id != organization.id:
        raise Refused(_("%(name)s is not a member of %(org)s.", name=user.display_name, org=organization.name))
    return user


def deactivate_member(organization: Organization, member: User, *, actor) -> User:
    require("registration.manage_members", actor, organization)
    _member(organization, member)
    if member.id == actor.id:
        raise Refused(_("The manager cannot deactivate their own account; hand the manager's part to "
                        "another member first."))
    if not member.active:
        raise Refused(_("%(name)s is already deactivated.", name=member.display_name))
    member.active = False
    db.session.flush()
    audit.record(member, "deactivate", actor=actor)
    return member


def hand_over(organization: Organization, member: User, *, actor) -> User:
    """The manager's part goes to ``member``, an active member of the organisation."""
    require("registration.manage_members", actor, organization)
    _member(organization, member)
    if member.id == actor.id:
        raise Refused(_("You already manage the accounts of %(org)s.", org=organization.name))
    if not member.active:
        raise Refused(_("%(name)s is deactivated and cannot manage the accounts.", name=member.display_name))
    row = db.session.get(OrgManager, organization.id)
    row.user = member
    db.session.flush()
    audit.record(organization, "hand_over_manager", actor=actor,
                 evidence={"from": actor.email, "to": member.email})
    return member



def appoint_manager(organization: Organization, member: User, *, actor) -> User:
    """The administrator names ``member`` the manager of the organisation's accounts: for an
    organisation registered by the administrator (which has none yet) or whose manager left.
    ``actor`` None: an operator's ``flask orgs set-manager``."""
    if actor is not None:
        require("registration.appoint_manager", actor, organization)
    _member(organization, member)
    if not member.active:
        raise Refused(_("%(name)s is deactivated and cannot manage the accounts.", name=member.display_name))
    if not has_role(member, MANAGERS):
        raise Refused(_("%(name)s's account cannot manage an organisation's accounts.", name=member.display_name))
    row = db.session.get(OrgManager, organization.id)
    before = row.user.email if row is not None else None
    if row is not None and row.user_id == member.id:
        raise Refused(_("%(name)s already manages the accounts of %(org)s.",
                        name=member.display_name, org=organization.name))
    if row is None:
        row = OrgManager(organization_id=organization.id, user_id=member.id)
        db.session.add(row)
    else:
        row.user = member
    db.session.flush()
    audit.record(organization, "appoint_manager", actor=actor, evidence={"from": before, "to": member.email})
    return member
