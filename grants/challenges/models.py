"""Technical challenges (榜单) that enterprises post and the bureau publishes."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from grants.core import clock
from grants.core.attachments import AttachmentMixin
from grants.core.models import Timestamps, Versioned, enum_type
from grants.extensions import db


class ChallengeField(enum.StrEnum):
    smart_manufacturing = "smart_manufacturing"
    electronic_information = "electronic_information"
    biomedicine = "biomedicine"
    modern_agriculture = "modern_agriculture"
    new_materials = "new_materials"
    ecology_environment = "ecology_environment"
    other = "other"


FIELD_LABELS = {
    ChallengeField.smart_manufacturing: _l("Smart manufacturing"),
    ChallengeField.electronic_information: _l("Electronic information"),
    ChallengeField.biomedicine: _l("Biomedicine"),
    ChallengeField.modern_agriculture: _l("Modern agriculture"),
    ChallengeField.new_materials: _l("New materials"),
    ChallengeField.ecology_environment: _l("Ecology and environment"),
    ChallengeField.other: _l("Other"),
}


class ChallengeState(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    published = "published"
    closed = "closed"
    reviewing = "reviewing"
    notice = "notice"
    awarded = "awarded"
    failed = "failed"
    withdrawn = "withdrawn"


# States the public sees on the board (a challenge once published stays visible).
PUBLIC_STATES = (ChallengeState.published, ChallengeState.closed, ChallengeState.reviewing,
                 ChallengeState.notice, ChallengeState.awarded, ChallengeState.failed)

DEFAULT_RUBRIC = (
    (_l("Technical approach"), 35),
    (_l("Team capability"), 25),
    (_l("Indicators and feasibility"), 20),
    (_l("Budget"), 10),
    (_l("Enterprise co-operation and commercialisation"), 10),
)
DEFAULT_NOTICE_DAYS = 5


class Challenge(Timestamps, Versioned, db.Model):
    __tablename__ = "challenges"
    __audit_type__ = "challenge"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[ChallengeState] = mapped_column(
        enum_type(ChallengeState), default=ChallengeState.draft, index=True)
    owner_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # A draft may be incomplete: submit checks that everything needed is there.
    title: Mapped[str] = mapped_column(sa.String(200))
    field: Mapped[ChallengeField | None] = mapped_column(enum_type(ChallengeField, 40))
    problem: Mapped[str | None] = mapped_column(sa.Text)
    budget_fen: Mapped[int | None] = mapped_column(sa.BigInteger)  # offered by the bureau
    enterprise_cofunding_fen: Mapped[int | None] = mapped_column(sa.BigInteger)
    max_winners: Mapped[int] = mapped_column(default=1)  # >1: parallel award (赛马制)
    pass_mark: Mapped[int] = mapped_column(default=60)
    deadline_at: Mapped[datetime | None]
    duration_months: Mapped[int | None]
    blind_review: Mapped[bool] = mapped_column(default=False)
    notice_days: Mapped[int] = mapped_column(default=DEFAULT_NOTICE_DAYS)
    # Officer's override of the bid co-funding ratio own:public; NULL = the default
    # by the lead organisation's kind (2:1 enterprise, 1:1 university/institute).
    cofund_own: Mapped[int | None]
    cofund_public: Mapped[int | None]
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    owner_org = relationship("Organization", lazy="joined")
    created_by = relationship("User")
    indicators: Mapped[list["ChallengeIndicator"]] = relationship(
        back_populates="challenge", cascade="all, delete-orphan", order_by="ChallengeIndicator.position")
    rubric: Mapped[list["RubricCriterion"]] = relationship(
        back_populates="challenge", cascade="all, delete-orphan", order_by="RubricCriterion.position")
    attachments: Mapped[list["ChallengeAttachment"]] = relationship(
        back_populates="challenge", cascade="all, delete-orphan", order_by="ChallengeAttachment.id")

    # Filled by queries that count bids in one go (the board).
    bid_count: Mapped[int | None] = query_expression()

    __table_args__ = (
        sa.CheckConstraint("budget_fen IS NULL OR budget_fen > 0", name="budget_positive"),
        sa.CheckConstraint("enterprise_cofunding_fen IS NULL OR enterprise_cofunding_fen >= 0",
                           name="cofunding_not_negative"),
        sa.CheckConstraint("max_winners >= 1", name="max_winners_positive"),
        sa.CheckConstraint("pass_mark BETWEEN 0 AND 100", name="pass_mark_range"),
        sa.CheckConstraint("notice_days >= 0", name="notice_days_not_negative"),
        sa.CheckConstraint("duration_months IS NULL OR duration_months > 0", name="duration_positive"),
        sa.CheckConstraint("(cofund_own IS NULL AND cofund_public IS NULL) OR "
                           "(cofund_own > 0 AND cofund_public > 0)", name="cofund_ratio_pair"),
        # Every state after publication keeps the moment it was published.
        sa.CheckConstraint("state IN ('draft', 'submitted', 'withdrawn') OR published_at IS NOT NULL",
                           name="published_has_time"),
    )

    @property
    def field_label(self) -> str:
        return str(FIELD_LABELS[self.field]) if self.field else ""

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_STATES or (
            self.state == ChallengeState.withdrawn and self.published_at is not None)

    def bidding_open(self, now: datetime | None = None) -> bool:
        now = now or clock.now()
        return (self.state == ChallengeState.published and self.deadline_at is not None
                and now < self.deadline_at)

    def remaining(self, now: datetime | None = None):
        """(days, hours, minutes) left to the deadline, or None once passed."""
        now = now or clock.now()
        if self.deadline_at is None or now >= self.deadline_at:
            return None
        seconds = int((self.deadline_at - now).total_seconds())
        return seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60

    def __str__(self) -> str:
        return self.title


# The board's orders, served by an index each (the last page as cheap as the first):
# open challenges first by nearest deadline; by budget. ``state`` is in the first so the
# public board's filter is read from the index alone.
BOARD_OPEN_FIRST = Challenge.state != sa.literal_column("'published'")
# (written as PostgreSQL prints it back, so that the migration and the models compare equal;
# SQLite gets its own form from the migration, and ``create_all`` leaves it out)
sa.Index("ix_challenges_board", sa.text("(state::text <> 'published'::text)"), Challenge.deadline_at, Challenge.id,
         Challenge.state).ddl_if(dialect="postgresql")
sa.Index("ix_challenges_budget", Challenge.budget_fen.desc(), Challenge.id.desc(), Challenge.state)


class ChallengeIndicator(db.Model):
    """A required performance indicator; a binding one is a pledge (军令状)."""

    __tablename__ = "challenge_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenges.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(200))
    target_value: Mapped[str] = mapped_column(sa.String(100))
    unit: Mapped[str] = mapped_column(sa.String(50), default="")
    binding: Mapped[bool] = mapped_column(default=False)

    challenge: Mapped[Challenge] = relationship(back_populates="indicators")


class RubricCriterion(db.Model):
    """One scoring criterion; a challenge's weights add up to 100."""

    __tablename__ = "rubric_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenges.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(200))
    weight: Mapped[int]

    challenge: Mapped[Challenge] = relationship(back_populates="rubric")

    __table_args__ = (sa.CheckConstraint("weight BETWEEN 1 AND 100", name="weight_range"),)


class ChallengeAttachment(AttachmentMixin, db.Model):
    """A PDF stored outside the web root under a generated name."""

    __tablename__ = "challenge_attachments"

    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenges.id", ondelete="CASCADE"), index=True)

    challenge: Mapped[Challenge] = relationship(back_populates="attachments")

    download_endpoint = "challenges.attachment"

    @property
    def download_args(self) -> dict:
        return {"challenge_id": self.challenge_id, "attachment_id": self.id}
