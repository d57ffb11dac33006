"""Who may do what with challenges (榜单).

DESIGN.md: an enterprise drafts, submits and (before publication) withdraws
its own challenges; the bureau (programme officers) returns, publishes,
closes and withdraws them and sets the co-funding ratio; the public sees the
board. The administrator has no part in the workflow.

The transitions' role sets are in ``grants/challenges/workflow.py`` (as Role
groups); the object-level part of a transition (``allow=``) is here. Each
predicate answers ``None`` (allowed) or the reason, in words, why not.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.challenges.models import ChallengeState
from grants.core.permissions import BUREAU_ONLY, SIGN_IN_FIRST, Role, has_role, only, permission, signed_in

NOT_VISIBLE = _l("There is no such record, or it is not visible to you.")
OWNER_ONLY = _l("Only the enterprise that posted the challenge may do this.")

# The menus and dashboard panels (``add_nav`` / ``add_panel`` take role sets).
POSTERS = Role.CHALLENGE_OWNERS
MANAGERS = Role.CHALLENGE_OWNERS | Role.BUREAU


def is_owner(user, challenge) -> bool:
    """A user of the enterprise that posted the challenge."""
    return (has_role(user, Role.CHALLENGE_OWNERS) and user.organization_id is not None
            and user.organization_id == challenge.owner_org_id)


@permission("challenges.create")
def can_create(user, obj=None):
    """Posting a challenge: an enterprise account, for its own organisation."""
    if has_role(user, Role.CHALLENGE_OWNERS) and user.organization_id is not None:
        return None
    return _l("Only an enterprise account posts challenges, for its own organisation.")


@permission("challenges.see")
def can_see(user, challenge):
    """The public sees a challenge once published; its owner and the bureau always."""
    if challenge.is_public or has_role(user, Role.BUREAU) or is_owner(user, challenge):
        return None
    return NOT_VISIBLE


@permission("challenges.see_history")
def can_see_history(user, challenge):
    """The audit trail of a challenge: its owner and the bureau."""
    if has_role(user, Role.BUREAU) or is_owner(user, challenge):
        return None
    return SIGN_IN_FIRST if not signed_in(user) else NOT_VISIBLE


@permission("challenges.oversee")
def can_oversee(user, obj=None):
    """The bureau sees every challenge in every state, and acts on published ones."""
    return only(Role.BUREAU, BUREAU_ONLY)(user)


@permission("challenges.manage")
def can_manage(user, obj=None):
    """The challenges' list for work (and the page's action buttons): enterprises, their
    own; the bureau, all."""
    return only(MANAGERS, _l("Your account may not open this page."))(user)


@permission("challenges.edit")
def can_edit(user, challenge):
    """Changing a draft and adding its attachments: the owner (only a draft: the service)."""
    return None if is_owner(user, challenge) else OWNER_ONLY


@permission("challenges.set_cofunding_ratio")
def can_set_cofunding_ratio(user, challenge=None):
    return only(Role.BUREAU, _l("Only the bureau sets the co-funding ratio."))(user)


# the object-level part of transitions (``allow=`` in the workflow) ----------------------

def owner_only(attempt):
    return None if is_owner(attempt.actor, attempt.obj) else OWNER_ONLY


def may_withdraw(attempt):
    actor = attempt.actor
    if actor is None:
        return _l("Only people withdraw challenges.")
    if has_role(actor, Role.CHALLENGE_OWNERS):
        if actor.organization_id != attempt.obj.owner_org_id:
            return OWNER_ONLY
        if attempt.obj.state == ChallengeState.published:
            return _l("A published challenge can only be withdrawn by the bureau.")
    elif attempt.obj.state in (ChallengeState.draft, ChallengeState.submitted):
        # Before publishing the challenge is the enterprise's own to withdraw;
        # the bureau returns a submitted one for revision instead. Once bidding has
        # closed nobody may withdraw it: the state refuses (409), not the role.
        return _l("Before publishing, only the enterprise that posted the challenge may withdraw it.")
    return None
