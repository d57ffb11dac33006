"""``/api/v1/reviews``: expert review, the award, its public notice and objections.

Reviewers see their own assignments (officers see all), declare a conflict
of interest or its absence, and score the bids they were given, shown as on
the page (a blind challenge's bids carry no names). Officers assign or draw
the panel, read the ranking, propose the award and answer objections. The
public notice is open to everyone; signed-in users may object to it.
"""
from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa
from flask_babel import gettext as _

from grants.api.auth import caller, require_role, require_user
from grants.api.base import ID, SelectPage, add_history, add_transitions, api_blueprint
from grants.api.schemas import (ApiSchema, IdField, QuerySchema, TransitionRequestSchema, TransitionResultSchema,
                                UtcDateTime)
from grants.auth.models import User
from grants.bids.models import Bid
from grants.challenges.models import Challenge, ChallengeState
from grants.core.errors import NotFound, ValidationFailed
from grants.core.workflow import fire
from grants.extensions import db
from grants.reviews import services
from grants.reviews.blind import reviewer_view_of_bid
from grants.reviews.conflicts import new_seed
from grants.reviews.models import (AssignmentState, Objection, ObjectionState, Opinion, Review, ReviewAssignment,
                                   ReviewState)
from grants.reviews.tables import officer_table
from grants.reviews.workflow import CHALLENGE_ACTIONS

OFFICER = "officer"

blp = api_blueprint("reviews", __name__, "/reviews",
                    description="Expert review (专家评审): assignments, scores, ranking, award, notice, objections.")


def _not_found():
    return NotFound(_("There is no such record, or it is not visible to you."))


# schemas ------------------------------------------------------------------------------

class ReviewCriterionSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    weight = ma.fields.Integer(required=True)


class ReviewAssignmentSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    state = ma.fields.String(required=True, metadata={"enum": [s.value for s in AssignmentState]})
    state_label = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    challenge_id = ma.fields.Integer(required=True)
    challenge_title = ma.fields.String(attribute="challenge.title", required=True)
    blind = ma.fields.Boolean(attribute="challenge.blind_review", required=True)
    reviewer_id = ma.fields.Integer(required=True)
    reviewer = ma.fields.String(attribute="reviewer.display_name", required=True)
    drawn = ma.fields.Boolean(required=True)
    declared_at = UtcDateTime(allow_none=True)
    recusal_reason = ma.fields.String(allow_none=True)
    submitted_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime(required=True)


class ReviewScoreSchema(ma.Schema):
    criterion_id = ma.fields.Integer(required=True)
    score = ma.fields.Integer(required=True)
    comment = ma.fields.String(required=True)


class ReviewSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    state = ma.fields.String(required=True, metadata={"enum": [s.value for s in ReviewState]})
    version = ma.fields.Integer(required=True)
    assignment_id = ma.fields.Integer(required=True)
    bid_id = ma.fields.Integer(required=True)
    opinion = ma.fields.String(allow_none=True, metadata={"enum": [o.value for o in Opinion]})
    submitted_at = UtcDateTime(allow_none=True)
    scores = ma.fields.List(ma.fields.Nested(ReviewScoreSchema), required=True)


class ReviewedIndicatorSchema(ma.Schema):
    name = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    promised_value = ma.fields.String(required=True)


class ReviewedMilestoneSchema(ma.Schema):
    month = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)


class ReviewedAttachmentSchema(ma.Schema):
    position = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


class ReviewedBidSchema(ma.Schema):
    """A bid as its reviewer is shown it: without any name when the review is blind."""

    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    technical_approach = ma.fields.String(required=True)
    requested_fen = ma.fields.Integer(allow_none=True)
    own_cofunding_fen = ma.fields.Integer(allow_none=True)
    indicators = ma.fields.List(ma.fields.Nested(ReviewedIndicatorSchema), required=True)
    milestones = ma.fields.List(ma.fields.Nested(ReviewedMilestoneSchema), required=True)
    attachments = ma.fields.List(ma.fields.Nested(ReviewedAttachmentSchema), required=True)
    blind = ma.fields.Boolean(required=True)
    organization = ma.fields.String(metadata={"description": "Absent in a blind review"})
    lead = ma.fields.String(metadata={"description": "Absent in a blind review"})
    members = ma.fields.List(ma.fields.String(), metadata={"description": "Absent in a blind review"})
    partners = ma.fields.List(ma.fields.String(), metadata={"description": "Absent in a blind review"})
    review = ma.fields.Nested(ReviewSchema, allow_none=True, metadata={"description": "My review, if saved"})


class ReviewAssignmentDetailSchema(ReviewAssignmentSchema):
    criteria = ma.fields.List(ma.fields.Nested(ReviewCriterionSchema), attribute="challenge.rubric", required=True)
    bids = ma.fields.List(ma.fields.Nested(ReviewedBidSchema), required=True, metadata={
        "description": "The bids to score, once the assignment is accepted"})


class ReviewAssignmentFilters(QuerySchema):
    challenge_id = IdField(metadata={"description": "Only this challenge's assignments"})
    state = ma.fields.String(validate=ma.validate.OneOf([s.value for s in AssignmentState]))


class ReviewAcceptSchema(ApiSchema):
    no_conflict = ma.fields.Boolean(required=True, metadata={
        "description": "I declare that I have no conflict of interest with any bid of this challenge."})
    version = ma.fields.Integer(allow_none=True)


class ReviewScoreInputSchema(ApiSchema):
    criterion_id = ma.fields.Integer(required=True)
    score = ma.fields.Integer(allow_none=True, metadata={"description": "0 to 100; null leaves it unscored"})
    comment = ma.fields.String(load_default="")


class ReviewScoresInputSchema(ApiSchema):
    scores = ma.fields.List(ma.fields.Nested(ReviewScoreInputSchema), required=True, metadata={
        "description": "The whole set: a criterion left out is unscored"})
    opinion = ma.fields.String(allow_none=True, metadata={"enum": [o.value for o in Opinion]})
    version = ma.fields.Integer(allow_none=True, metadata={
        "description": "The review's version you last saw; 409 if it changed since"})


class ReviewSubmitSchema(ReviewScoresInputSchema):
    scores = ma.fields.List(ma.fields.Nested(ReviewScoreInputSchema), metadata={
        "description": "The whole set, saved before submitting; leave out to submit the saved draft"})
    opinion = ma.fields.String(allow_none=True, metadata={
        "enum": [o.value for o in Opinion], "description": "Leave out to keep the saved opinion"})


class ReviewReopenSchema(ApiSchema):
    comment = ma.fields.String(required=True, metadata={"description": "Why the review is reopened"})
    version = ma.fields.Integer(allow_none=True)


class ReviewChallengeSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    state = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    blind_review = ma.fields.Boolean(required=True)
    max_winners = ma.fields.Integer(required=True)
    pass_mark = ma.fields.Integer(required=True)


class ReviewerCandidateSchema(ma.Schema):
    reviewer_id = ma.fields.Integer(attribute="user.id", required=True)
    name = ma.fields.String(attribute="user.display_name", required=True)
    title = ma.fields.String(attribute="profile.title", required=True)
    fields = ma.fields.List(ma.fields.String(), attribute="profile.fields", required=True)
    available = ma.fields.Boolean(attribute="profile.available", required=True)
    eligible = ma.fields.Boolean(required=True)
    reason = ma.fields.Method("_reason", required=True, allow_none=True,
                              metadata={"type": "string", "nullable": True,
                                        "description": "Why this reviewer may never review the challenge"})
    field_match = ma.fields.Boolean(required=True)
    qualified = ma.fields.Boolean(required=True, metadata={"description": "May be drawn at random"})
    assignment_id = ma.fields.Integer(attribute="assignment.id", allow_none=True)

    def _reason(self, candidate):
        return None if candidate.reason is None else str(candidate.reason)


class ReviewPanelSchema(ma.Schema):
    challenge = ma.fields.Nested(ReviewChallengeSchema, required=True)
    assignments = ma.fields.List(ma.fields.Nested(ReviewAssignmentSchema), required=True)
    candidates = ma.fields.List(ma.fields.Nested(ReviewerCandidateSchema), required=True, metadata={
        "description": "The reviewer pool, while the challenge is under review"})


class ReviewerAssignSchema(ApiSchema):
    reviewer_id = IdField(required=True)


class ReviewerDrawSchema(ApiSchema):
    size = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=50))
    seed = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(min=0, max=2 ** 32 - 1), metadata={
        "description": "Repeat an earlier draw; by default a new random seed"})


class ReviewerDrawResultSchema(ma.Schema):
    seed = ma.fields.Integer(required=True, metadata={"description": "Redo the draw with this seed"})
    assignments = ma.fields.List(ma.fields.Nested(ReviewAssignmentSchema), required=True)


class RankedReviewerSchema(ma.Schema):
    reviewer_id = ma.fields.Integer(required=True)
    reviewer = ma.fields.String(required=True)
    weighted_score = ma.fields.String(required=True, metadata={"description": "Decimal, two places"})
    z = ma.fields.String(allow_none=True, metadata={"description": "Normalised within the reviewer's scores"})
    opinion = ma.fields.String(allow_none=True)
    scores = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True,
                            metadata={"description": "criterion id -> score"})


class RankingRowSchema(ma.Schema):
    rank = ma.fields.Integer(required=True)
    bid_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    organization = ma.fields.String(required=True)
    state = ma.fields.String(required=True)
    score = ma.fields.String(allow_none=True, metadata={"description": "Decimal, two places; trimmed mean"})
    spread = ma.fields.String(required=True)
    flagged = ma.fields.Boolean(required=True, metadata={"description": "Spread over 20 points"})
    red = ma.fields.Boolean(required=True, metadata={"description": "Red-list trust mark"})
    review_count = ma.fields.Integer(required=True)
    reviewers = ma.fields.List(ma.fields.Nested(RankedReviewerSchema), required=True)


class RankingSchema(ma.Schema):
    challenge = ma.fields.Nested(ReviewChallengeSchema, required=True)
    criteria = ma.fields.List(ma.fields.Nested(ReviewCriterionSchema), required=True)
    rows = ma.fields.List(ma.fields.Nested(RankingRowSchema), required=True)
    unfinished = ma.fields.List(ma.fields.Nested(ReviewAssignmentSchema), required=True, metadata={
        "description": "Reviewers still to declare or to submit"})


class AwardProposalSchema(ApiSchema):
    winners = ma.fields.List(IdField(), required=True, metadata={"description": "Winning bid ids"})
    comment = ma.fields.String(allow_none=True)
    version = ma.fields.Integer(allow_none=True, metadata={"description": "The challenge's version"})


class AwardWinnerSchema(ma.Schema):
    bid_id = ma.fields.Integer(attribute="id", required=True)
    title = ma.fields.String(required=True)
    organization = ma.fields.String(attribute="organization.name", required=True)
    award_fen = ma.fields.Integer(attribute="requested_fen", allow_none=True)


class ObjectionSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    state = ma.fields.String(required=True, metadata={"enum": [s.value for s in ObjectionState]})
    state_label = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    challenge_id = ma.fields.Integer(required=True)
    notice_round = ma.fields.Integer(required=True)
    reasons = ma.fields.String(required=True)
    answer = ma.fields.String(allow_none=True)
    answered_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime(required=True)


class NoticeSchema(ma.Schema):
    challenge_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    state = ma.fields.String(required=True)
    round = ma.fields.Integer(required=True)
    notice_starts_at = UtcDateTime(required=True)
    notice_ends_at = UtcDateTime(required=True)
    open_for_objections = ma.fields.Boolean(required=True)
    winners = ma.fields.List(ma.fields.Nested(AwardWinnerSchema), required=True)
    my_objections = ma.fields.List(ma.fields.Nested(ObjectionSchema), required=True, metadata={
        "description": "The caller's own objections (empty when anonymous)"})


class ObjectionInputSchema(ApiSchema):
    reasons = ma.fields.String(required=True)


class ObjectionAnswerSchema(ApiSchema):
    answer = ma.fields.String(required=True)
    version = ma.fields.Integer(allow_none=True)


# loaders ------------------------------------------------------------------------------

def load_assignment(assignment_id: int, user) -> ReviewAssignment | None:
    """Officers see every assignment; a reviewer their own; anyone else's is not found."""
    user = require_user()
    if user.role == OFFICER:
        return db.session.get(ReviewAssignment, assignment_id)
    return services.assignment_of(user, assignment_id)


def _assignment(assignment_id: int) -> ReviewAssignment:
    assignment = load_assignment(assignment_id, None)
    if assignment is None:
        raise _not_found()
    return assignment


def _my_assignment(assignment_id: int) -> tuple:
    user = require_role("reviewer")
    assignment = services.assignment_of(user, assignment_id)
    if assignment is None:
        raise _not_found()
    return user, assignment


def _my_bid(assignment: ReviewAssignment, bid_id: int):
    bid = services.bid_for_assignment(assignment, bid_id)
    if bid is None:
        raise _not_found()
    return bid


def _bid_of(assignment: ReviewAssignment, bid_id: int) -> Bid | None:
    bid = db.session.get(Bid, bid_id)
    return bid if bid is not None and bid.challenge_id == assignment.challenge_id else None


def _challenge(challenge_id: int) -> Challenge:
    """A challenge at the review stage, for the officer."""
    require_role(OFFICER)
    challenge = services.challenge_in_review(challenge_id)
    if challenge is None:
        raise _not_found()
    return challenge


def load_objection(objection_id: int, user) -> Objection | None:
    """Officers see every objection; the person who filed it sees their own."""
    user = require_user()
    objection = db.session.get(Objection, objection_id)
    if objection is None or (user.role != OFFICER and objection.filed_by_id != user.id):
        return None
    return objection


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
    """Review assignments: a reviewer's own, or every one for officers, newest first"""
    user = require_role("reviewer", OFFICER)
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


@blp.route(f"/<{ID}:assignment_id>/bids/<{ID}:bid_id>/reopen", methods=["POST"])
@blp.arguments(ReviewReopenSchema)
@blp.response(200, ReviewSchema)
def reopen_review(data, assignment_id: int, bid_id: int):
    """Reopen a submitted review, with the reason (officers)"""
    user = require_role(OFFICER)
    assignment = db.session.get(ReviewAssignment, assignment_id)
    bid = _bid_of(assignment, bid_id) if assignment is not None else None
    review = services.review_of(assignment, bid) if bid is not None else None
    if review is None:
        raise _not_found()
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
    require_role(OFFICER)
    return (sa.select(Challenge).where(Challenge.state.in_(services.REVIEW_STAGE_STATES))
            .order_by(Challenge.id.desc()))


@blp.route(f"/challenges/<{ID}:challenge_id>", methods=["GET"])
@blp.response(200, ReviewPanelSchema)
def get_panel(challenge_id: int):
    """The review panel: assignments and, while under review, the reviewer pool with exclusions"""
    challenge = _challenge(challenge_id)
    reviewing = challenge.state == ChallengeState.reviewing
    return {"challenge": challenge, "assignments": services.assignments_of(challenge),
            "candidates": services.candidates(challenge) if reviewing else []}


@blp.route(f"/challenges/<{ID}:challenge_id>/transitions/<any({','.join(CHALLENGE_ACTIONS)}):name>",
           methods=["POST"])
@blp.arguments(TransitionRequestSchema, required=False)
@blp.response(200, TransitionResultSchema)
def fire_challenge(body, challenge_id: int, name: str):
    """Start the review, confirm the award after the notice, or declare the challenge failed (comment)"""
    challenge = _challenge(challenge_id)
    body = body or {}
    event = fire(challenge, name, caller(), comment=body.get("comment"), expected_version=body.get("version"))
    db.session.commit()
    return {"state": challenge.state.value, "version": challenge.version, "event": event}


@blp.route(f"/challenges/<{ID}:challenge_id>/assignments", methods=["POST"])
@blp.arguments(ReviewerAssignSchema)
@blp.response(201, ReviewAssignmentSchema)
def assign(data, challenge_id: int):
    """Assign a reviewer (refused, with the reason, for a conflict of interest or a black-list entry)"""
    challenge = _challenge(challenge_id)
    reviewer = db.session.get(User, data["reviewer_id"])
    if reviewer is None:
        message = _("There is no such record, or it is not visible to you.")
        raise ValidationFailed(message, details={"reviewer_id": message})
    assignment = services.assign_reviewer(challenge, reviewer, actor=caller())
    db.session.commit()
    return assignment


@blp.route(f"/challenges/<{ID}:challenge_id>/draw", methods=["POST"])
@blp.arguments(ReviewerDrawSchema)
@blp.response(201, ReviewerDrawResultSchema)
def draw(data, challenge_id: int):
    """Draw reviewers at random from the qualified pool; the seed is returned and recorded"""
    challenge = _challenge(challenge_id)
    seed = data.get("seed")
    seed = new_seed() if seed is None else seed
    drawn = services.draw_reviewers(challenge, size=data["size"], seed=seed, actor=caller())
    db.session.commit()
    return {"seed": seed, "assignments": drawn}


@blp.route(f"/challenges/<{ID}:challenge_id>/ranking", methods=["GET"])
@blp.response(200, RankingSchema)
def ranking(challenge_id: int):
    """Scores and ranking (trimmed means, spreads, z-scores), as on the officer's table"""
    challenge = _challenge(challenge_id)
    table = officer_table(challenge)
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


@blp.route(f"/challenges/<{ID}:challenge_id>/award", methods=["POST"])
@blp.arguments(AwardProposalSchema)
@blp.response(200, TransitionResultSchema)
def propose_award(data, challenge_id: int):
    """Propose the winners and open the public notice"""
    challenge = _challenge(challenge_id)
    event = fire(challenge, "propose_award", caller(), comment=data.get("comment"),
                 expected_version=data.get("version"), winners=data["winners"])
    db.session.commit()
    return {"state": challenge.state.value, "version": challenge.version, "event": event}


@blp.route(f"/challenges/<{ID}:challenge_id>/objections", methods=["GET"])
@blp.response(200, ObjectionSchema(many=True))
def list_objections(challenge_id: int):
    """Every objection to the challenge's award (officers)"""
    return services.objections_of(_challenge(challenge_id))


# everyone: the public notice and objections ---------------------------------------------------

def _notice(challenge_id: int):
    challenge, notice = services.public_notice(challenge_id)
    if challenge is None:
        raise _not_found()
    return challenge, notice


@blp.route(f"/challenges/<{ID}:challenge_id>/notice", methods=["GET"])
@blp.response(200, NoticeSchema)
def get_notice(challenge_id: int):
    """The public notice of a proposed or confirmed award (no token needed)"""
    challenge, notice = _notice(challenge_id)
    user = caller()
    return {"challenge_id": challenge.id, "title": challenge.title, "state": challenge.state.value,
            "round": notice.round, "notice_starts_at": notice.notice_starts_at,
            "notice_ends_at": notice.notice_ends_at,
            "open_for_objections": services.open_for_objections(challenge, notice),
            "winners": services.winners_of(challenge),
            "my_objections": services.objections_by(challenge, user) if user is not None else []}


@blp.route(f"/challenges/<{ID}:challenge_id>/objections", methods=["POST"])
@blp.arguments(ObjectionInputSchema)
@blp.response(201, ObjectionSchema)
def file_objection(data, challenge_id: int):
    """Object to the proposed award while the notice runs (any signed-in user)"""
    user = require_user()
    challenge, _notice_row = _notice(challenge_id)
    objection = services.file_objection(challenge, actor=user, reasons=data["reasons"])
    db.session.commit()
    return objection


@blp.route(f"/objections/<{ID}:objection_id>", methods=["GET"])
@blp.response(200, ObjectionSchema)
def get_objection(objection_id: int):
    """One objection (officers, or who filed it)"""
    objection = load_objection(objection_id, None)
    if objection is None:
        raise _not_found()
    return objection


@blp.route(f"/objections/<{ID}:objection_id>/<any(uphold,dismiss):decision>", methods=["POST"])
@blp.arguments(ObjectionAnswerSchema)
@blp.response(200, ObjectionSchema)
def answer_objection(data, objection_id: int, decision: str):
    """Answer an objection: uphold it (the review reopens) or dismiss it, with the answer (officers)"""
    user = require_role(OFFICER)
    objection = db.session.get(Objection, objection_id)
    if objection is None:
        raise _not_found()
    operation = services.uphold_objection if decision == "uphold" else services.dismiss_objection
    operation(objection, actor=user, answer=data["answer"], expected_version=data.get("version"))
    db.session.commit()
    return objection


add_transitions(blp, Objection, load_objection, path="/objections")
add_history(blp, Objection, load_objection, path="/objections")


# The expert pool and profiles have their own resource, /reviewers.
from grants.reviews.pool_api import blp as reviewers_blp  # noqa: E402

blueprints = [blp, reviewers_blp]
