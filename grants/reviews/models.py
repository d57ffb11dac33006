"""Reviewer profiles and the expert review of bids."""
from __future__ import annotations

import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core.models import Timestamps, enum_type
from grants.extensions import db


class ChallengeField(enum.StrEnum):
    """Technical fields of challenges; a reviewer's expertise uses the same list."""

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
