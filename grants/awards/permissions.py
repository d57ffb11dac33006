"""Who may do what with an award (授予): ``can_<verb>(user, obj=None) -> reason | None``.

DESIGN.md: the bureau (programme officers) proposes the award from the
ranking, answers objections to it (uphold: the review reopens; dismiss) and
declares a challenge failed; the public notice is open to everyone, and any
signed-in user may object to it while it runs and sees their own objections.
The administrator has no part in the award.

The transitions' role sets are in ``grants/awards/workflow.py`` (as Role
groups). Each predicate answers ``None`` (allowed) or the reason, in words, why not.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.core.permissions import BUREAU_ONLY, SIGN_IN_FIRST, Role, has_role, only, permission, signed_in

NOT_VISIBLE = _l("There is no such record, or it is not visible to you.")

# The menus and dashboard panels (``add_nav`` / ``add_panel`` take role sets).
AWARD_KEEPERS = Role.BUREAU
OBJECTION_KEEPERS = Role.BUREAU  # the dashboard's panel of open objections (integrity and award)


@permission("awards.propose")
def can_propose(user, challenge=None):
    """Proposing the award and seeing every objection to it: the bureau."""
    return only(AWARD_KEEPERS, BUREAU_ONLY)(user)


@permission("awards.answer_objection")
def can_answer_objection(user, objection=None):
    """Upholding or dismissing an objection to a proposed award: the bureau."""
    return only(OBJECTION_KEEPERS, BUREAU_ONLY)(user)


@permission("awards.object")
def can_object(user, challenge=None):
    """Objecting to a proposed award: anyone signed in (while the notice runs: the service)."""
    return None if signed_in(user) else SIGN_IN_FIRST


@permission("awards.see_objection")
def can_see_objection(user, objection):
    """One objection: the bureau, or the person who filed it."""
    if has_role(user, OBJECTION_KEEPERS) or (signed_in(user) and objection.filed_by_id == user.id):
        return None
    return NOT_VISIBLE
