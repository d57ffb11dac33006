"""Acceptance certificates (验收证书) and their per-year number counter."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from grants.core.models import Timestamps, Versioned, enum_type
from grants.extensions import db
from grants.projects.models import Project


class CertificateState(enum.StrEnum):
    issued = "issued"
    revoked = "revoked"


CERTIFICATE_STATE_LABELS = {
    CertificateState.issued: _l("valid"),
    CertificateState.revoked: _l("revoked"),
}


class CertificateCounter(db.Model):
    """The last sequence number given out in a year. Incremented under a row
    lock in the issuing transaction, so numbers have no gaps and no repeats."""

    __tablename__ = "certificate_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_sequence: Mapped[int] = mapped_column(default=0)


class Certificate(Timestamps, Versioned, db.Model):
    """One issued certificate. ``contents`` is the snapshot of plain values the
    PDF was rendered from; ``pdf`` holds the signed bytes served every time.

    With a job queue (``JOB_QUEUE_URL``) the number and contents are fixed when
    the certificate is issued and the worker renders and signs the PDF a
    moment later; until then ``pdf`` is empty and the pages say it is being
    prepared (:attr:`is_rendered`)."""

    __tablename__ = "certificates"
    __audit_type__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[CertificateState] = mapped_column(enum_type(CertificateState), default=CertificateState.issued,
                                                    index=True)
    number: Mapped[str] = mapped_column(sa.String(24), unique=True)
    year: Mapped[int]
    sequence: Mapped[int]
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    issued_at: Mapped[datetime]
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    conclusion: Mapped[str] = mapped_column(sa.Text)
    contents: Mapped[dict] = mapped_column(sa.JSON)
    signer: Mapped[str] = mapped_column(sa.String(300))
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    pdf_size: Mapped[int | None]
    pdf: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(sa.Text)

    project: Mapped[Project] = relationship(lazy="joined")
    issued_by = relationship("User")

    __table_args__ = (
        sa.UniqueConstraint("year", "sequence", name="uq_certificates_year_sequence"),
        sa.CheckConstraint("sequence > 0", name="sequence_positive"),
        sa.CheckConstraint("(pdf IS NULL AND pdf_sha256 IS NULL AND pdf_size IS NULL) OR "
                           "(pdf IS NOT NULL AND pdf_sha256 IS NOT NULL AND pdf_size IS NOT NULL)",
                           name="pdf_complete"),
        sa.CheckConstraint("state = 'issued' OR (revoked_at IS NOT NULL AND revoked_reason IS NOT NULL)",
                           name="revoked_has_reason"),
        # At most one certificate in force per project; a revoked one stays on record.
        sa.Index("uq_certificates_one_in_force", "project_id", unique=True,
                 sqlite_where=sa.text("state = 'issued'"), postgresql_where=sa.text("state = 'issued'")),
    )

    @property
    def state_label(self) -> str:
        return str(CERTIFICATE_STATE_LABELS[self.state])

    @property
    def is_rendered(self) -> bool:
        """The signed PDF is stored (False while the worker prepares it)."""
        return self.pdf_sha256 is not None

    @property
    def is_valid(self) -> bool:
        return self.state == CertificateState.issued

    def __str__(self) -> str:
        return self.number
