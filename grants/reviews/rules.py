"""Guards, permissions and effects of the review and award transitions."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from grants.bids import rules as bid_rules
from grants.bids.models import Bid, BidState
from grants.challenges.models import ChallengeState
from grants.core import clock
from grants.core.workflow import fire
from grants.extensions import db
from grants.reviews.models import (PENDING_ASSIGNMENT_STATES, AssignmentState, AwardNotice, Objection,
                                   ObjectionState, ReviewAssignment, ReviewState)

# Bid states of a challenge that went to review.
REVIEWED_BID_STATES = (BidState.under_review, BidState.recommended, BidState.not_recommended, BidState.awarded)


def _local(moment) -> str:
    return clock.to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def bids_in(challenge, *states) -> list[Bid]:
    return db.session.scalars(sa.select(Bid).where(Bid.challenge_id == challenge.id, Bid.state.in_(states))
                              .order_by(Bid.id)).all()


def notice_of(challenge) -> AwardNotice | None:
    return db.session.scalar(sa.select(AwardNotice).where(AwardNotice.challenge_id == challenge.id))


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


def winners_valid(attempt):
    from grants.reviews.tables import officer_table

    challenge = attempt.obj
    ids = [int(i) for i in (attempt.data.get("winners") or [])]
    if not ids:
        return _l("Choose at least one winning bid.")
    if len(set(ids)) > challenge.max_winners:
        return _l("This challenge may have at most %(n)s winner(s); %(chosen)s were chosen.",
                  n=challenge.max_winners, chosen=len(set(ids)))
    table = officer_table(challenge)
    by_id = {row.bid.id: row for row in table.rows}
    winners = []
    for bid_id in dict.fromkeys(ids):
        row = by_id.get(bid_id)
        if row is None or row.bid.state != BidState.under_review:
            return _l("Bid %(id)s is not under review in this challenge.", id=bid_id)
        if row.result.score is None or row.result.score < challenge.pass_mark:
            return _l("“%(title)s” scored %(score)s, below the pass mark of %(mark)s, and cannot win.",
                      title=row.bid.title, score=row.result.score if row.result.score is not None else "—",
                      mark=challenge.pass_mark)
        winners.append(row.bid)
    attempt.data["winner_bids"] = winners
    attempt.evidence["winners"] = [{"bid_id": row.bid.id, "score": str(row.result.score), "rank": row.result.rank}
                                   for row in table.rows if row.bid in winners]
    return None


def winner_subjects(attempt):
    for bid in attempt.data.get("winner_bids", ()):
        yield from bid_rules.subjects(bid)


winner_subjects.__name__ = "winners"


def recommend_winners(attempt):
    for bid in attempt.data["winner_bids"]:
        fire(bid, "recommend", attempt.actor)


def open_notice(attempt):
    challenge = attempt.obj
    notice = notice_of(challenge)
    ends = attempt.now + timedelta(days=challenge.notice_days)
    if notice is None:
        notice = AwardNotice(challenge_id=challenge.id, round=1, notice_starts_at=attempt.now,
                             notice_ends_at=ends)
        db.session.add(notice)
    else:
        notice.round += 1
        notice.notice_starts_at, notice.notice_ends_at = attempt.now, ends
    notice.proposed_by_id = getattr(attempt.actor, "id", None)
    attempt.evidence["notice"] = {"round": notice.round, "ends_at": ends.isoformat()}


# challenge: reopen_review / confirm_award ------------------------------------------------

def recommended_subjects(attempt):
    for bid in bids_in(attempt.obj, BidState.recommended):
        yield from bid_rules.subjects(bid)


recommended_subjects.__name__ = "recommended"


def objection_upheld(attempt):
    """Reopen when an objection to this notice was upheld, or when a recommended
    winner has been black-listed since the proposal (the award cannot be confirmed)."""
    notice = notice_of(attempt.obj)
    upheld = notice is not None and db.session.scalar(sa.select(sa.func.count(Objection.id)).where(
        Objection.challenge_id == attempt.obj.id, Objection.notice_round == notice.round,
        Objection.state == ObjectionState.upheld))
    if upheld:
        return None
    from grants.integrity.check import check

    found = check(list(recommended_subjects(attempt)), on=clock.to_local(attempt.now).date())
    if found.blocked:
        attempt.evidence["integrity"] = found.evidence()
        return None
    return _l("The review is reopened only when an objection to this notice is upheld "
              "or a recommended winner has been black-listed.")


def bids_back_under_review(attempt):
    for bid in bids_in(attempt.obj, BidState.recommended):
        fire(bid, "reopen_review", attempt.actor)


def notice_over(attempt):
    notice = notice_of(attempt.obj)
    if notice is None or attempt.now < notice.notice_ends_at:
        return _l("The public notice runs until %(end)s; the award can only be confirmed after it ends.",
                  end=_local(notice.notice_ends_at if notice else None))
    return None


def open_objections(challenge) -> int:
    return db.session.scalar(sa.select(sa.func.count(Objection.id)).where(
        Objection.challenge_id == challenge.id, Objection.state == ObjectionState.open))


def no_open_objection(attempt):
    n = open_objections(attempt.obj)
    if n:
        return _l("%(n)s objection(s) to the award are still open; answer them first.", n=n)
    return None


def award_winners(attempt):
    from grants.projects.services import create_project

    for bid in bids_in(attempt.obj, BidState.recommended):
        fire(bid, "award", attempt.actor)
        create_project(bid, actor=attempt.actor)
    for bid in bids_in(attempt.obj, BidState.under_review):
        fire(bid, "not_recommend", attempt.actor)


# challenge: declare_failed ---------------------------------------------------------------

def nobody_can_win(attempt):
    from grants.reviews.tables import officer_table

    challenge = attempt.obj
    if challenge.state == ChallengeState.closed:
        if bids_in(challenge, BidState.eligible):
            return _l("There are eligible bids: start the expert review instead.")
        return None
    if not bids_in(challenge, BidState.under_review):
        return None
    incomplete = incomplete_reason(challenge)
    if incomplete:
        return incomplete
    passing = [row for row in officer_table(challenge).rows
               if row.result.score is not None and row.result.score >= challenge.pass_mark]
    if passing:
        return _l("%(n)s bid(s) reach the pass mark of %(mark)s; the challenge has not failed.",
                  n=len(passing), mark=challenge.pass_mark)
    return None


def bids_not_recommended(attempt):
    for bid in bids_in(attempt.obj, BidState.under_review):
        fire(bid, "not_recommend", attempt.actor)


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


# objection ------------------------------------------------------------------------------

def objection_during_notice(attempt):
    if attempt.obj.challenge.state != ChallengeState.notice:
        return _l("The award is no longer under public notice.")
    return None


def keep_answer(attempt):
    objection = attempt.obj
    objection.answer = attempt.comment
    objection.answered_by_id = getattr(attempt.actor, "id", None)
    objection.answered_at = attempt.now


def reopen_challenge_review(attempt):
    """An upheld objection sends the challenge back to expert review, whoever fires it
    (the page, the API's objection endpoints or its transitions)."""
    objection = attempt.obj
    fire(objection.challenge, "reopen_review", attempt.actor,
         comment=str(_l("Objection %(id)s upheld: %(answer)s", id=objection.id, answer=attempt.comment)))
