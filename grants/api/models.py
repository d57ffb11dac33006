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
