"""Who may do what with bids (揭榜申报), and how much of a bid each one sees.

DESIGN.md: a research team (an applicant account) drafts, submits and
withdraws its organisation's bid; a partner organisation's members see what
they are asked to join and confirm it; the challenge's enterprise sees the
bids' titles and organisations once bidding has closed; the bureau
(programme officers) sees every bid, its integrity check, and decides its
eligibility. The administrator has no part in the workflow.

The transitions' role sets are in ``grants/bids/workflow.py`` (as Role
groups); the object-level part (``allow=``) is here. Each predicate answers
``None`` (allowed) or the reason, in words, why not.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.bids.models import UNLISTED_STATES, BidState
from grants.challenges.models import ChallengeState
from grants.core.permissions import BUREAU_ONLY, Role, has_role, only, permission

NOT_VISIBLE = _l("There is no such record, or it is not visible to you.")
TEAM_ONLY = _l("Only the bidding organisation may do this.")

# The menus and dashboard panels (``add_nav`` / ``add_panel`` take role sets).
TEAMS = Role.BIDDERS
PARTNERS = Role.ORGANISATION_MEMBERS  # any organisation may be named a partner

# Challenge states in which its owner does not yet see who bid.
HIDDEN_FROM_OWNER = (ChallengeState.draft, ChallengeState.submitted, ChallengeState.published,
                     ChallengeState.withdrawn)


def is_team(user, bid) -> bool:
    return has_role(user, Role.BIDDERS) and user.organization_id == bid.organization_id


def partner_of(user, bid):
    """The bid's partner entry for the user's organisation, or None."""
    if not has_role(user, PARTNERS) or user.organization_id is None:
        return None
    return next((p for p in bid.partners if p.organization_id == user.organization_id), None)


def owner_sees_bids(user, challenge) -> bool:
    """The owner enterprise sees titles and organisations once bidding has closed."""
    return (has_role(user, Role.CHALLENGE_OWNERS) and user.organization_id == challenge.owner_org_id
            and challenge.state not in HIDDEN_FROM_OWNER)


def view_of(user, bid) -> str | None:
    """How much of a bid ``user`` sees: "full" (the team, the bureau), "partner" (a partner
    organisation's user), "owner" (the challenge's enterprise after closing: title and
    organisation), or None: for them it does not exist."""
    if has_role(user, Role.BUREAU) or is_team(user, bid):
        return "full"
    if partner_of(user, bid) is not None:
        return "partner"
    if owner_sees_bids(user, bid.challenge) and bid.state not in UNLISTED_STATES:
        return "owner"
    return None


@permission("bids.create")
def can_create(user, challenge=None):
    """Starting a bid: a research team account with its organisation (whether the
    challenge is open and the organisation has no live bid yet: the service)."""
    if has_role(user, Role.BIDDERS) and user.organization_id is not None:
        return None
    return _l("Only a research team account submits bids.")


@permission("bids.see")
def can_see(user, bid):
    """Seeing a bid at all (how much: :func:`view_of`)."""
    return None if view_of(user, bid) is not None else NOT_VISIBLE


@permission("bids.see_full")
def can_see_full(user, bid):
    """The whole bid, its history and its attachments: the team and the bureau."""
    return None if view_of(user, bid) == "full" else NOT_VISIBLE


@permission("bids.edit")
def can_edit(user, bid):
    """Changing a draft and adding its attachments: the team (only a draft: the service)."""
    return None if is_team(user, bid) else TEAM_ONLY


@permission("bids.confirm_partner")
def can_confirm_partner(user, bid):
    if partner_of(user, bid) is not None:
        return None
    return _l("Only a member of the partner organisation may confirm its participation.")


@permission("bids.check_eligibility")
def can_check_eligibility(user, challenge=None):
    """The eligibility check (形式审查) page, and each bid's integrity findings: the bureau."""
    return only(Role.BUREAU, BUREAU_ONLY)(user)


@permission("bids.list_own")
def can_list_own(user, obj=None):
    """"My bids": a research team account."""
    return only(Role.BIDDERS, _l("Only a research team account submits bids."))(user)


# the object-level part of transitions (``allow=`` in the workflow) ----------------------

def team_only(attempt):
    actor = attempt.actor
    if actor is None or actor.organization_id != attempt.obj.organization_id:
        return TEAM_ONLY
    return None


def may_start(user, challenge, bids) -> bool:
    """Whether the challenge's page offers ``user`` to start a bid."""
    return (can_create(user) is None and challenge.bidding_open()
            and not any(b.state != BidState.withdrawn for b in bids))

