"""The bid (揭榜申报) lifecycle.

This area declares submit, withdraw, accept and reject (the eligibility
check). Expert review adds start_review, recommend and the rest with
:func:`add_bid_transitions`, which rebuilds the shared
:data:`BID_WORKFLOW` in place.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants.bids import permissions, rules
from grants.bids.models import Bid, BidState
from grants.challenges.workflow import add_challenge_effects
from grants.core.permissions import SYSTEM, Role
from grants.core.workflow import Transition, Workflow, fire, transition
from grants.extensions import db
from grants.integrity.check import integrity_guard

S = BidState

BID_STATES = {
    S.draft.value: _l("draft"),
    S.submitted.value: _l("submitted"),
    S.eligible.value: _l("eligible"),
    S.ineligible.value: _l("ineligible"),
    S.under_review.value: _l("under review"),
    S.recommended.value: _l("recommended"),
    S.not_recommended.value: _l("not recommended"),
    S.awarded.value: _l("awarded"),
    S.withdrawn.value: _l("withdrawn"),
}


def parties(attempt):
    return rules.subjects(attempt.obj)


BID_TRANSITIONS: list[Transition] = [
    transition("submit", S.draft, S.submitted, roles=Role.BIDDERS, label=_l("Submit the bid"),
               allow=permissions.team_only,
               guards=[rules.challenge_open, rules.one_live_bid, rules.complete, rules.budget_rules,
                       rules.partners_rule, rules.cofunding_rule, rules.declaration_rule,
                       integrity_guard(parties, _l("submit a bid"))],
               effects=[rules.stamp_submitted]),
    transition("withdraw", (S.draft, S.submitted), S.withdrawn, roles=Role.BIDDERS,
               label=_l("Withdraw the bid"), allow=permissions.team_only, guards=[rules.before_deadline],
               style="danger"),
    transition("accept", S.submitted, S.eligible, roles=Role.BUREAU, label=_l("Eligible"),
               guards=[rules.challenge_closed, integrity_guard(parties, _l("pass the eligibility check"))],
               style="success"),
    transition("reject", S.submitted, S.ineligible, roles=Role.BUREAU, label=_l("Ineligible"),
               guards=[rules.challenge_closed], effects=[rules.keep_reason], comment_required=True,
               style="danger"),
    # Not in the design's list: fired only by the challenge's withdrawal.
    transition("close_with_challenge", (S.draft, S.submitted), S.withdrawn, roles={SYSTEM},
               label=_l("Closed with the withdrawn challenge")),
]

BID_WORKFLOW = Workflow("bid", BID_STATES, S.draft.value, BID_TRANSITIONS)
Bid.__workflow__ = BID_WORKFLOW


def close_bids_with_challenge(attempt) -> None:
    """A withdrawn challenge takes its unfinished bids with it, so none waits for ever."""
    bids = db.session.scalars(sa.select(Bid).where(Bid.challenge_id == attempt.obj.id,
                                                   Bid.state.in_((S.draft, S.submitted)))
                              .order_by(Bid.id)).all()
    for bid in bids:
        fire(bid, "close_with_challenge", None,
             comment=_("The challenge was withdrawn: %(reason)s", reason=attempt.comment or "—"))


def add_bid_transitions(*transitions: Transition) -> None:
    """Add transitions (start_review, recommend ...) to the shared workflow."""
    BID_WORKFLOW.extend(*transitions)


add_challenge_effects("withdraw", close_bids_with_challenge)
