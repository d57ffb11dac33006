"""The award of a challenge: its public notice (公示) and the objections (异议) to it."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core.models import OBJECTION_STATE_LABELS, ObjectionState, Timestamps, Versioned, enum_type
from grants.extensions import db

__all__ = ["OBJECTION_STATE_LABELS", "AwardNotice", "Objection", "ObjectionState"]


class AwardNotice(Timestamps, db.Model):
    """The public notice (公示) of a proposed award; one per challenge, renewed on
    every proposal."""

    __tablename__ = "award_notices"
    __audit_type__ = "award_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenges.id"), unique=True)
    round: Mapped[int] = mapped_column(default=1)  # how many times the award was proposed
    notice_starts_at: Mapped[datetime]
    notice_ends_at: Mapped[datetime]
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    challenge = relationship("Challenge")

    __table_args__ = (sa.CheckConstraint("notice_ends_at >= notice_starts_at", name="ends_after_start"),)


class Objection(Timestamps, Versioned, db.Model):
    """An objection (异议) to a proposed award, filed during the notice."""

    __tablename__ = "objections"
    __audit_type__ = "objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[ObjectionState] = mapped_column(enum_type(ObjectionState), default=ObjectionState.open,
                                                  index=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenges.id"), index=True)
    notice_round: Mapped[int]
    filed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    reasons: Mapped[str] = mapped_column(sa.Text)
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]

    challenge = relationship("Challenge")
    filed_by = relationship("User", foreign_keys=[filed_by_id], lazy="joined")
    answered_by = relationship("User", foreign_keys=[answered_by_id])

    __table_args__ = (
        sa.CheckConstraint("state = 'open' OR (answer IS NOT NULL AND answered_at IS NOT NULL)",
                           name="answered_has_answer"),
    )

    @property
    def state_label(self) -> str:
        return str(OBJECTION_STATE_LABELS[self.state])
