"""``/api/v1/organizations``: read by officers and administrators, created by administrators."""
from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa
from flask_babel import gettext as _

from grants.api.auth import require_permission
from grants.api.base import ID, SelectPage, api_blueprint
from grants.api.schemas import ApiSchema, QuerySchema, UtcDateTime
from grants.auth import services
from grants.auth.models import Organization, OrgKind
from grants.core.errors import NotFound
from grants.core.search import contains
from grants.extensions import db

blp = api_blueprint("organizations", __name__, "/organizations",
                    description="Registered organisations (officers and administrators).")

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
