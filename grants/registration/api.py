"""``/api/v1/registration``: self-service registration for integrations, over the pages' services.

Anonymous: registering an organisation, applying to the expert pool (both
multipart, with their PDF), confirming an address, opening an invited account.
The bureau: the waiting lists, approving and rejecting (``/transitions``),
histories. An organisation's manager: members, invitations, handing over.
An approved expert: their own record.
"""
from __future__ import annotations

import marshmallow as ma
from flask import current_app, request
from flask_babel import gettext as _
from flask_smorest.fields import Upload

from grants.api.auth import body_limit, require_permission, require_user
from grants.api.base import ID, SelectPage, add_history, add_transitions, api_blueprint
from grants.api.schemas import ApiSchema, QuerySchema, UtcDateTime
from grants.auth.models import OrgKind, User
from grants.challenges.models import ChallengeField
from grants.core.attachments import MAX_BYTES
from grants.core.errors import NotFound
from grants.core.permissions import can
from grants.extensions import db, limiter
from grants.registration import members, services
from grants.registration.models import ApplicationState, ExpertApplication, OrgRegistration

blp = api_blueprint("registration", __name__, "/registration",
                    description="Self-service registration: organisations, their members and experts.")

STATES = [s.value for s in ApplicationState]
FIELDS = [f.value for f in ChallengeField]


def _limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


def _limited(view):
    return limiter.limit(_limit, key_func=lambda: f"register:{request.remote_addr}")(view)


def _not_found():
    return NotFound(_("There is no such record, or it is not visible to you."))


def _upload(data, key):
    upload = data.get(key)
    return (upload.stream, upload.filename) if upload is not None else None


class RegistrationInSchema(ApiSchema):
    name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": [k.value for k in OrgKind]})
    credit_code = ma.fields.String(required=True, metadata={"description": "Unified social credit code"})
    address = ma.fields.String(required=True)
    contact_name = ma.fields.String(required=True)
    contact_email = ma.fields.String(required=True)
    contact_mobile = ma.fields.String(required=True)
    contact_id_number = ma.fields.String(metadata={"description": "Required unless kind is enterprise"})
    password = ma.fields.String(required=True, load_only=True)
    licence = Upload(required=True, metadata={"description": "Business licence or legal-person certificate, "
                                                             "a PDF of at most 20 MB"})


class RegistrationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    state = ma.fields.String(required=True, metadata={"enum": STATES})
    version = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    credit_code = ma.fields.String(required=True)
    address = ma.fields.String(required=True)
    contact_name = ma.fields.String(required=True)
    contact_email = ma.fields.String(required=True)
    contact_mobile = ma.fields.String(required=True)
    email_confirmed_at = UtcDateTime(allow_none=True)
    organization_id = ma.fields.Integer(allow_none=True)
    decision_reason = ma.fields.String(allow_none=True)
    created_at = UtcDateTime(required=True)


class RegistrationReceivedSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    state = ma.fields.String(required=True, metadata={"enum": STATES})
    message = ma.fields.String(required=True)


class ExpertApplicationInSchema(ApiSchema):
    name = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    mobile = ma.fields.String(required=True)
    id_number = ma.fields.String(required=True)
    password = ma.fields.String(required=True, load_only=True)
    title = ma.fields.String(required=True)
    fields = ma.fields.List(ma.fields.String(metadata={"enum": FIELDS}), required=True)
    employer_code = ma.fields.String(metadata={"description": "Credit code of a registered employer"})
    employer_name = ma.fields.String(metadata={"description": "The employer's name, when it is not registered"})
    years = ma.fields.Integer(required=True, metadata={"description": "Years of experience"})
    cv = Upload(required=True, metadata={"description": "A short CV, a PDF of at most 20 MB"})


class ExpertApplicationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    state = ma.fields.String(required=True, metadata={"enum": STATES})
    version = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    fields = ma.fields.List(ma.fields.String(), required=True)
    employer_org_id = ma.fields.Integer(allow_none=True)
    employer_label = ma.fields.String(required=True)
    years = ma.fields.Integer(required=True)
    email_confirmed_at = UtcDateTime(allow_none=True)
    user_id = ma.fields.Integer(allow_none=True)
    decision_reason = ma.fields.String(allow_none=True)
    created_at = UtcDateTime(required=True)


class ExpertRecordInSchema(ApiSchema):
    title = ma.fields.String(required=True)
    fields = ma.fields.List(ma.fields.String(metadata={"enum": FIELDS}), required=True)
    employer_code = ma.fields.String()
    employer_name = ma.fields.String()
    years = ma.fields.Integer(required=True)


class RegistrationStateFilter(QuerySchema):
    state = ma.fields.String(metadata={"enum": STATES})


class LinkTokenSchema(ApiSchema):
    token = ma.fields.String(required=True, metadata={"description": "The secret from the e-mailed link"})


class EmailConfirmedSchema(ma.Schema):
    email = ma.fields.String(required=True)
    confirmed_at = UtcDateTime(required=True)


class InvitationAcceptSchema(ApiSchema):
    token = ma.fields.String(required=True, metadata={"description": "The secret from the invitation link"})
    name = ma.fields.String(required=True)
    password = ma.fields.String(required=True, load_only=True)
    id_number = ma.fields.String(metadata={"description": "Required for an organisation whose accounts bid"})


class InvitationInSchema(ApiSchema):
    email = ma.fields.String(required=True)


class InvitationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    email = ma.fields.String(required=True)
    expires_at = UtcDateTime(required=True)


class ManagerInSchema(ApiSchema):
    user_id = ma.fields.Integer(required=True, metadata={"description": "An active member's account"})


class OrgAccountSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    email = ma.fields.String(required=True)
    display_name = ma.fields.String(required=True)
    role = ma.fields.String(required=True)
    active = ma.fields.Boolean(required=True)
    organization_id = ma.fields.Integer(allow_none=True)


# anonymous ------------------------------------------------------------------------

@blp.route("/organizations", methods=["POST"])
@body_limit(MAX_BYTES + 1024 * 1024)
@_limited
@blp.arguments(RegistrationInSchema, location="multipart")
@blp.response(201, RegistrationReceivedSchema)
def register_organisation(data):
    """Register an organisation (anyone); a confirmation link goes to the contact's e-mail"""
    licence = _upload(data, "licence")
    fields = {k: v for k, v in data.items() if k != "licence"}
    registration = services.register_organisation(fields, licence=licence)
    db.session.commit()
    return {"id": registration.id, "state": str(registration.state),
            "message": _("Received; confirm the e-mail address through the link sent to it.")}


@blp.route("/experts", methods=["POST"])
@body_limit(MAX_BYTES + 1024 * 1024)
@_limited
@blp.arguments(ExpertApplicationInSchema, location="multipart")
@blp.response(201, RegistrationReceivedSchema)
def apply_as_expert(data):
    """Apply to the expert pool (anyone); a confirmation link goes to the e-mail"""
    cv = _upload(data, "cv")
    application = services.apply_as_expert({k: v for k, v in data.items() if k != "cv"}, cv=cv)
    db.session.commit()
    return {"id": application.id, "state": str(application.state),
            "message": _("Received; confirm the e-mail address through the link sent to it.")}


@blp.route("/confirmations", methods=["POST"])
@_limited
@blp.arguments(LinkTokenSchema)
@blp.response(200, EmailConfirmedSchema)
def confirm_email(data):
    """Confirm an e-mail address with the secret of its link (once)"""
    obj = services.confirm_email(data["token"])
    db.session.commit()
    return {"email": obj.email, "confirmed_at": obj.email_confirmed_at}


@blp.route("/invitations/accept", methods=["POST"])
@_limited
@blp.arguments(InvitationAcceptSchema)
@blp.response(201, OrgAccountSchema)
def accept_invitation(data):
    """Open an invited account with the secret of the invitation (once, within 7 days)"""
    user = members.accept_invitation(data["token"], name=data["name"], password=data["password"],
                                     id_number=data.get("id_number"))
    db.session.commit()
    return user


# the bureau -----------------------------------------------------------------------

def load_registration(registration_id, user):
    registration = db.session.get(OrgRegistration, registration_id)
    return registration if registration is not None and can("registration.decide", user=user) else None


def load_application(application_id, user):
    application = db.session.get(ExpertApplication, application_id)
    return application if application is not None and can("registration.decide", user=user) else None


@blp.route("/organizations", methods=["GET"])
@blp.arguments(RegistrationStateFilter, location="query")
@blp.response(200, RegistrationSchema(many=True))
@blp.paginate(SelectPage)
def list_registrations(filters):
    """Registrations of organisations, newest first (the bureau)"""
    require_permission("registration.decide")
    return services.registrations_query(filters.get("state") if filters.get("state") in STATES else None)


@blp.route(f"/organizations/<{ID}:registration_id>", methods=["GET"])
@blp.response(200, RegistrationSchema)
def get_registration(registration_id: int):
    """One registration (the bureau)"""
    require_permission("registration.decide")
    return load_registration(registration_id, require_user()) or _raise()


@blp.route("/experts", methods=["GET"])
@blp.arguments(RegistrationStateFilter, location="query")
@blp.response(200, ExpertApplicationSchema(many=True))
@blp.paginate(SelectPage)
def list_applications(filters):
    """Applications to the expert pool, newest first (the bureau)"""
    require_permission("registration.decide")
    return services.applications_query(filters.get("state") if filters.get("state") in STATES else None)


@blp.route(f"/experts/<{ID}:application_id>", methods=["GET"])
@blp.response(200, ExpertApplicationSchema)
def get_application(application_id: int):
    """One application (the bureau)"""
    require_permission("registration.decide")
    return load_application(application_id, require_user()) or _raise()


def _raise():
    raise _not_found()


add_transitions(blp, OrgRegistration, load_registration, path="/organizations")
add_history(blp, OrgRegistration, load_registration, path="/organizations")
add_transitions(blp, ExpertApplication, load_application, path="/experts")
add_history(blp, ExpertApplication, load_application, path="/experts")


# an organisation's manager ----------------------------------------------------------

def _managed():
    user = require_user()
    organisation = user.organization
    require_permission("registration.manage_members", organisation)
    return user, organisation


@blp.route("/members", methods=["GET"])
@blp.response(200, OrgAccountSchema(many=True))
@blp.paginate(SelectPage)
def list_members(**_kwargs):
    """The accounts of the caller's organisation (its manager)"""
    _user, organisation = _managed()
    return members.members_query(organisation)


@blp.route("/invitations", methods=["GET"])
@blp.response(200, InvitationSchema(many=True))
@blp.paginate(SelectPage)
def list_invitations(**_kwargs):
    """Invitations not yet used and not expired (the organisation's manager)"""
    _user, organisation = _managed()
    return members.pending_invitations_query(organisation)


@blp.route("/invitations", methods=["POST"])
@blp.arguments(InvitationInSchema)
@blp.response(201, InvitationSchema)
def invite(data):
    """Invite a member by e-mail: a one-time link valid for 7 days (the organisation's manager)"""
    user, organisation = _managed()
    link = members.invite_member(organisation, data["email"], actor=user)
    db.session.commit()
    return link


def _member(user_id: int) -> User:
    member = db.session.get(User, user_id)
    if member is None:
        raise _not_found()
    return member


@blp.route(f"/members/<{ID}:user_id>/deactivate", methods=["POST"])
@blp.response(200, OrgAccountSchema)
def deactivate_member(user_id: int):
    """Deactivate a member's account (the organisation's manager)"""
    user, organisation = _managed()
    member = members.deactivate_member(organisation, _member(user_id), actor=user)
    db.session.commit()
    return member


@blp.route(f"/members/<{ID}:user_id>/manager", methods=["POST"])
@blp.response(200, OrgAccountSchema)
def hand_over(user_id: int):
    """Hand the manager's part to another active member (the organisation's manager)"""
    user, organisation = _managed()
    member = members.hand_over(organisation, _member(user_id), actor=user)
    db.session.commit()
    return member


# an approved expert ------------------------------------------------------------------

def _own_record():
    user = require_user()
    record = services.expert_record(user)
    if record is None:
        raise _not_found()
    require_permission("registration.keep_expert_record", record)
    return user, record


@blp.route("/experts/me", methods=["GET"])
@blp.response(200, ExpertApplicationSchema)
def my_record():
    """The caller's own expert record (an approved expert)"""
    return _own_record()[1]


@blp.route("/experts/me", methods=["PUT"])
@blp.arguments(ExpertRecordInSchema)
@blp.response(200, ExpertApplicationSchema)
def update_my_record(data):
    """Change title, fields, employer and years (an approved expert)"""
    user, record = _own_record()
    services.update_expert_record(record, data, actor=user)
    db.session.commit()
    return record


@blp.route(f"/organizations/<{ID}:org_id>/manager", methods=["PUT"])
@blp.arguments(ManagerInSchema)
@blp.response(200, OrgAccountSchema)
def appoint_manager(data, org_id: int):
    """Name the manager of an organisation's accounts (the administrator)"""
    from grants.auth.models import Organization

    user = require_user()
    require_permission("registration.appoint_manager")
    organisation = db.session.get(Organization, org_id)
    if organisation is None:
        raise _not_found()
    member = members.appoint_manager(organisation, _member(data["user_id"]), actor=user)
    db.session.commit()
    return member
