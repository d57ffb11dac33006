"""Self-service registration: organisations, invitations, expert applications, one-time links."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.auth.models import ORG_KIND_LABELS, Organization, OrgKind, User
from grants.core.attachments import AttachmentMixin
from grants.core.models import Timestamps, Versioned, enum_type
from grants.extensions import db


class ApplicationState(enum.StrEnum):
    """An organisation's registration or an expert's application, waiting for the bureau."""

    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"


APPLICATION_STATE_LABELS = {
    ApplicationState.submitted: _l("waiting for the bureau"),
    ApplicationState.approved: _l("approved"),
    ApplicationState.rejected: _l("rejected"),
}


class RegistrationFile(AttachmentMixin, db.Model):
    """A PDF sent with a registration (the licence) or an application (the CV)."""

    __tablename__ = "registration_files"

    download_endpoint = "registration.file"

    @property
    def download_args(self) -> dict:
        return {"file_id": self.id}


class OrgRegistration(Timestamps, Versioned, db.Model):
    """An organisation asking to join, with its contact, the future organisation manager."""

    __tablename__ = "org_registrations"
    __audit_type__ = "org_registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[ApplicationState] = mapped_column(
        enum_type(ApplicationState, 20), default=ApplicationState.submitted, index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[OrgKind] = mapped_column(enum_type(OrgKind, 20))
    credit_code: Mapped[str] = mapped_column(sa.String(18), index=True)
    address: Mapped[str] = mapped_column(sa.String(300))
    contact_name: Mapped[str] = mapped_column(sa.String(100))
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    contact_mobile: Mapped[str] = mapped_column(sa.String(20))
    contact_id_number: Mapped[str | None] = mapped_column(sa.String(18))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    email_confirmed_at: Mapped[datetime | None]
    licence_id: Mapped[int] = mapped_column(sa.ForeignKey("registration_files.id"))
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)

    licence: Mapped[RegistrationFile] = relationship(lazy="joined")
    organization: Mapped[Organization | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    __table_args__ = (
        # One registration of a code waits at a time; a rejected one may be tried again.
        sa.Index("uq_org_registrations_waiting_code", "credit_code", unique=True,
                 sqlite_where=sa.text("state = 'submitted'"), postgresql_where=sa.text("state = 'submitted'")),
    )

    @property
    def kind_label(self) -> str:
        return str(ORG_KIND_LABELS[self.kind])

    @property
    def state_label(self) -> str:
        return str(APPLICATION_STATE_LABELS[self.state])

    @property
    def email(self) -> str:
        return self.contact_email

    def __str__(self) -> str:
        return self.name


class OrgManager(db.Model):
    """The one manager of an organisation's accounts (its first contact, until handed over)."""

    __tablename__ = "org_managers"

    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)

    user: Mapped[User] = relationship()


class ExpertApplication(Timestamps, Versioned, db.Model):
    """An expert asking to join the review pool; once approved, the expert's own record
    of employer and experience (the pool's profile keeps title and fields)."""

    __tablename__ = "expert_applications"
    __audit_type__ = "expert_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[ApplicationState] = mapped_column(
        enum_type(ApplicationState, 20), default=ApplicationState.submitted, index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    mobile: Mapped[str] = mapped_column(sa.String(20))
    id_number: Mapped[str] = mapped_column(sa.String(18), index=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    title: Mapped[str] = mapped_column(sa.String(100))
    fields: Mapped[list] = mapped_column(sa.JSON)
    employer_org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    employer_name: Mapped[str] = mapped_column(sa.String(200))
    years: Mapped[int]
    email_confirmed_at: Mapped[datetime | None]
    cv_id: Mapped[int] = mapped_column(sa.ForeignKey("registration_files.id"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)

    cv: Mapped[RegistrationFile] = relationship(lazy="joined")
    employer: Mapped[Organization | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    __table_args__ = (
        sa.CheckConstraint("years >= 0 AND years <= 80", name="years_in_range"),
    )

    @property
    def state_label(self) -> str:
        return str(APPLICATION_STATE_LABELS[self.state])

    @property
    def field_labels(self) -> list[str]:
        from grants.reviews.models import field_label

        return [field_label(f) for f in self.fields]

    @property
    def employer_label(self) -> str:
        return self.employer.name if self.employer is not None else self.employer_name

    def __str__(self) -> str:
        return self.name


class LinkPurpose(enum.StrEnum):
    confirm_email = "confirm_email"
    invitation = "invitation"


class OneTimeLink(Timestamps, db.Model):
    """A link sent by e-mail that works once, until it expires. Only its SHA-256 is kept."""

    __tablename__ = "one_time_links"
    __audit_type__ = "one_time_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[LinkPurpose] = mapped_column(enum_type(LinkPurpose, 20))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # What the link is about: an invitation's organisation (and the account it made),
    # or the registration or application whose address it confirms.
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    registration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_registrations.id"))
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("expert_applications.id"))

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    organization: Mapped[Organization | None] = relationship()
