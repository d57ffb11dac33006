"""Reviewer profiles and the expert review of bids."""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.challenges.models import FIELD_LABELS, ChallengeField
from grants.core import clock
from grants.core.models import Timestamps, Versioned, enum_type
from grants.extensions import db


def field_label(value) -> str:
    try:
        return str(FIELD_LABELS[ChallengeField(value)])
    except ValueError:
        return str(value)


class ReviewerProfile(Timestamps, db.Model):
    """An expert in the review pool. The organisation is the user's."""

    __tablename__ = "reviewer_profiles"
    __audit_type__ = "reviewer_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    title: Mapped[str] = mapped_column(sa.String(100), default="")  # 职称
    available: Mapped[bool] = mapped_column(default=True)

    user = relationship("User", lazy="joined")
    expertise: Mapped[list["ReviewerExpertise"]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", lazy="selectin",
        order_by="ReviewerExpertise.field")

    @property
    def fields(self) -> list[str]:
        return [str(e.field) for e in self.expertise]

    @property
    def field_labels(self) -> list[str]:
        return [field_label(f) for f in self.fields]

    @property
    def organization(self):
        return self.user.organization


class ReviewerExpertise(db.Model):
    """One field of a reviewer's expertise (searchable, one row per field)."""

    __tablename__ = "reviewer_expertise"

    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reviewer_profiles.id", ondelete="CASCADE"), primary_key=True)
    field: Mapped[ChallengeField] = mapped_column(enum_type(ChallengeField, 40), primary_key=True, index=True)

    profile: Mapped[ReviewerProfile] = relationship(back_populates="expertise")


# expert review of a challenge ---------------------------------------------------

class AssignmentState(enum.StrEnum):
    assigned = "assigned"  # waiting for the reviewer's declaration
    accepted = "accepted"  # declared no conflict of interest; scoring
    recused = "recused"  # declared a conflict (or was withdrawn by the system, see reason)
    submitted = "submitted"  # every bid's review submitted


ASSIGNMENT_STATE_LABELS = {
    AssignmentState.assigned: _l("awaiting declaration"),
    AssignmentState.accepted: _l("accepted"),
    AssignmentState.recused: _l("recused"),
    AssignmentState.submitted: _l("all reviews submitted"),
}

# Assignments still expected to produce reviews.
PENDING_ASSIGNMENT_STATES = (AssignmentState.assigned, AssignmentState.accepted)


class ReviewAssignment(Timestamps, Versioned, db.Model):
    """One reviewer on one challenge's panel."""

    __tablename__ = "review_assignments"
    __audit_type__ = "review_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[AssignmentState] = mapped_column(
        enum_type(AssignmentState), default=AssignmentState.assigned, index=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenges.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    drawn: Mapped[bool] = mapped_column(default=False)  # by the random draw, not picked
    declared_at: Mapped[datetime | None]
    # Why the reviewer stepped aside; "system" recusals (a black entry) name the entry.
    recusal_reason: Mapped[str | None] = mapped_column(sa.Text)
    withdrawn_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("integrity_entries.id"))
    submitted_at: Mapped[datetime | None]
    # The day the reviews are due (set by the officer when assigning; 14 days by default).
    due_on: Mapped[date] = mapped_column(index=True)
    # The due date a reminder was last sent for (``flask tick``): one reminder of each kind per due date.
    due_3_days_reminded_for: Mapped[date | None]
    overdue_reminded_for: Mapped[date | None]

    challenge = relationship("Challenge")
    reviewer = relationship("User", foreign_keys=[reviewer_id], lazy="joined")
    assigned_by = relationship("User", foreign_keys=[assigned_by_id])
    reviews: Mapped[list["Review"]] = relationship(back_populates="assignment", order_by="Review.bid_id")

    __table_args__ = (
        sa.UniqueConstraint("challenge_id", "reviewer_id", name="uq_review_assignments_reviewer"),
        sa.CheckConstraint("state != 'recused' OR recusal_reason IS NOT NULL", name="recusal_has_reason"),
        sa.CheckConstraint("state IN ('assigned') OR declared_at IS NOT NULL", name="declared_has_time"),
    )

    @property
    def state_label(self) -> str:
        return str(ASSIGNMENT_STATE_LABELS[self.state])

    @property
    def pending(self) -> bool:
        return self.state in PENDING_ASSIGNMENT_STATES

    def is_overdue(self, today: date) -> bool:
        """Still expected to produce reviews after its due date (derived from the clock, never stored)."""
        return self.pending and self.due_on is not None and self.due_on < today

    @property
    def overdue(self) -> bool:
        return self.is_overdue(clock.today())


class ReviewState(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"


class Opinion(enum.StrEnum):
    recommend = "recommend"
    not_recommend = "not_recommend"


OPINION_LABELS = {Opinion.recommend: _l("Recommend"), Opinion.not_recommend: _l("Do not recommend")}
REVIEW_STATE_LABELS = {ReviewState.draft: _l("draft"), ReviewState.submitted: _l("submitted")}


class Review(Timestamps, Versioned, db.Model):
    """One reviewer's scores for one bid: a draft until submitted, then locked."""

    __tablename__ = "reviews"
    __audit_type__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[ReviewState] = mapped_column(enum_type(ReviewState), default=ReviewState.draft)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("review_assignments.id"), index=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id"), index=True)
    opinion: Mapped[Opinion | None] = mapped_column(enum_type(Opinion, 20))
    submitted_at: Mapped[datetime | None]

    assignment: Mapped[ReviewAssignment] = relationship(back_populates="reviews")
    bid = relationship("Bid")
    scores: Mapped[list["ReviewScore"]] = relationship(
        back_populates="review", cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "bid_id", name="uq_reviews_bid"),
        sa.CheckConstraint("state != 'submitted' OR (submitted_at IS NOT NULL AND opinion IS NOT NULL)",
                           name="submitted_is_complete"),
    )

    @property
    def state_label(self) -> str:
        return str(REVIEW_STATE_LABELS[self.state])

    def score_for(self, criterion_id: int) -> "ReviewScore | None":
        return next((s for s in self.scores if s.criterion_id == criterion_id), None)


class ReviewScore(db.Model):
    """A criterion's score (0..100) with the reviewer's comment."""

    __tablename__ = "review_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("rubric_criteria.id"))
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    review: Mapped[Review] = relationship(back_populates="scores")

    __table_args__ = (
        sa.UniqueConstraint("review_id", "criterion_id", name="uq_review_scores_criterion"),
        sa.CheckConstraint("score BETWEEN 0 AND 100", name="score_range"),
    )
