"""Bids (揭榜申报): a team's answer to a published challenge."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core.attachments import AttachmentMixin
from grants.core.models import Timestamps, Versioned, enum_type
from grants.extensions import db


class BidState(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    eligible = "eligible"
    ineligible = "ineligible"
    under_review = "under_review"
    recommended = "recommended"
    not_recommended = "not_recommended"
    awarded = "awarded"
    withdrawn = "withdrawn"


# A bid in one of these states is flagged when a black entry hits one of its parties.
LIVE_STATES = (BidState.submitted, BidState.eligible, BidState.under_review, BidState.recommended)
# Bids not listed to the challenge's owner and officers, nor counted as "bids so far" on the board.
UNLISTED_STATES = (BidState.draft, BidState.withdrawn)
COUNTED_STATES = tuple(s for s in BidState if s not in UNLISTED_STATES)


class Bid(Timestamps, Versioned, db.Model):
    __tablename__ = "bids"
    __audit_type__ = "bid"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[BidState] = mapped_column(enum_type(BidState), default=BidState.draft, index=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenges.id"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    lead_id: Mapped[int | None] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # A draft may be incomplete; submit checks everything.
    title: Mapped[str] = mapped_column(sa.String(200))
    technical_approach: Mapped[str | None] = mapped_column(sa.Text)
    requested_fen: Mapped[int | None] = mapped_column(sa.BigInteger)
    equipment_fen: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    materials_fen: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    personnel_fen: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    other_fen: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    own_cofunding_fen: Mapped[int | None] = mapped_column(sa.BigInteger)
    declaration_confirmed_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Set when a black entry came into force against one of the bid's parties.
    integrity_flagged_at: Mapped[datetime | None]
    integrity_flag_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("integrity_entries.id"))

    challenge = relationship("Challenge", lazy="joined")
    organization = relationship("Organization", lazy="joined")
    lead = relationship("Person")
    created_by = relationship("User")
    integrity_flag_entry = relationship("IntegrityEntry")
    members: Mapped[list["BidMember"]] = relationship(
        back_populates="bid", cascade="all, delete-orphan", order_by="BidMember.position")
    indicators: Mapped[list["BidIndicator"]] = relationship(
        back_populates="bid", cascade="all, delete-orphan")
    milestones: Mapped[list["BidMilestone"]] = relationship(
        back_populates="bid", cascade="all, delete-orphan", order_by="BidMilestone.month")
    partners: Mapped[list["BidPartner"]] = relationship(
        back_populates="bid", cascade="all, delete-orphan", order_by="BidPartner.id")
    attachments: Mapped[list["BidAttachment"]] = relationship(
        back_populates="bid", cascade="all, delete-orphan", order_by="BidAttachment.id")

    __table_args__ = (
        # One live bid per organisation and challenge.
        sa.Index("uq_bids_live_per_org", "challenge_id", "organization_id", unique=True,
                 sqlite_where=sa.text("state != 'withdrawn'"),
                 postgresql_where=sa.text("state != 'withdrawn'")),
        # Bids so far per challenge, counted from the index alone.
        sa.Index("ix_bids_challenge_state", "challenge_id", "state"),
        sa.CheckConstraint("requested_fen IS NULL OR requested_fen > 0", name="requested_positive"),
        sa.CheckConstraint("equipment_fen >= 0 AND materials_fen >= 0 AND personnel_fen >= 0 "
                           "AND other_fen >= 0", name="breakdown_not_negative"),
        sa.CheckConstraint("own_cofunding_fen IS NULL OR own_cofunding_fen >= 0",
                           name="cofunding_not_negative"),
        sa.CheckConstraint("state != 'ineligible' OR rejection_reason IS NOT NULL",
                           name="ineligible_has_reason"),
        sa.CheckConstraint("state IN ('draft', 'withdrawn') OR submitted_at IS NOT NULL",
                           name="submitted_has_time"),
        sa.CheckConstraint("(integrity_flagged_at IS NULL) = (integrity_flag_entry_id IS NULL)",
                           name="flag_has_entry"),
    )

    @property
    def breakdown_total_fen(self) -> int:
        return self.equipment_fen + self.materials_fen + self.personnel_fen + self.other_fen

    @property
    def declaration_confirmed(self) -> bool:
        return self.declaration_confirmed_at is not None

    def __str__(self) -> str:
        return self.title


class BidMember(db.Model):
    __tablename__ = "bid_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(100), default="")
    position: Mapped[int] = mapped_column(default=0)

    bid: Mapped[Bid] = relationship(back_populates="members")
    person = relationship("Person", lazy="joined")

    __table_args__ = (sa.UniqueConstraint("bid_id", "person_id", name="uq_bid_members_person"),)


class BidIndicator(db.Model):
    """The value a bid promises against one of the challenge's indicators."""

    __tablename__ = "bid_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id", ondelete="CASCADE"), index=True)
    challenge_indicator_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_indicators.id", ondelete="CASCADE"))
    promised_value: Mapped[str] = mapped_column(sa.String(100))

    bid: Mapped[Bid] = relationship(back_populates="indicators")
    challenge_indicator = relationship("ChallengeIndicator", lazy="joined")

    __table_args__ = (sa.UniqueConstraint("bid_id", "challenge_indicator_id", name="uq_bid_indicators_one"),)


class BidMilestone(db.Model):
    __tablename__ = "bid_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(200))
    month: Mapped[int]  # months after the project starts
    deliverable: Mapped[str] = mapped_column(sa.Text, default="")

    bid: Mapped[Bid] = relationship(back_populates="milestones")

    __table_args__ = (sa.CheckConstraint("month >= 1", name="month_positive"),)


class BidPartner(db.Model):
    """A partner organisation; it confirms its participation itself."""

    __tablename__ = "bid_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    confirmed: Mapped[bool] = mapped_column(default=False)
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    bid: Mapped[Bid] = relationship(back_populates="partners")
    organization = relationship("Organization", lazy="joined")
    confirmed_by = relationship("User")

    __table_args__ = (
        sa.UniqueConstraint("bid_id", "organization_id", name="uq_bid_partners_org"),
        sa.CheckConstraint("confirmed = (confirmed_at IS NOT NULL)", name="confirmed_has_time"),
    )


class BidAttachment(AttachmentMixin, db.Model):
    """A PDF stored outside the web root under a generated name."""

    __tablename__ = "bid_attachments"

    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id", ondelete="CASCADE"), index=True)

    bid: Mapped[Bid] = relationship(back_populates="attachments")

    download_endpoint = "bids.attachment"

    @property
    def download_args(self) -> dict:
        return {"bid_id": self.bid_id, "attachment_id": self.id}


BID_STATE_LABELS = {
    BidState.draft: _l("draft"),
    BidState.submitted: _l("submitted"),
    BidState.eligible: _l("eligible"),
    BidState.ineligible: _l("ineligible"),
    BidState.under_review: _l("under review"),
    BidState.recommended: _l("recommended"),
    BidState.not_recommended: _l("not recommended"),
    BidState.awarded: _l("awarded"),
    BidState.withdrawn: _l("withdrawn"),
}
