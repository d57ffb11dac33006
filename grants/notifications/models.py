"""The inbox (one row per user and thing asking them to act) and the e-mail outbox."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core import clock
from grants.extensions import db


class Notification(db.Model):
    """Something that asks ``user`` to act. Only the kind and its parameters are
    stored; the text is rendered when read, in the reader's language
    (:func:`grants.notifications.kinds.render`)."""

    __tablename__ = "notifications"
    __audit_type__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(60))
    parameters: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    link: Mapped[str | None] = mapped_column(sa.String(500))
    # What the notification asks about ("review_assignment:12"): answering or withdrawing that
    # request marks its notifications read (:func:`grants.notifications.services.settle`).
    subject: Mapped[str | None] = mapped_column(sa.String(80), index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    read_at: Mapped[datetime | None]

    user = relationship("User")

    # The inbox (newest first) and the unread count read this index.
    __table_args__ = (sa.Index("ix_notifications_user_read", "user_id", "read_at", "id"),)

    @property
    def unread(self) -> bool:
        return self.read_at is None

    @property
    def text(self) -> str:
        from grants.notifications.kinds import render

        return render(self.kind, self.parameters)

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} user={self.user_id}>"


class OutboundEmail(db.Model):
    """An e-mail waiting for ``flask mail send`` (or sent by it)."""

    __tablename__ = "outbound_emails"
    __audit_type__ = "outbound_email"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)

    @property
    def sent(self) -> bool:
        return self.sent_at is not None

    def __repr__(self) -> str:
        return f"<OutboundEmail {self.id} to={self.to_address}>"
