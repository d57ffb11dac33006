"""Account operations shared by the pages, the CLI and the API.

They validate, change the session and write audit events; they flush but
never commit (the request or command commits once).
"""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from email_validator import EmailNotValidError, validate_email
from werkzeug.security import check_password_hash
from zxcvbn import zxcvbn

from grants.auth.models import Organization, OrgKind, Person, Role, User, hash_password
from grants.core import audit
from grants.core.codes import credit_code_error, id_number_error, normalize_code
from grants.core.errors import ValidationFailed
from grants.core.permissions import require
from grants.extensions import db

MIN_PASSWORD = 8
MAX_PASSWORD = 200  # long enough for any passphrase; bounds the strength check's work
# zxcvbn's scores: 0 too guessable ... 4 very unguessable; 3 is "safely
# unguessable" (about 10^10 guesses), what an offline attack on a leaked hash needs.
DEFAULT_MIN_SCORE = 3


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


def organization_by_name(name: str) -> Organization | None:
    """The active organisation registered under exactly ``name`` (spaces ignored), if one is."""
    words = "".join((name or "").split())
    if not words:
        return None
    return db.session.scalars(sa.select(Organization).where(
        Organization.active.is_(True), sa.func.replace(Organization.name, " ", "") == words)).first()


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


def normalize_login(email: str) -> str:
    return (email or "").strip().lower()


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalize_login(email)))


def active_users(*, roles=None, organization_ids=None, person_ids=None) -> list[User]:
    """Accounts that can sign in (active, of an active organisation or none), of a role
    group, of the given organisations and/or persons, in the order they were created: who
    is told when something asks "the bureau", "the organisation" or "the lead" to act."""
    query = (sa.select(User).outerjoin(Organization, Organization.id == User.organization_id)
             .where(User.active, sa.or_(User.organization_id.is_(None), Organization.active)))
    if roles is not None:
        query = query.where(User.role.in_([str(r) for r in ([roles] if isinstance(roles, str) else roles)]))
    if organization_ids is not None:
        ids = [i for i in organization_ids if i is not None]
        if not ids:
            return []
        query = query.where(User.organization_id.in_(ids))
    if person_ids is not None:
        ids = [i for i in person_ids if i is not None]
        if not ids:
            return []
        query = query.where(User.person_id.in_(ids))
    return list(db.session.scalars(query.order_by(User.id)))


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


def check_password_strength(password: str, *, field: str = "password", user_inputs=()) -> None:
    """Refuse short, common and easily guessed passwords (zxcvbn's estimate, which
    knows lists of common and breached passwords, names, words, keyboard patterns,
    dates and the account's own e-mail and name given in ``user_inputs``)."""
    if not password or len(password) < MIN_PASSWORD:
        _fail(field, _l("Password"), _l("must be at least %(n)s characters", n=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        _fail(field, _l("Password"), _l("is longer than %(n)s characters", n=MAX_PASSWORD))
    inputs = [str(i) for i in user_inputs if i]
    inputs += [part for i in inputs for part in i.replace("@", " ").replace(".", " ").split()]
    if zxcvbn(password, user_inputs=inputs)["score"] < current_app.config.get("PASSWORD_MIN_SCORE",
                                                                             DEFAULT_MIN_SCORE):
        _fail(field, _l("Password"),
              _l("is too easy to guess: it is a common password, a word or name, a keyboard or "
                 "number pattern, a date, or close to your e-mail or name. Use a longer phrase "
                 "of several unrelated words"))


_dummy_hashes: dict[str, str] = {}


def authenticate(email: str, password: str) -> User | None:
    """The account with this e-mail and password, or None.

    An unknown e-mail costs one password hash like a known one, so the answer's
    timing does not tell which e-mails have accounts."""
    user = user_by_email(email)
    if user is None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        if method not in _dummy_hashes:
            _dummy_hashes[method] = hash_password(secrets.token_urlsafe(16))
        check_password_hash(_dummy_hashes[method], password or "")
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


def end_sessions(user: User, *, reason: str = "logout") -> None:
    """Sign the user out everywhere: every session and remember-me cookie stops working."""
    user.end_sessions()
    db.session.flush()
    audit.record(user, "end_sessions", actor=user, evidence={"reason": reason})


def change_password(user: User, *, current: str, new: str, confirm: str) -> None:
    """The user's own change: the current password, then a strong new one, twice.
    Ends the user's other sessions (the request signs this one in again)."""
    if not check_password_hash(user.password_hash, current or ""):
        _fail("current_password", _l("Current password"), _l("is wrong"))
    if new != confirm:
        _fail("confirm", _l("Repeat the new password"), _l("does not match the new password"))
    if check_password_hash(user.password_hash, new or ""):
        _fail("new_password", _l("New password"), _l("must differ from the current one"))
    check_password_strength(new, field="new_password", user_inputs=(user.email, user.display_name))
    user.set_password(new)
    user.must_change_password = False
    user.end_sessions()
    db.session.flush()
    audit.record(user, "change_password", actor=user)


def reset_password(user: User, *, actor) -> str:
    """An administrator's reset: a random temporary password, to be changed at the
    next sign-in; every session of the user ends. Returns the temporary password
    (shown once, never stored in clear)."""
    if actor is not None:  # None: the system (a command)
        require("auth.manage_users", actor, user)
    temporary = secrets.token_urlsafe(12)
    user.set_password(temporary)
    user.must_change_password = True
    user.end_sessions()
    db.session.flush()
    audit.record(user, "reset_password", actor=actor)
    return temporary


def create_user(*, email: str, display_name: str, password: str, role, organization=None,
                id_number: str | None = None, actor=None) -> User:
    if actor is not None:  # None: the system (a command)
        require("auth.manage_users", actor)
    email = normalize_email(email)
    display_name = _check_name("display_name", _l("Name"), display_name, 100)
    role = _check_role(role)
    check_password_strength(password, user_inputs=(email, display_name))
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
    if not active:
        user.end_sessions()
    audit.record(user, "activate" if active else "deactivate", actor=actor)
