"""The acceptance panel of a project, each member's judgement per round, and
the officer's confirmed outcome of each round.

A round is one pass of the panel over the final report; a rectification
(整改) opens the second and last round.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core.models import Timestamps, Versioned, enum_type
from grants.extensions import db


class Outcome(enum.StrEnum):
    passed = "passed"
    rectifying = "rectifying"
    failed = "failed"


OUTCOME_LABELS = {
    Outcome.passed: _l("Passed"),
    Outcome.rectifying: _l("Rectification"),
    Outcome.failed: _l("Failed"),
}


class PanelMember(db.Model):
    """A reviewer who judges (voting) or the enterprise's member who joins without a vote."""

    __tablename__ = "acceptance_panel_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    voting: Mapped[bool] = mapped_column(default=True)

    user = relationship("User")

    __table_args__ = (sa.UniqueConstraint("project_id", "user_id", name="uq_acceptance_panel_member"),)


class Judgement(Timestamps, Versioned, db.Model):
    """One voting member's judgement in one round: a draft until submitted, then locked."""

    __tablename__ = "acceptance_judgements"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    score: Mapped[int | None]
    opinion: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[datetime | None]

    reviewer = relationship("User")
    indicators: Mapped[list["IndicatorJudgement"]] = relationship(
        back_populates="judgement", cascade="all, delete-orphan", order_by="IndicatorJudgement.indicator_id")

    __table_args__ = (
        sa.UniqueConstraint("project_id", "reviewer_id", "round", name="uq_acceptance_judgement_round"),
        sa.CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
        sa.CheckConstraint("submitted_at IS NULL OR score IS NOT NULL", name="submitted_has_score"),
    )

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


class IndicatorJudgement(db.Model):
    """Whether a member finds an indicator met, and the value they accept as reached."""

    __tablename__ = "acceptance_indicator_judgements"

    id: Mapped[int] = mapped_column(primary_key=True)
    judgement_id: Mapped[int] = mapped_column(sa.ForeignKey("acceptance_judgements.id", ondelete="CASCADE"),
                                              index=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("project_indicators.id"), index=True)
    met: Mapped[bool] = mapped_column(default=False)
    value: Mapped[str] = mapped_column(sa.String(100), default="")

    judgement: Mapped[Judgement] = relationship(back_populates="indicators")

    __table_args__ = (sa.UniqueConstraint("judgement_id", "indicator_id", name="uq_acceptance_indicator_once"),)


class Decision(db.Model):
    """The outcome of a round as the officer confirmed it, with the written conclusion."""

    __tablename__ = "acceptance_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    round: Mapped[int]
    outcome: Mapped[Outcome] = mapped_column(enum_type(Outcome, 20))
    conclusion: Mapped[str] = mapped_column(sa.Text)
    fixes: Mapped[str] = mapped_column(sa.Text, default="")  # what to rectify
    deadline_on: Mapped[date | None]  # of the rectification
    misconduct: Mapped[bool] = mapped_column(default=False)
    mean_score: Mapped[float]
    decided_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (
        sa.UniqueConstraint("project_id", "round", name="uq_acceptance_decision_round"),
        sa.CheckConstraint("(outcome = 'rectifying') = (deadline_on IS NOT NULL)", name="rectifying_has_deadline"),
    )

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS[self.outcome])
