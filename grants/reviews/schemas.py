"""Request and response schemas of the expert-review API (``/api/v1/reviews``)."""
from __future__ import annotations

import marshmallow as ma

from grants.api.schemas import ApiSchema, IdField, QuerySchema, UtcDateTime
from grants.reviews.models import AssignmentState, Opinion, ReviewState


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
    due_on = ma.fields.Date(required=True, metadata={"description": "The day the reviews are due"})
    overdue = ma.fields.Boolean(required=True, metadata={
        "description": "Still waiting for the reviewer's declaration or scores after the due date "
                       "(derived from the clock)"})
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
    due_on = ma.fields.Date(load_default=None, allow_none=True, metadata={
        "description": "The day the reviews are due (after today, within 180 days); by default in 14 days"})


class ReviewerDrawSchema(ApiSchema):
    size = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=50))
    seed = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(min=0, max=2 ** 32 - 1), metadata={
        "description": "Repeat an earlier draw; by default a new random seed"})
    due_on = ma.fields.Date(load_default=None, allow_none=True, metadata={
        "description": "The day the reviews are due (after today, within 180 days); by default in 14 days"})


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
