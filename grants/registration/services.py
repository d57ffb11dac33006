"""Self-service registration: an organisation's registration and an expert's application,
the confirmation of their e-mail address, and what approving them creates.

The public forms and the API call these; they validate everything before
storing the PDF, flush and write audit events, never commit. Approving and
rejecting are transitions (``workflow.py``); the effects below run inside them.
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.security import generate_password_hash

from grants.auth import services as accounts
from grants.auth.models import Organization, User
from grants.core import audit, clock
from grants.core.attachments import store_pdf
from grants.core.errors import ValidationFailed
from grants.core.permissions import Role, require
from grants.core.validation import Errors
from grants.extensions import db
from grants.integrity.check import Subject, check
from grants.integrity.models import SubjectType
from grants.notifications.kinds import register_kind
from grants.notifications.services import link_for, notify, settle
from grants.registration import links, mail
from grants.registration.models import (ApplicationState, ExpertApplication, LinkPurpose, OrgManager, OrgRegistration, RegistrationFile)
from grants.registration.permissions import member_role

MOBILE = re.compile(r"^1[3-9]\d{9}$")

register_kind("registration.organisation_waiting",
              _l("%(org)s (%(code)s) registered and confirmed its e-mail address: approve or reject the registration."))
register_kind("registration.expert_waiting",
              _l("%(name)s applied to the expert pool and confirmed the e-mail address: approve or reject the "
                 "application."))


# field checks ------------------------------------------------------------------

def _catch(errors: Errors, field: str, check_value, *args):
    """Run one of the accounts' field checks, putting its message on ``field``."""
    try:
        return check_value(*args)
    except ValidationFailed as exc:
        errors.add(field, next(iter(exc.details.values()), str(exc)))
        return None


def _text(errors: Errors, data: dict, key: str, label, max_len: int, *, required: bool = True) -> str:
    value = (data.get(key) or "").strip()
    if required and not value:
        errors.add(key, _("%(field)s is required.", field=label))
    elif len(value) > max_len:
        errors.add(key, _("%(field)s is longer than %(n)s characters.", field=label, n=max_len))
    return value


def _mobile(errors: Errors, data: dict, key: str) -> str:
    value = re.sub(r"[\s-]", "", data.get(key) or "")
    if not MOBILE.match(value):
        errors.add(key, _("The mobile number must be 11 digits starting with 1."))
    return value


def _new_email(errors: Errors, data: dict, key: str = "email") -> str | None:
    email = _catch(errors, key, accounts.normalize_email, data.get(key))
    if email and accounts.user_by_email(email):
        errors.add(key, _("%(email)s already has an account; sign in instead.", email=email))
    return email


def _password(errors: Errors, data: dict, *user_inputs) -> str | None:
    """The hash of a strong enough password (the accounts' rule, knowing the e-mail and name)."""
    try:
        accounts.check_password_strength(data.get("password"), user_inputs=user_inputs)
    except ValidationFailed as exc:
        errors.add("password", next(iter(exc.details.values()), str(exc)))
        return None
    return _hash(data["password"])


def _hash(password: str) -> str:
    from flask import current_app

    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def _black_listed(subject: Subject):
    """The black entry in force against ``subject``, in words, or None."""
    result = check([subject])
    if not result.black:
        return None
    entry = result.black[0].entry
    until = _("until %(day)s", day=entry.end_on.isoformat()) if entry.end_on else _("indefinitely")
    return _("is on the research-integrity black list (basis %(basis)s, %(until)s) and may not register.",
             basis=entry.basis, until=until)


def _store(upload, field: str) -> RegistrationFile:
    stream, filename = upload if upload is not None else (None, None)
    if stream is None:
        message = _("Attach the PDF.")
        raise ValidationFailed(message, details={field: message})
    stored = store_pdf(stream, filename, field=field)
    file = RegistrationFile(**stored)
    db.session.add(file)
    db.session.flush()
    return file


def _send_confirmation(obj, email: str, **about) -> None:
    link, secret = links.new_link(LinkPurpose.confirm_email, email, **about)
    mail.send_email(email, _("Confirm your e-mail address"),
                    _("Follow this link within 7 days to confirm your e-mail address:\n%(url)s\n"
                      "If you did not register, ignore this message.", url=links.link_url(link, secret)))


# organisations -----------------------------------------------------------------

def check_registration(data: dict) -> dict:
    """The cleaned fields of a registration, or ValidationFailed naming each wrong one."""
    errors = Errors()
    values = {
        "name": _text(errors, data, "name", _l("Name"), 200),
        "kind": _catch(errors, "kind", accounts._check_kind, data.get("kind")),
        "credit_code": _catch(errors, "credit_code", accounts.check_credit_code, data.get("credit_code")),
        "address": _text(errors, data, "address", _l("Address"), 300),
        "contact_name": _text(errors, data, "contact_name", _l("Contact person"), 100),
        "contact_email": _new_email(errors, data, "contact_email"),
        "contact_mobile": _mobile(errors, data, "contact_mobile"),
        "password_hash": _password(errors, data, data.get("contact_email"), data.get("contact_name")),
    }
    id_number = (data.get("contact_id_number") or "").strip()
    needs_id = values["kind"] is not None and member_role(values["kind"]) in Role.BIDDERS
    if id_number or needs_id:
        if not id_number:
            errors.add("contact_id_number", _("The contact's resident ID number is required for a university, "
                                              "an institute or another research organisation (its accounts bid)."))
        else:
            id_number = _catch(errors, "contact_id_number", accounts.check_id_number, id_number)
            _check_person(errors, "contact_id_number", id_number, values["contact_name"])
    values["contact_id_number"] = id_number or None
    code = values["credit_code"]
    if code:
        if accounts.organization_by_code(code):
            errors.add("credit_code", _("The credit code %(code)s is already registered; ask the organisation's "
                                        "account manager to invite you.", code=code))
        elif waiting_registration(code):
            errors.add("credit_code", _("A registration of %(code)s is already waiting for the bureau.", code=code))
        else:
            black = _black_listed(Subject(SubjectType.organization, code, values["name"], "organization"))
            if black:
                errors.add("credit_code", _("The organisation %(code)s %(why)s", code=code, why=black))
    errors.raise_if_any()
    return values


def _check_person(errors: Errors, field: str, number: str | None, name: str) -> bool:
    """Refuse an ID number that already has an account, or that is known under another
    name (the accounts' rule, told now rather than when the bureau approves)."""
    person = accounts.person_by_id_number(number) if number else None
    if person is None:
        return False
    if db.session.scalar(sa.select(User.id).where(User.person_id == person.id)):
        errors.add(field, _("This resident ID number already has an account; sign in instead."))
        return True
    if name and person.name != name:
        errors.add(field, _("This resident ID number is registered to another name; check the name and the number."))
        return True
    return False


def waiting_registration(code: str) -> OrgRegistration | None:
    return db.session.scalar(sa.select(OrgRegistration).where(OrgRegistration.credit_code == code,
                                                             OrgRegistration.state == ApplicationState.submitted))


def register_organisation(data: dict, *, licence) -> OrgRegistration:
    """A public registration: checked whole, then the licence (``(stream, filename)``) stored,
    then a confirmation link sent to the contact."""
    values = check_registration(data)
    file = _store(licence, "licence")
    registration = OrgRegistration(licence=file, **values)
    try:
        with db.session.begin_nested():
            db.session.add(registration)
    except sa.exc.IntegrityError:  # the same code sent twice at once: the partial unique index
        message = _("A registration of %(code)s is already waiting for the bureau.", code=values["credit_code"])
        raise ValidationFailed(message, details={"credit_code": message}) from None
    audit.record(registration, "submit", to_state=registration.state,
                 evidence={"name": registration.name, "credit_code": registration.credit_code,
                           "email": registration.contact_email, "licence_sha256": file.sha256})
    _send_confirmation(registration, registration.contact_email, registration_id=registration.id)
    return registration


def open_organisation(attempt) -> None:
    """Effect of approving a registration: the organisation, its manager's account."""
    registration: OrgRegistration = attempt.obj
    # The bureau's approval is the authority here: the records are made as the system,
    # the approval event names the officer.
    org = accounts.create_organization(name=registration.name, kind=registration.kind,
                                       credit_code=registration.credit_code)
    user = _account(email=registration.contact_email, name=registration.contact_name,
                    password_hash=registration.password_hash, role=member_role(registration.kind),
                    organization=org, id_number=registration.contact_id_number)
    db.session.add(OrgManager(organization_id=org.id, user_id=user.id))
    registration.organization = org
    registration.user = user
    record_decision(attempt)


def record_decision(attempt) -> None:
    """Effect of both decisions: who decided, when and why; the applicant is told by e-mail."""
    obj = attempt.obj
    obj.decided_at = attempt.now
    obj.decided_by_id = attempt.actor.id if attempt.actor is not None else None
    obj.decision_reason = attempt.comment
    settle(obj)  # decided: it no longer waits in any officer's inbox
    if attempt.transition.dest == ApplicationState.approved:
        mail.send_email(obj.email, _("Your registration is approved"),
                        _("%(name)s is approved. Sign in with your e-mail address and the password you chose:\n%(url)s",
                          name=obj.name, url=_public(link_for("auth.login"))))
    else:
        mail.send_email(obj.email, _("Your registration is not approved"),
                        _("%(name)s is not approved. The bureau's reason: %(reason)s", name=obj.name,
                          reason=attempt.comment))


def _public(path: str) -> str:
    from flask import current_app

    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def _account(*, email, name, password_hash, role, organization, id_number) -> User:
    """An account whose password its owner chose when applying (only its hash was kept)."""
    import secrets

    user = accounts.create_user(email=email, display_name=name, password=secrets.token_urlsafe(16), role=role,
                                organization=organization, id_number=id_number)
    user.password_hash = password_hash
    return user


def registrations_query(state: str | None = None):
    query = sa.select(OrgRegistration).order_by(OrgRegistration.created_at.desc(), OrgRegistration.id.desc())
    if state:
        query = query.where(OrgRegistration.state == state)
    return query


# confirmation of an address ----------------------------------------------------------

def confirm_email(secret: str):
    """Follow a confirmation link: the registration's or application's address is confirmed."""
    link = links.find_link(secret, LinkPurpose.confirm_email)
    links.use_link(link)
    obj = (db.session.get(OrgRegistration, link.registration_id) if link.registration_id
           else db.session.get(ExpertApplication, link.application_id))
    obj.email_confirmed_at = clock.now()
    audit.record(obj, "confirm_email", evidence={"email": link.email})
    _tell_the_bureau(obj)
    return obj


def officers() -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.role.in_(Role.BUREAU), User.active)
                                   .order_by(User.id)))


def _tell_the_bureau(obj) -> None:
    """A registration or application the bureau can decide now (its address is confirmed)."""
    if isinstance(obj, OrgRegistration):
        notify(officers(), "registration.organisation_waiting",
               link=link_for("registration.registration", registration_id=obj.id), about=obj, org=obj.name,
               code=obj.credit_code)
    else:
        notify(officers(), "registration.expert_waiting",
               link=link_for("registration.application", application_id=obj.id), about=obj, name=obj.name)


def resend_confirmation(email: str) -> int:
    """A new confirmation link for every waiting, unconfirmed registration or application
    of ``email``; how many were sent (the answer does not say whether the address is known)."""
    email = (email or "").strip().lower()
    sent = 0
    for model, about in ((OrgRegistration, "registration_id"), (ExpertApplication, "application_id")):
        column = OrgRegistration.contact_email if model is OrgRegistration else ExpertApplication.email
        for obj in db.session.scalars(sa.select(model).where(column == email, model.state == ApplicationState.submitted,
                                                             model.email_confirmed_at.is_(None))):
            _send_confirmation(obj, email, **{about: obj.id})
            sent += 1
    return sent


# experts -----------------------------------------------------------------------

def _fields(errors: Errors, data: dict) -> list[str]:
    from grants.challenges.models import ChallengeField

    chosen = []
    for value in data.get("fields") or ():
        try:
            field = ChallengeField(value)
        except ValueError:
            errors.add("fields", _("Unknown field of expertise: %(value)s", value=value))
            continue
        if field.value not in chosen:
            chosen.append(field.value)
    if not chosen and "fields" not in errors.details:
        errors.add("fields", _("Choose at least one field of expertise."))
    return chosen


def _years(errors: Errors, data: dict):
    from grants.core.validation import whole_number

    return whole_number(errors, data, "years", _l("Years of experience"), low=0, high=80, required=True)


def _employer(errors: Errors, data: dict) -> tuple[Organization | None, str]:
    """A registered organisation (by credit code, or by its exact name) or a free name."""
    code = (data.get("employer_code") or "").strip()
    name = (data.get("employer_name") or "").strip()
    if code:
        org = accounts.organization_by_code(code)
        if org is None or not org.active:
            errors.add("employer_code", _("No active organisation is registered under the credit code %(code)s; "
                                          "give the employer's name instead.", code=code.upper()))
            return None, name
        return org, org.name
    if not name:
        errors.add("employer_name", _("Give the employer: a registered organisation's credit code, or its name."))
    elif len(name) > 200:
        errors.add("employer_name", _("%(field)s is longer than %(n)s characters.", field=_("Employer"), n=200))
    else:  # a registered organisation named in words is that organisation, for the conflict rules
        org = accounts.organization_by_name(name)
        if org is not None:
            return org, org.name
    return None, name


def check_application(data: dict) -> dict:
    errors = Errors()
    values = {
        "name": _text(errors, data, "name", _l("Name"), 100),
        "email": _new_email(errors, data),
        "mobile": _mobile(errors, data, "mobile"),
        "id_number": _catch(errors, "id_number", accounts.check_id_number, data.get("id_number")),
        "password_hash": _password(errors, data, data.get("email"), data.get("name")),
        "title": _text(errors, data, "title", _l("Professional title"), 100),
        "fields": _fields(errors, data),
        "years": _years(errors, data),
    }
    values["employer"], values["employer_name"] = _employer(errors, data)
    number = values["id_number"]
    if number and not _check_person(errors, "id_number", number, values["name"]):
        if db.session.scalar(sa.select(ExpertApplication.id).where(
                ExpertApplication.id_number == number, ExpertApplication.state == ApplicationState.submitted)):
            errors.add("id_number", _("An application with this resident ID number is already waiting "
                                      "for the bureau."))
        else:
            black = _black_listed(Subject(SubjectType.person, number, values["name"], "reviewer"))
            if black:
                errors.add("id_number", _("The applicant %(why)s", why=black))
    errors.raise_if_any()
    return values


def apply_as_expert(data: dict, *, cv) -> ExpertApplication:
    """A public application to the expert pool, with a CV as PDF (``(stream, filename)``)."""
    values = check_application(data)
    file = _store(cv, "cv")
    application = ExpertApplication(cv=file, **values)
    db.session.add(application)
    db.session.flush()
    audit.record(application, "submit", to_state=application.state,
                 evidence={"name": application.name, "email": application.email,
                           "employer": application.employer_label, "cv_sha256": file.sha256})
    _send_confirmation(application, application.email, application_id=application.id)
    return application


def admit_expert(attempt) -> None:
    """Effect of approving an application: the expert's account and pool profile. The
    account belongs to the employer when it is registered, so the conflict rules
    (``grants.reviews.conflicts``) keep the expert off its challenges and bids."""
    from grants.reviews.profiles import save_reviewer_profile

    application: ExpertApplication = attempt.obj
    user = _account(email=application.email, name=application.name, password_hash=application.password_hash,
                    role=Role.reviewer, organization=application.employer, id_number=application.id_number)
    _follow_employer(user, application.employer)
    save_reviewer_profile(user, fields=application.fields, title=application.title)
    application.user = user
    record_decision(attempt)


def _follow_employer(user: User, employer: Organization | None) -> None:
    user.organization = employer
    if user.person is not None:
        user.person.organization = employer


def applications_query(state: str | None = None):
    query = sa.select(ExpertApplication).order_by(ExpertApplication.created_at.desc(), ExpertApplication.id.desc())
    if state:
        query = query.where(ExpertApplication.state == state)
    return query


def expert_record(user) -> ExpertApplication | None:
    """The approved application of an expert account, if it came through one."""
    return db.session.scalar(sa.select(ExpertApplication).where(ExpertApplication.user_id == user.id))


def update_expert_record(application: ExpertApplication, data: dict, *, actor) -> ExpertApplication:
    """An approved expert changes title, fields, employer and years; the pool's profile
    and the account's organisation follow (the conflict rules read them)."""
    from grants.reviews.profiles import profile_of, save_reviewer_profile

    require("registration.keep_expert_record", actor, application)
    errors = Errors()
    title = _text(errors, data, "title", _l("Professional title"), 100)
    fields = _fields(errors, data)
    years = _years(errors, data)
    employer, employer_name = _employer(errors, data)
    errors.raise_if_any()
    before = {"title": application.title, "fields": list(application.fields), "years": application.years,
              "employer": application.employer_label}
    application.title, application.fields, application.years = title, fields, years
    application.employer, application.employer_name = employer, employer_name
    user = application.user
    _follow_employer(user, employer)
    profile = profile_of(user)
    save_reviewer_profile(user, fields=fields, title=title, available=profile.available if profile else True,
                          actor=actor)
    db.session.flush()
    audit.record(application, "update", actor=actor,
                 evidence={"before": before, "after": {"title": title, "fields": fields, "years": years,
                                                       "employer": application.employer_label}})
    return application


def file_owner(file: RegistrationFile):
    return (db.session.scalar(sa.select(OrgRegistration).where(OrgRegistration.licence_id == file.id))
            or db.session.scalar(sa.select(ExpertApplication).where(ExpertApplication.cv_id == file.id)))

