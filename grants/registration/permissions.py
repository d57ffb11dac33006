"""Who may do what in self-service registration: ``can_<verb>(user, obj=None) -> reason | None``.

Anyone may register an organisation or apply to the expert pool (the public
forms); the bureau decides them (the transitions' roles are in
``grants/registration/workflow.py``) and reads their files. An organisation's
manager (``OrgManager``: one member account per organisation) invites,
deactivates and hands over; an approved expert keeps their own record.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from grants.auth.models import OrgKind
from grants.core.permissions import (ADMINISTRATION_ONLY, BUREAU_ONLY, SIGN_IN_FIRST, Role, has_role, only,
                                    permission, signed_in)
from grants.extensions import db

DECIDERS = Role.BUREAU
MANAGERS = Role.ORGANISATION_MANAGERS
MANAGER_ONLY = _l("Only the manager of the organisation's accounts may do this.")


def member_role(kind) -> Role:
    """The role of an organisation's accounts: an enterprise posts challenges, any
    other organisation (university, institute, other) bids."""
    return Role.enterprise if OrgKind(kind) == OrgKind.enterprise else Role.applicant


def is_manager(user, organization) -> bool:
    from grants.registration.models import OrgManager

    if not has_role(user, MANAGERS) or organization is None or user.organization_id != organization.id:
        return False
    return db.session.scalar(sa.select(OrgManager.user_id).where(
        OrgManager.organization_id == organization.id)) == user.id


@permission("registration.decide")
def can_decide(user, obj=None):
    """The waiting registrations and expert applications, their files, approving and rejecting."""
    return only(DECIDERS, BUREAU_ONLY)(user)


@permission("registration.manage_members")
def can_manage_members(user, organization=None):
    """Inviting, listing and deactivating an organisation's accounts, handing over the
    manager's part: its manager."""
    if not signed_in(user):
        return SIGN_IN_FIRST
    return None if is_manager(user, organization) else MANAGER_ONLY


@permission("registration.appoint_manager")
def can_appoint_manager(user, organization=None):
    """Naming the manager of an organisation's accounts (one the administrator registered,
    or whose manager has left): the administrator."""
    return only(Role.ADMINISTRATION, ADMINISTRATION_ONLY)(user)


@permission("registration.keep_expert_record")
def can_keep_expert_record(user, application):
    """An approved expert's employer, experience, title and fields: the expert themself."""
    if not signed_in(user):
        return SIGN_IN_FIRST
    if has_role(user, Role.EXPERTS) and application.user_id is not None and application.user_id == user.id:
        return None
    return _l("Only the expert may change their own expert profile.")
