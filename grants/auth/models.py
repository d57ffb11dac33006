"""Accounts: users, organisations and persons."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from grants.core.codes import mask_id_number
from grants.core.models import Timestamps, enum_type
from grants.core.permissions import Role  # noqa: F401  (re-exported: accounts own the roles' labels)
from grants.extensions import db




ROLE_LABELS = {
    Role.admin: _l("System administrator"),
    Role.officer: _l("Programme officer"),
    Role.enterprise: _l("Enterprise"),
    Role.applicant: _l("Research team"),
    Role.reviewer: _l("Expert reviewer"),
}


class OrgKind(enum.StrEnum):
    enterprise = "enterprise"
    university = "university"
    institute = "institute"
    other = "other"


ORG_KIND_LABELS = {
    OrgKind.enterprise: _l("Enterprise"),
    OrgKind.university: _l("University"),
    OrgKind.institute: _l("Research institute"),
    OrgKind.other: _l("Other"),
}


class Organization(Timestamps, db.Model):
    __tablename__ = "organizations"
    __audit_type__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    kind: Mapped[OrgKind] = mapped_column(enum_type(OrgKind, 20))
    credit_code: Mapped[str] = mapped_column(sa.String(18), unique=True)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def kind_label(self) -> str:
        return str(ORG_KIND_LABELS[self.kind])

    def __str__(self) -> str:
        return self.name


class Person(Timestamps, db.Model):
    """A natural person identified by resident ID number (lead, member, expert)."""

    __tablename__ = "persons"
    __audit_type__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), index=True)
    id_number: Mapped[str] = mapped_column(sa.String(18), unique=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))

    organization: Mapped[Organization | None] = relationship()

    def masked_id(self) -> str:
        return mask_id_number(self.id_number)

    def id_for(self, viewer) -> str:
        """The full number or a mask, as ``auth.see_id_number`` says for ``viewer``."""
        from grants.auth.permissions import can_see_id_number

        return self.id_number if can_see_id_number(viewer, self) is None else self.masked_id()

    def __str__(self) -> str:
        return self.name


class User(UserMixin, Timestamps, db.Model):
    __tablename__ = "users"
    __audit_type__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(100))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(enum_type(Role, 20))
    active: Mapped[bool] = mapped_column(default=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("persons.id"), unique=True)
    last_login_at: Mapped[datetime | None]
    # Part of every session and remember-me cookie (``get_id``): raising it
    # (sign-out, a new password, deactivation) ends them all, on every device.
    session_generation: Mapped[int] = mapped_column(default=1, server_default="1")
    # Set by an administrator's reset: the temporary password must be replaced
    # before anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    organization: Mapped[Organization | None] = relationship(lazy="joined")
    person: Mapped[Person | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        """A deactivated account, or an account of a deactivated organisation, is shut out."""
        return self.active and (self.organization is None or self.organization.active)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation}"

    def end_sessions(self) -> None:
        """Every session and remember-me cookie issued so far stops working."""
        self.session_generation = (self.session_generation or 1) + 1

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS[self.role])

    def __str__(self) -> str:
        return self.display_name


class PasswordReset(Timestamps, db.Model):
    """A link e-mailed to choose a new password: it works once, for an hour, and only
    while it is the newest one asked for. Only the SHA-256 of its secret is kept."""

    __tablename__ = "password_resets"
    __audit_type__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # Set when a newer link is asked for, or the password is set with another one.
    superseded_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def user_for_session(user_id: str) -> User | None:
    """The user a session or remember-me cookie names, if it is still current:
    the account is active and the cookie's generation is the account's."""
    ident, _sep, generation = (user_id or "").partition(":")
    if not ident.isdigit() or not generation.isdigit() or int(ident) > 2**31 - 1:
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.is_active or user.session_generation != int(generation):
        return None
    return user
