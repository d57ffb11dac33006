"""Who may do what with accounts and organisations (the admin pages, the
organisations API, the account services).

DESIGN.md: the system administrator keeps accounts, organisations and
settings. Programme officers read organisations (they check who bids and who
is listed) but do not change them. Each predicate answers ``None`` (allowed)
or the reason, in words, why not; the services enforce them, the admin pages
and the API ask.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.core.permissions import (ADMINISTRATION_ONLY, Role, has_role, only, permission,
                                     signed_in)

ORGANISATION_READERS = Role.ADMINISTRATION | Role.BUREAU

_administration = only(Role.ADMINISTRATION, ADMINISTRATION_ONLY)


@permission("auth.manage_users")
def can_manage_users(user, account=None):
    """Listing, creating, changing and (de)activating accounts: the administrator."""
    return _administration(user)


@permission("auth.view_organisations")
def can_view_organisations(user, organisation=None):
    """The organisations' list and pages: the administrator and the bureau."""
    return only(ORGANISATION_READERS, ADMINISTRATION_ONLY)(user)


@permission("auth.manage_organisations")
def can_manage_organisations(user, organisation=None):
    """Registering, renaming and (de)activating organisations: the administrator."""
    return _administration(user)


@permission("auth.see_id_number")
def can_see_id_number(user, person):
    """A resident ID number in full: the bureau, the administrator and the person
    themself; everyone else sees it masked (``Person.id_for``)."""
    if signed_in(user) and (has_role(user, ORGANISATION_READERS) or user.person_id == person.id):
        return None
    return _l("Only the bureau and the person themself see the full ID number.")
