"""Guards, permissions and effects of the expert-review transitions (the award's
are in grants.awards.rules)."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from grants.bids.models import Bid, BidState
from grants.challenges.models import ChallengeState
from grants.core.workflow import fire
from grants.extensions import db
from grants.reviews.models import PENDING_ASSIGNMENT_STATES, AssignmentState, ReviewAssignment, ReviewState

# Bid states of a challenge that went to review.
REVIEWED_BID_STATES = (BidState.under_review, BidState.recommended, BidState.not_recommended, BidState.awarded)


def bids_in(challenge, *states) -> list[Bid]:
    return db.session.scalars(sa.select(Bid).where(Bid.challenge_id == challenge.id, Bid.state.in_(states))
                              .order_by(Bid.id)).all()


# challenge: start_review ------------------------------------------------------------

def has_eligible_bid(attempt):
    if not bids_in(attempt.obj, BidState.eligible):
        return _l("No bid has passed the eligibility check, so there is nothing to review.")
    return None


def no_bid_awaiting_check(attempt):
    """Every submitted bid gets its eligibility decision before the challenge moves on,
    or it would be left without one for good."""
    waiting = bids_in(attempt.obj, BidState.submitted)
    if waiting:
        return _l("%(n)s bid(s) still await the eligibility check: accept or reject them first.",
                  n=len(waiting))
    return None


def bids_under_review(attempt):
    for bid in bids_in(attempt.obj, BidState.eligible):
        fire(bid, "start_review", attempt.actor)


# challenge: propose_award -------------------------------------------------------------

def unfinished_assignments(challenge) -> list[ReviewAssignment]:
    return db.session.scalars(sa.select(ReviewAssignment).where(
        ReviewAssignment.challenge_id == challenge.id,
        ReviewAssignment.state.in_(PENDING_ASSIGNMENT_STATES)).order_by(ReviewAssignment.id)).all()


def incomplete_reason(challenge):
    """Why the review of ``challenge`` is not complete yet, or None when it is."""
    unfinished = unfinished_assignments(challenge)
    if unfinished:
        return _l("The review is not complete: %(names)s have not submitted all their reviews.",
                  names=", ".join(a.reviewer.display_name for a in unfinished))
    submitted = db.session.scalar(sa.select(sa.func.count(ReviewAssignment.id)).where(
        ReviewAssignment.challenge_id == challenge.id, ReviewAssignment.state == AssignmentState.submitted))
    if not submitted:
        return _l("No reviewer has submitted reviews yet.")
    return None


def reviews_complete(attempt):
    return incomplete_reason(attempt.obj)


# review assignment ----------------------------------------------------------------------

def own_assignment(attempt):
    if attempt.actor is None or attempt.actor.id != attempt.obj.reviewer_id:
        return _l("This review assignment is not yours.")
    return None


def challenge_reviewing(attempt):
    if attempt.obj.challenge.state != ChallengeState.reviewing:
        return _l("The challenge is not under expert review.")
    return None


def no_conflict_declared(attempt):
    if not attempt.data.get("no_conflict"):
        return _l("Declare that you have no conflict of interest with any bid before accepting.")
    return None


def stamp_declared(attempt):
    if attempt.obj.declared_at is None:
        attempt.obj.declared_at = attempt.now


def keep_recusal_reason(attempt):
    attempt.obj.recusal_reason = attempt.comment
    if attempt.data.get("entry_id"):
        attempt.obj.withdrawn_entry_id = attempt.data["entry_id"]


def every_bid_reviewed(attempt):
    assignment = attempt.obj
    bids = {b.id for b in bids_in(assignment.challenge, BidState.under_review)}
    done = {r.bid_id for r in assignment.reviews if r.state == ReviewState.submitted}
    if bids - done:
        return _l("%(n)s bid(s) still need your review.", n=len(bids - done))
    return None


def stamp_submitted(attempt):
    attempt.obj.submitted_at = attempt.now


# review ---------------------------------------------------------------------------------

def own_review(attempt):
    if attempt.actor is None or attempt.actor.id != attempt.obj.assignment.reviewer_id:
        return _l("This review is not yours.")
    return None


def review_open(attempt):
    assignment = attempt.obj.assignment
    if assignment.state != AssignmentState.accepted:
        return _l("Accept the assignment (declaring no conflict of interest) before submitting reviews.")
    if assignment.challenge.state != ChallengeState.reviewing:
        return _l("The challenge is not under expert review.")
    return None


def review_complete(attempt):
    review = attempt.obj
    rubric = review.assignment.challenge.rubric
    missing = [c.name for c in rubric if review.score_for(c.id) is None]
    if missing:
        return _l("Score every criterion before submitting; missing: %(names)s.", names=", ".join(missing))
    uncommented = [c.name for c in rubric if not (review.score_for(c.id).comment or "").strip()]
    if uncommented:
        return _l("Comment on every criterion before submitting; missing: %(names)s.",
                  names=", ".join(uncommented))
    if review.opinion is None:
        return _l("Give your overall opinion (recommend or not) before submitting.")
    return None


def review_challenge_reviewing(attempt):
    if attempt.obj.assignment.challenge.state != ChallengeState.reviewing:
        return _l("Reviews can only be reopened while the challenge is under expert review.")
    return None


def reopen_assignment(attempt):
    assignment = attempt.obj.assignment
    if assignment.state == AssignmentState.submitted:
        fire(assignment, "reopen", attempt.actor, comment=attempt.comment)
