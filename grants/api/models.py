"""Personal API tokens: a user's key for the JSON API, stored only as a hash."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core.models import Timestamps
from grants.extensions import db


class ApiToken(Timestamps, db.Model):
    __tablename__ = "api_tokens"
    __audit_type__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    # SHA-256 of the whole token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The first characters, so the owner can tell tokens apart in the list.
    hint: Mapped[str] = mapped_column(sa.String(12))
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user = relationship("User", lazy="joined")

    __table_args__ = (sa.CheckConstraint("expires_at > created_at", name="expires_after_creation"),)

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.hint}… user={self.user_id}>"


class IdempotencyKey(db.Model):
    """The first answer to a POST sent with an ``Idempotency-Key`` header, per token:
    a retry with the same key and body gets this answer again instead of doing the
    work twice. ``status`` is None while the first request is still running."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(sa.ForeignKey("api_tokens.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(255))
    # SHA-256 of the method, path and body: the same key with another request is refused.
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[int | None]
    content_type: Mapped[str | None] = mapped_column(sa.String(100))
    body: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime]

    __table_args__ = (sa.UniqueConstraint("token_id", "key", name="uq_idempotency_keys_token_key"),)
