"""Who may do what in the expert review (专家评审): ``can_<verb>(user, obj=None) -> reason | None``.

DESIGN.md: the bureau (programme officers) keeps the expert pool, forms the
panel (by hand or by the random draw), reads the ranking and reopens a
submitted review; an expert keeps their own profile, accepts or recuses
themself, and scores the bids of the assignments they accepted. The
administrator has no part in the review.

The transitions' role sets are in ``grants/reviews/workflow.py`` (as Role
groups). Each predicate answers ``None`` (allowed) or the reason, in words, why not.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.core.permissions import BUREAU_ONLY, Role, has_role, only, permission, signed_in

NOT_VISIBLE = _l("There is no such record, or it is not visible to you.")
EXPERTS_ONLY = _l("Only an expert reviewer account may do this.")

# The menus and dashboard panels (``add_nav`` / ``add_panel`` take role sets).
POOL_KEEPERS = Role.BUREAU
PANEL_KEEPERS = Role.BUREAU
EXPERTS = Role.EXPERTS


def is_expert(user) -> bool:
    return has_role(user, Role.EXPERTS)


@permission("reviews.see_pool")
def can_see_pool(user, obj=None):
    """The expert pool (its page and the API's list): the bureau."""
    return only(POOL_KEEPERS, BUREAU_ONLY)(user)


@permission("reviews.keep_profile")
def can_keep_profile(user, obj=None):
    """Keeping one's own expert profile: an expert reviewer account."""
    return only(EXPERTS, EXPERTS_ONLY)(user)


@permission("reviews.see_profile")
def can_see_profile(user, profile):
    """One expert's profile: the bureau, or the expert themself."""
    if has_role(user, POOL_KEEPERS) or (signed_in(user) and user.id == profile.user_id):
        return None
    return NOT_VISIBLE


@permission("reviews.run_panel")
def can_run_panel(user, challenge=None):
    """The review stage of a challenge: its panel, the draw, the ranking, reopening a review."""
    return only(PANEL_KEEPERS, BUREAU_ONLY)(user)


@permission("reviews.score")
def can_score(user, obj=None):
    """"My reviews": declaring a conflict and scoring (one's own assignments: the service)."""
    return only(EXPERTS, EXPERTS_ONLY)(user)


@permission("reviews.list_assignments")
def can_list_assignments(user, obj=None):
    """Assignments: the bureau sees every one, an expert their own."""
    return only(PANEL_KEEPERS | EXPERTS, _l("Only the bureau and expert reviewers see review assignments."))(user)


@permission("reviews.see_assignment")
def can_see_assignment(user, assignment):
    """One assignment: the bureau, or the expert it was given to."""
    if has_role(user, PANEL_KEEPERS) or (is_expert(user) and user.id == assignment.reviewer_id):
        return None
    return NOT_VISIBLE


def sees_every_assignment(user) -> bool:
    return has_role(user, PANEL_KEEPERS)
