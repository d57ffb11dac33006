"""Account operations shared by the pages, the CLI and the API.

They validate, change the session and write audit events; they flush but
never commit (the request or command commits once).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from email_validator import EmailNotValidError, validate_email

from grants.auth.models import Organization, OrgKind, Person, Role, User
from grants.core import audit
from grants.core.codes import credit_code_error, id_number_error, normalize_code
from grants.core.errors import ValidationFailed
from grants.core.permissions import require
from grants.extensions import db

MIN_PASSWORD = 8


def _fail(field: str, label, problem) -> None:
    message = _("%(field)s %(problem)s", field=label, problem=problem)
    raise ValidationFailed(message, details={field: message})


def check_credit_code(value: str) -> str:
    code = normalize_code(value)
    problem = credit_code_error(code)
    if problem:
        _fail("credit_code", _l("Unified social credit code"), problem)
    return code


def check_id_number(value: str) -> str:
    code = normalize_code(value)
    problem = id_number_error(code)
    if problem:
        _fail("id_number", _l("Resident ID number"), problem)
    return code


def _check_name(field: str, label, value: str | None, max_len: int) -> str:
    value = (value or "").strip()
    if not value:
        _fail(field, label, _l("is required"))
    if len(value) > max_len:
        _fail(field, label, _l("is longer than %(n)s characters", n=max_len))
    return value


def _check_kind(kind) -> OrgKind:
    try:
        return OrgKind(kind)
    except ValueError:
        _fail("kind", _l("Kind"), _l("must be one of: %(values)s",
                                    values=", ".join(k.value for k in OrgKind)))


def _check_role(role) -> Role:
    try:
        return Role(role)
    except ValueError:
        _fail("role", _l("Role"), _l("must be one of: %(values)s",
                                    values=", ".join(r.value for r in Role)))


def organization_by_code(code: str) -> Organization | None:
    return db.session.scalar(sa.select(Organization).where(Organization.credit_code == normalize_code(code)))


def find_organizations(text: str, *, limit: int = 10, exclude_id: int | None = None) -> list[Organization]:
    """Active registered organisations whose name contains ``text`` or whose credit code starts with it."""
    text = (text or "").strip()
    if len(text) < 2:
        return []
    query = (sa.select(Organization)
             .where(Organization.active.is_(True),
                    sa.or_(Organization.name.contains(text, autoescape=True),
                           Organization.credit_code.startswith(normalize_code(text), autoescape=True)))
             .order_by(Organization.name).limit(limit))
    if exclude_id is not None:
        query = query.where(Organization.id != exclude_id)
    return list(db.session.scalars(query))


def person_by_id_number(id_number: str) -> Person | None:
    return db.session.scalar(sa.select(Person).where(Person.id_number == normalize_code(id_number)))


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))


def create_organization(*, name: str, kind, credit_code: str, actor=None) -> Organization:
    if actor is not None:  # None: the system (a command)
        require("auth.manage_organisations", actor)
    name = _check_name("name", _l("Name"), name, 200)
    kind = _check_kind(kind)
    code = check_credit_code(credit_code)
    if organization_by_code(code):
        _fail("credit_code", _l("Unified social credit code"),
              _l("%(code)s is already registered", code=code))
    org = Organization(name=name, kind=kind, credit_code=code)
    db.session.add(org)
    db.session.flush()
    audit.record(org, "create", actor=actor, evidence={"name": name, "kind": kind.value, "credit_code": code})
    return org


def update_organization(org: Organization, *, name: str, kind, actor) -> Organization:
    if actor is not None:  # None: the system (a command)
        require("auth.manage_organisations", actor, org)
    org.name = _check_name("name", _l("Name"), name, 200)
    org.kind = _check_kind(kind)
    db.session.flush()
    audit.record(org, "update", actor=actor, evidence={"name": org.name, "kind": org.kind.value})
    return org


def set_organization_active(org: Organization, active: bool, *, actor) -> None:
    if actor is not None:  # None: the system (a command)
        require("auth.manage_organisations", actor, org)
    org.active = active
    audit.record(org, "activate" if active else "deactivate", actor=actor)


def ensure_person(*, name: str, id_number: str, organization: Organization | None = None,
                  actor=None) -> Person:
    """The person with this ID number, registering them on first sight."""
    code = check_id_number(id_number)
    name = _check_name("person_name", _l("Name"), name, 100)
    person = person_by_id_number(code)
    if person is None:
        person = Person(name=name, id_number=code, organization=organization)
        db.session.add(person)
        db.session.flush()
        audit.record(person, "create", actor=actor, evidence={"name": name})
    elif person.name != name:
        _fail("id_number", _l("Resident ID number"),
              _l("is registered to another name; check the name and the number"))
    return person


def normalize_email(email: str) -> str:
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        _fail("email", _l("Email"), _l("is not a valid address (%(why)s)", why=str(exc)))


def check_password_strength(password: str) -> None:
    if not password or len(password) < MIN_PASSWORD:
        _fail("password", _l("Password"), _l("must be at least %(n)s characters", n=MIN_PASSWORD))


def create_user(*, email: str, display_name: str, password: str, role, organization=None,
                id_number: str | None = None, actor=None) -> User:
    if actor is not None:  # None: the system (a command)
        require("auth.manage_users", actor)
    email = normalize_email(email)
    display_name = _check_name("display_name", _l("Name"), display_name, 100)
    role = _check_role(role)
    check_password_strength(password)
    if user_by_email(email):
        _fail("email", _l("Email"), _l("%(email)s already has an account", email=email))
    _check_role_fits(role, organization, bool(id_number))
    person = None
    if id_number:
        person = ensure_person(name=display_name, id_number=id_number, organization=organization, actor=actor)
        if db.session.scalar(sa.select(User.id).where(User.person_id == person.id)):
            _fail("id_number", _l("Resident ID number"), _l("already belongs to another account"))
    user = User(email=email, display_name=display_name, role=role,
                organization=organization, person=person)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(user, "create", actor=actor,
                 evidence={"email": email, "role": role.value,
                           "organization": organization.credit_code if organization else None})
    return user


def _check_role_fits(role: Role, organization, has_person: bool) -> None:
    """The same rules whether an account is created or changed."""
    if role in (Role.enterprise, Role.applicant) and organization is None:
        _fail("organization", _l("Organisation"), _l("is required for this role"))
    if role == Role.enterprise and organization.kind != OrgKind.enterprise:
        _fail("organization", _l("Organisation"), _l("must be an enterprise for an enterprise account"))
    if role in (Role.applicant, Role.reviewer) and not has_person:
        _fail("id_number", _l("Resident ID number"), _l("is required for this role"))


def update_user(user: User, *, display_name: str, role, organization, actor) -> User:
    if actor is not None:  # None: the system (a command)
        require("auth.manage_users", actor, user)
    display_name = _check_name("display_name", _l("Name"), display_name, 100)
    role = _check_role(role)
    _check_role_fits(role, organization, user.person_id is not None)
    user.display_name = display_name
    user.role = role
    user.organization = organization
    db.session.flush()
    audit.record(user, "update", actor=actor,
                 evidence={"role": role.value,
                           "organization": organization.credit_code if organization else None})
    return user


def set_user_active(user: User, active: bool, *, actor) -> None:
    if actor is not None:  # None: the system (a command)
        require("auth.manage_users", actor, user)
    if actor is not None and user.id == actor.id and not active:
        raise ValidationFailed(_("You cannot deactivate your own account."))
    user.active = active
    audit.record(user, "activate" if active else "deactivate", actor=actor)
