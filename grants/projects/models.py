"""Projects created when an award is confirmed."""
from __future__ import annotations

import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core.models import Timestamps, Versioned, enum_type
from grants.extensions import db


class ProjectState(enum.StrEnum):
    contracting = "contracting"
    active = "active"
    suspended = "suspended"
    acceptance_requested = "acceptance_requested"
    under_acceptance = "under_acceptance"
    accepted = "accepted"
    rectifying = "rectifying"
    failed = "failed"
    terminated = "terminated"


PROJECT_STATE_LABELS = {
    ProjectState.contracting: _l("contracting (task agreement)"),
    ProjectState.active: _l("in progress"),
    ProjectState.suspended: _l("suspended"),
    ProjectState.acceptance_requested: _l("acceptance requested"),
    ProjectState.under_acceptance: _l("under acceptance"),
    ProjectState.accepted: _l("passed acceptance"),
    ProjectState.rectifying: _l("rectifying"),
    ProjectState.failed: _l("failed acceptance"),
    ProjectState.terminated: _l("terminated"),
}


class Project(Timestamps, Versioned, db.Model):
    __tablename__ = "projects"
    __audit_type__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[ProjectState] = mapped_column(enum_type(ProjectState), default=ProjectState.contracting,
                                                index=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenges.id"), index=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id"), unique=True)
    lead_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    lead_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    award_fen: Mapped[int] = mapped_column(sa.BigInteger)

    challenge = relationship("Challenge")
    bid = relationship("Bid")
    lead_org = relationship("Organization", lazy="joined")
    lead_person = relationship("Person")

    __table_args__ = (sa.CheckConstraint("award_fen > 0", name="award_positive"),)

    @property
    def state_label(self) -> str:
        return str(PROJECT_STATE_LABELS[self.state])

    def __str__(self) -> str:
        return self.title
