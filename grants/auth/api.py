"""``/api/v1/organizations``: read by officers and administrators, created by administrators.
``/api/v1/password-resets``: anyone asks for a link to choose a new password, and sets it
with the link's secret (the pages' services, the same answers and limits)."""
from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa
from flask import current_app, request
from flask_babel import gettext as _

from grants.api.auth import require_permission
from grants.api.base import ID, SelectPage, api_blueprint
from grants.api.schemas import ApiSchema, QuerySchema, UtcDateTime
from grants.auth import resets, services
from grants.auth.models import Organization, OrgKind
from grants.core.errors import NotFound
from grants.auth.services import normalize_login
from grants.core.search import contains
from grants.extensions import db, limiter

blp = api_blueprint("organizations", __name__, "/organizations",
                    description="Registered organisations (officers and administrators).")
reset_blp = api_blueprint("password_resets", __name__, "/password-resets",
                          description="Choosing a new password through a link e-mailed to the account.")
blueprints = [blp, reset_blp]

KINDS = [k.value for k in OrgKind]


class OrganizationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": KINDS})
    credit_code = ma.fields.String(required=True)
    active = ma.fields.Boolean(required=True)
    created_at = UtcDateTime(required=True)


class OrganizationCreateSchema(ApiSchema):
    name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": KINDS})
    credit_code = ma.fields.String(required=True, metadata={"description": "Unified social credit code"})


class OrganizationFilters(QuerySchema):
    q = ma.fields.String(metadata={"description": "Part of the name or credit code"})


@blp.route("", methods=["GET"])
@blp.arguments(OrganizationFilters, location="query")
@blp.response(200, OrganizationSchema(many=True))
@blp.paginate(SelectPage)
def list_organizations(filters):
    """List organisations by name"""
    require_permission("auth.view_organisations")
    query = sa.select(Organization).order_by(Organization.name, Organization.id)
    if filters.get("q"):
        q = filters["q"].strip()
        query = query.where(sa.or_(contains(Organization.name, q), contains(Organization.credit_code, q)))
    return query


@blp.route("", methods=["POST"], permission="auth.manage_organisations")
@blp.arguments(OrganizationCreateSchema)
@blp.response(201, OrganizationSchema)
def create_organization(data):
    """Register an organisation (administrators)"""
    user = require_permission("auth.manage_organisations")
    org = services.create_organization(name=data["name"], kind=data["kind"],
                                       credit_code=data["credit_code"], actor=user)
    db.session.commit()
    return org


@blp.route(f"/<{ID}:org_id>", methods=["GET"])
@blp.response(200, OrganizationSchema)
def get_organization(org_id: int):
    """One organisation"""
    require_permission("auth.view_organisations")
    org = db.session.get(Organization, org_id)
    if org is None:
        raise NotFound(_("There is no such record, or it is not visible to you."))
    return org


# password resets (anyone) ------------------------------------------------------------

class ResetRequestSchema(ApiSchema):
    email = ma.fields.String(required=True, metadata={"description": "The account's e-mail address"})


class ResetSchema(ApiSchema):
    token = ma.fields.String(required=True, metadata={"description": "The secret from the e-mailed link"})
    password = ma.fields.String(required=True, load_only=True,
                                metadata={"description": "The new password (the change-password rules)"})


class MessageSchema(ma.Schema):
    message = ma.fields.String(required=True)


def _reset_account_key() -> str:
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) and isinstance(body.get("email"), str) else ""
    return f"reset-account:{normalize_login(email)}"


@reset_blp.route("", methods=["POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT"],
               key_func=lambda: f"reset:{request.remote_addr}")
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_ACCOUNT_RATE_LIMIT"], key_func=_reset_account_key)
@reset_blp.arguments(ResetRequestSchema)
@reset_blp.response(202, MessageSchema)
def request_password_reset(data):
    """Ask for a link to choose a new password (the same answer whether or not the address has an account)"""
    resets.request_password_reset(data["email"])
    db.session.commit()
    return {"message": resets.request_answer()}


@reset_blp.route("/complete", methods=["POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_LINK_RATE_LIMIT"],
               key_func=lambda: f"reset-link:{request.remote_addr}")
@reset_blp.arguments(ResetSchema)
@reset_blp.response(200, MessageSchema)
def reset_password(data):
    """Set a new password with the secret of the link (once, within an hour); every session of the account ends"""
    resets.reset_password_with_link(data["token"], new=data["password"], confirm=data["password"])
    db.session.commit()
    return {"message": _("Your new password is set; sign in with it. Every device that was signed in "
                         "is signed out.")}
