"""Shared column helpers, the objection states and the audit event model."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from grants.core import clock
from grants.extensions import db


def enum_type(enum_cls: type[enum.Enum], length: int = 30) -> sa.Enum:
    """A VARCHAR with a CHECK constraint holding the enum's values."""
    return sa.Enum(
        enum_cls,
        name=enum_cls.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class Versioned:
    """Optimistic concurrency: an UPDATE that lost a race raises StaleDataError."""

    version: Mapped[int] = mapped_column(nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


# An objection (异议) to a list entry or to a proposed award: open until the
# bureau upholds or dismisses it.
class ObjectionState(enum.StrEnum):
    open = "open"
    upheld = "upheld"
    dismissed = "dismissed"


OBJECTION_STATE_LABELS = {
    ObjectionState.open: _l("open"),
    ObjectionState.upheld: _l("upheld"),
    ObjectionState.dismissed: _l("dismissed"),
}


class AuditEvent(db.Model):
    """One append-only, hash-chained record of something that happened."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int]
    action: Mapped[str] = mapped_column(sa.String(60))
    from_state: Mapped[str | None] = mapped_column(sa.String(30))
    to_state: Mapped[str | None] = mapped_column(sa.String(30))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(sa.String(200))
    at: Mapped[datetime]
    comment: Mapped[str | None] = mapped_column(sa.Text)
    evidence: Mapped[dict | None] = mapped_column(sa.JSON)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    __table_args__ = (sa.Index("ix_audit_events_object", "object_type", "object_id", "id"),)

    actor = db.relationship("User", lazy="joined")

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.object_type}:{self.object_id} {self.action}>"
