"""``/api/v1/reviews``: expert review (the award's endpoints under the same prefix
are in grants.awards.api).

Reviewers see their own assignments (officers see all), declare a conflict
of interest or its absence, and score the bids they were given, shown as on
the page (a blind challenge's bids carry no names). Officers assign or draw
the panel and read the ranking.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from grants.api.auth import caller, require_permission, require_user
from grants.api.base import ID, SelectPage, add_history, add_transitions, api_blueprint
from grants.api.schemas import TransitionRequestSchema, TransitionResultSchema
from grants.auth.models import User
from grants.bids.models import Bid
from grants.challenges.models import Challenge, ChallengeState
from grants.core.errors import NotFound, ValidationFailed
from grants.core.workflow import fire
from grants.extensions import db
from grants.reviews import permissions, services
from grants.reviews.blind import reviewer_view_of_bid
from grants.reviews.conflicts import new_seed
from grants.reviews.models import Review, ReviewAssignment
from grants.reviews.schemas import (RankingSchema, ReviewAcceptSchema, ReviewAssignmentDetailSchema,
                                    ReviewAssignmentFilters, ReviewAssignmentSchema, ReviewChallengeSchema,
                                    ReviewedBidSchema, ReviewerAssignSchema, ReviewerDrawResultSchema,
                                    ReviewerDrawSchema, ReviewPanelSchema, ReviewReopenSchema, ReviewSchema,
                                    ReviewScoresInputSchema, ReviewSubmitSchema)
from grants.reviews.tables import ranked_table
from grants.reviews.workflow import CHALLENGE_ACTIONS

blp = api_blueprint("reviews", __name__, "/reviews",
                    description="Expert review (专家评审): assignments, scores, ranking, award, notice, objections.")


def not_found():
    return NotFound(_("There is no such record, or it is not visible to you."))


# loaders ------------------------------------------------------------------------------

def load_assignment(assignment_id: int, user) -> ReviewAssignment | None:
    """Officers see every assignment; a reviewer their own; anyone else's is not found."""
    user = require_user()
    if permissions.sees_every_assignment(user):
        return db.session.get(ReviewAssignment, assignment_id)
    return services.assignment_of(user, assignment_id)


def _assignment(assignment_id: int) -> ReviewAssignment:
    assignment = load_assignment(assignment_id, None)
    if assignment is None:
        raise not_found()
    return assignment


def _my_assignment(assignment_id: int) -> tuple:
    user = require_permission("reviews.score")
    assignment = services.assignment_of(user, assignment_id)
    if assignment is None:
        raise not_found()
    return user, assignment


def _my_bid(assignment: ReviewAssignment, bid_id: int):
    bid = services.bid_for_assignment(assignment, bid_id)
    if bid is None:
        raise not_found()
    return bid


def _bid_of(assignment: ReviewAssignment, bid_id: int) -> Bid | None:
    bid = db.session.get(Bid, bid_id)
    return bid if bid is not None and bid.challenge_id == assignment.challenge_id else None


def challenge_for_officer(challenge_id: int) -> Challenge:
    """A challenge at the review stage, for the officer."""
    require_permission("reviews.run_panel")
    challenge = services.challenge_in_review(challenge_id)
    if challenge is None:
        raise not_found()
    return challenge


# projections ---------------------------------------------------------------------------

def _review_data(review: Review | None):
    if review is None:
        return None
    return {"id": review.id, "state": review.state.value, "version": review.version,
            "assignment_id": review.assignment_id, "bid_id": review.bid_id,
            "opinion": review.opinion.value if review.opinion else None, "submitted_at": review.submitted_at,
            "scores": [{"criterion_id": s.criterion_id, "score": s.score, "comment": s.comment}
                       for s in sorted(review.scores, key=lambda s: s.criterion_id)]}


def _bid_data(assignment: ReviewAssignment, bid, reviews: dict | None = None) -> dict:
    data = reviewer_view_of_bid(bid, assignment.challenge.blind_review)
    review = reviews.get(bid.id) if reviews is not None else services.review_of(assignment, bid)
    data["review"] = _review_data(review)
    return data


class _AssignmentDetail:
    """An assignment with the bids its reviewer is shown."""

    def __init__(self, assignment: ReviewAssignment):
        reviews = {r.bid_id: r for r in assignment.reviews}
        self._assignment = assignment
        self.bids = [_bid_data(assignment, b, reviews)
                     for b in services.bids_for_assignment(assignment, with_details=True)]

    def __getattr__(self, name):
        return getattr(self._assignment, name)


# reviewer: assignments and scores -------------------------------------------------------

@blp.route("", methods=["GET"])
@blp.arguments(ReviewAssignmentFilters, location="query")
@blp.response(200, ReviewAssignmentSchema(many=True))
@blp.paginate(SelectPage)
def list_assignments(filters):
    """Review assignments: a reviewer's own, or every one for officers; those still waiting first, by due date, then the others newest first"""
    user = require_permission("reviews.list_assignments")
    query = services.assignments_visible_to(user, filters.get("challenge_id"))
    if filters.get("state"):
        query = query.where(ReviewAssignment.state == filters["state"])
    return query


@blp.route(f"/<{ID}:assignment_id>", methods=["GET"])
@blp.response(200, ReviewAssignmentDetailSchema)
def get_assignment(assignment_id: int):
    """One assignment, with the rubric and (once accepted) the bids to score"""
    return _AssignmentDetail(_assignment(assignment_id))


@blp.route(f"/<{ID}:assignment_id>/accept", methods=["POST"])
@blp.arguments(ReviewAcceptSchema)
@blp.response(200, TransitionResultSchema)
def accept(data, assignment_id: int):
    """Accept the assignment, declaring no conflict of interest (to recuse, fire ``recuse`` with the reason)"""
    user, assignment = _my_assignment(assignment_id)
    event = fire(assignment, "accept", user, expected_version=data.get("version"), no_conflict=data["no_conflict"])
    db.session.commit()
    return {"state": assignment.state.value, "version": assignment.version, "event": event}


@blp.route(f"/<{ID}:assignment_id>/bids", methods=["GET"])
@blp.response(200, ReviewedBidSchema(many=True))
def list_bids(assignment_id: int):
    """The bids to score (none before the assignment is accepted)"""
    _user, assignment = _my_assignment(assignment_id)
    return _AssignmentDetail(assignment).bids


@blp.route(f"/<{ID}:assignment_id>/bids/<{ID}:bid_id>", methods=["GET"])
@blp.response(200, ReviewedBidSchema)
def get_bid(assignment_id: int, bid_id: int):
    """One bid to score, with my review"""
    _user, assignment = _my_assignment(assignment_id)
    return _bid_data(assignment, _my_bid(assignment, bid_id))


def _save(assignment, bid, user, data: dict, submit: bool) -> Review:
    saved = services.review_of(assignment, bid)
    if data.get("scores") is None:  # submit the saved draft as it is
        scores = {s.criterion_id: (s.score, s.comment) for s in (saved.scores if saved else [])}
    else:
        # The whole set, as the page sends it: what is left out is unscored.
        scores = {c.id: (None, "") for c in assignment.challenge.rubric}
        scores.update({s["criterion_id"]: (s.get("score"), s.get("comment") or "") for s in data["scores"]})
    opinion = data["opinion"] if "opinion" in data else (saved.opinion if saved else None)
    version = data.get("version")
    review = services.save_review(assignment, bid, actor=user, scores=scores, opinion=opinion, submit=submit,
                                  expected_version=version)
    db.session.commit()
    return review


@blp.route(f"/<{ID}:assignment_id>/bids/<{ID}:bid_id>/scores", methods=["PUT"])
@blp.arguments(ReviewScoresInputSchema)
@blp.response(200, ReviewSchema)
def save_scores(data, assignment_id: int, bid_id: int):
    """Save my scores as a draft (a submitted review is locked: 409)"""
    user, assignment = _my_assignment(assignment_id)
    return _review_data(_save(assignment, _my_bid(assignment, bid_id), user, data, submit=False))


@blp.route(f"/<{ID}:assignment_id>/bids/<{ID}:bid_id>/submit", methods=["POST"])
@blp.arguments(ReviewSubmitSchema, required=False)
@blp.response(200, ReviewSchema)
def submit_scores(data, assignment_id: int, bid_id: int):
    """Submit my review: with a body, save it first; without, submit the saved draft. Locked afterwards."""
    user, assignment = _my_assignment(assignment_id)
    return _review_data(_save(assignment, _my_bid(assignment, bid_id), user, data or {}, submit=True))


@blp.route(f"/<{ID}:assignment_id>/bids/<{ID}:bid_id>/reopen", methods=["POST"], permission="reviews.run_panel")
@blp.arguments(ReviewReopenSchema)
@blp.response(200, ReviewSchema)
def reopen_review(data, assignment_id: int, bid_id: int):
    """Reopen a submitted review, with the reason (officers)"""
    user = require_permission("reviews.run_panel")
    assignment = db.session.get(ReviewAssignment, assignment_id)
    bid = _bid_of(assignment, bid_id) if assignment is not None else None
    review = services.review_of(assignment, bid) if bid is not None else None
    if review is None:
        raise not_found()
    fire(review, "reopen", user, comment=data["comment"], expected_version=data.get("version"))
    db.session.commit()
    return _review_data(review)


add_transitions(blp, ReviewAssignment, load_assignment)
add_history(blp, ReviewAssignment, load_assignment)


# officer: the panel, the ranking and the award --------------------------------------------

@blp.route("/challenges", methods=["GET"])
@blp.response(200, ReviewChallengeSchema(many=True))
@blp.paginate(SelectPage)
def list_challenges():
    """Challenges at the review stage (officers), newest first"""
    require_permission("reviews.run_panel")
    return (sa.select(Challenge).where(Challenge.state.in_(services.REVIEW_STAGE_STATES))
            .order_by(Challenge.id.desc()))


@blp.route(f"/challenges/<{ID}:challenge_id>", methods=["GET"])
@blp.response(200, ReviewPanelSchema)
def get_panel(challenge_id: int):
    """The review panel: assignments and, while under review, the reviewer pool with exclusions"""
    challenge = challenge_for_officer(challenge_id)
    reviewing = challenge.state == ChallengeState.reviewing
    return {"challenge": challenge, "assignments": services.assignments_of(challenge),
            "candidates": services.candidates(challenge) if reviewing else []}


@blp.route(f"/challenges/<{ID}:challenge_id>/transitions/<any({','.join(CHALLENGE_ACTIONS)}):name>",
           methods=["POST"])
@blp.arguments(TransitionRequestSchema, required=False)
@blp.response(200, TransitionResultSchema)
def fire_challenge(body, challenge_id: int, name: str):
    """Start the review, confirm the award after the notice, or declare the challenge failed (comment)"""
    challenge = challenge_for_officer(challenge_id)
    body = body or {}
    event = fire(challenge, name, caller(), comment=body.get("comment"), expected_version=body.get("version"))
    db.session.commit()
    return {"state": challenge.state.value, "version": challenge.version, "event": event}


@blp.route(f"/challenges/<{ID}:challenge_id>/assignments", methods=["POST"])
@blp.arguments(ReviewerAssignSchema)
@blp.response(201, ReviewAssignmentSchema)
def assign(data, challenge_id: int):
    """Assign a reviewer (refused, with the reason, for a conflict of interest or a black-list entry)"""
    challenge = challenge_for_officer(challenge_id)
    reviewer = db.session.get(User, data["reviewer_id"])
    if reviewer is None:
        message = _("There is no such record, or it is not visible to you.")
        raise ValidationFailed(message, details={"reviewer_id": message})
    assignment = services.assign_reviewer(challenge, reviewer, actor=caller(), due_on=data.get("due_on"))
    db.session.commit()
    return assignment


@blp.route(f"/challenges/<{ID}:challenge_id>/draw", methods=["POST"])
@blp.arguments(ReviewerDrawSchema)
@blp.response(201, ReviewerDrawResultSchema)
def draw(data, challenge_id: int):
    """Draw reviewers at random from the qualified pool; the seed is returned and recorded"""
    challenge = challenge_for_officer(challenge_id)
    seed = data.get("seed")
    seed = new_seed() if seed is None else seed
    drawn = services.draw_reviewers(challenge, size=data["size"], seed=seed, actor=caller(),
                                   due_on=data.get("due_on"))
    db.session.commit()
    return {"seed": seed, "assignments": drawn}


@blp.route(f"/challenges/<{ID}:challenge_id>/ranking", methods=["GET"])
@blp.response(200, RankingSchema)
def ranking(challenge_id: int):
    """Scores and ranking (trimmed means, spreads, z-scores), as on the officer's table"""
    challenge = challenge_for_officer(challenge_id)
    table, _total = ranked_table(challenge)
    names = {a.reviewer_id: a.reviewer.display_name for a in table.reviewers}
    rows = []
    for row in table.rows:
        r = row.result
        rows.append({
            "rank": r.rank, "bid_id": row.bid.id, "title": row.bid.title, "organization": row.bid.organization.name,
            "state": row.bid.state.value, "score": None if r.score is None else str(r.score),
            "spread": str(r.spread), "flagged": r.flagged, "red": row.red, "review_count": r.review_count,
            "reviewers": [{
                "reviewer_id": reviewer, "reviewer": names.get(reviewer, str(reviewer)),
                "weighted_score": str(weighted),
                "z": str(table.z[reviewer][row.bid.id]) if row.bid.id in table.z.get(reviewer, {}) else None,
                "opinion": row.opinions[reviewer].value if row.opinions.get(reviewer) else None,
                "scores": {str(k): v for k, v in row.criterion_scores[reviewer].items()},
            } for reviewer, weighted in r.reviewer_scores.items()],
        })
    return {"challenge": challenge, "criteria": table.criteria, "rows": rows, "unfinished": table.unfinished}


# The expert pool and profiles have their own resource, /reviewers.
from grants.reviews.pool_api import blp as reviewers_blp  # noqa: E402

blueprints = [blp, reviewers_blp]
