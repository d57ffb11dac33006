"""Who may do what with certificates: ``can_<verb>(user, obj=None) -> reason | None``.

The bureau issues and revokes; the bureau and the project's parties (the
team's organisation, the enterprise that posted the challenge) see a
certificate and download its PDF; verification is public and needs no entry.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.core.permissions import Role, has_role, permission, signed_in

# Who has a certificates page: the bureau, and organisation members for their own projects.
CERTIFICATE_READERS = Role.BUREAU | Role.ORGANISATION_MEMBERS


def _not_signed_in(user):
    return None if signed_in(user) else _l("Sign in first.")


@permission("certificates.issue")
def can_issue(user, project=None):
    if not has_role(user, Role.BUREAU):
        return _l("Only the bureau's programme officers issue acceptance certificates.")
    return None


@permission("certificates.revoke")
def can_revoke(user, certificate=None):
    if not has_role(user, Role.BUREAU):
        return _l("Only the bureau's programme officers revoke acceptance certificates.")
    return None


@permission("certificates.list")
def can_list(user):
    """The list page: the bureau and organisation members (their own projects')."""
    if not has_role(user, CERTIFICATE_READERS):
        return _not_signed_in(user) or _l("Your account has no certificates to see.")
    return None


@permission("certificates.view")
def can_view(user, certificate):
    """The certificate's data and its PDF: whoever may see the project."""
    from grants.projects.services import can_view as can_view_project

    if not can_view_project(user, certificate.project):
        return _not_signed_in(user) or _l("This certificate belongs to another project.")
    return None
