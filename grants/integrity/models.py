"""Research-integrity red and black list entries (科研诚信红黑名单)."""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core.models import Timestamps, enum_type
from grants.extensions import db


class ListKind(enum.StrEnum):
    black = "black"
    red = "red"


class SubjectType(enum.StrEnum):
    person = "person"
    organization = "organization"


class EntryStatus(enum.StrEnum):
    pending = "pending"  # start date not reached yet
    in_force = "in_force"
    expired = "expired"
    revoked = "revoked"


LIST_LABELS = {ListKind.black: _l("black list"), ListKind.red: _l("red list")}
SUBJECT_LABELS = {SubjectType.person: _l("Person"), SubjectType.organization: _l("Organisation")}
STATUS_LABELS = {
    EntryStatus.pending: _l("not yet in force"),
    EntryStatus.in_force: _l("in force"),
    EntryStatus.expired: _l("expired"),
    EntryStatus.revoked: _l("revoked"),
}


class IntegrityEntry(Timestamps, db.Model):
    """One listing of a subject. Never deleted or edited: corrected by revoking."""

    __tablename__ = "integrity_entries"
    __audit_type__ = "integrity_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    list: Mapped[ListKind] = mapped_column(enum_type(ListKind, 10))
    subject_type: Mapped[SubjectType] = mapped_column(enum_type(SubjectType, 20))
    subject_code: Mapped[str] = mapped_column(sa.String(18))
    subject_name: Mapped[str] = mapped_column(sa.String(200))
    reason: Mapped[str] = mapped_column(sa.Text)
    basis: Mapped[str] = mapped_column(sa.String(200))
    authority: Mapped[str] = mapped_column(sa.String(200))
    start_on: Mapped[date]
    end_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    revocation_reason: Mapped[str | None] = mapped_column(sa.Text)
    # When the effects of a black entry coming into force were applied to
    # live work (bids, projects, review assignments); set once.
    effects_applied_at: Mapped[datetime | None]

    created_by = relationship("User", foreign_keys=[created_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])

    __table_args__ = (
        # Re-importing the same file adds nothing twice.
        sa.UniqueConstraint("list", "subject_type", "subject_code", "basis", "start_on",
                            name="uq_integrity_entries_identity"),
        sa.CheckConstraint("end_on IS NULL OR end_on >= start_on", name="end_after_start"),
        sa.CheckConstraint(
            "(revoked_at IS NULL AND revocation_reason IS NULL) OR "
            "(revoked_at IS NOT NULL AND revocation_reason IS NOT NULL)",
            name="revocation_has_reason",
        ),
        sa.Index("ix_integrity_entries_lookup", "subject_code", "list", "start_on"),
    )

    def status(self, on: date) -> EntryStatus:
        if self.revoked_at is not None:
            return EntryStatus.revoked
        if on < self.start_on:
            return EntryStatus.pending
        if self.end_on is not None and on > self.end_on:
            return EntryStatus.expired
        return EntryStatus.in_force

    def in_force(self, on: date) -> bool:
        return self.status(on) == EntryStatus.in_force

    @property
    def list_label(self) -> str:
        return str(LIST_LABELS[self.list])

    @property
    def subject_label(self) -> str:
        return str(SUBJECT_LABELS[self.subject_type])

    def __repr__(self) -> str:
        return f"<IntegrityEntry {self.id} {self.list} {self.subject_code}>"


def in_force_clause(on: date):
    """SQL condition: the entry is in force on ``on``."""
    return sa.and_(
        IntegrityEntry.revoked_at.is_(None),
        IntegrityEntry.start_on <= on,
        sa.or_(IntegrityEntry.end_on.is_(None), IntegrityEntry.end_on >= on),
    )
