"""``/api/v1/me``: who the token belongs to."""
from __future__ import annotations

import marshmallow as ma

from grants.api.auth import require_user
from grants.api.base import api_blueprint
from grants.api.schemas import OrganizationRefSchema

blp = api_blueprint("me", __name__, "/me", description="The caller's own account.")


class MeSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    email = ma.fields.String(required=True)
    display_name = ma.fields.String(required=True)
    role = ma.fields.String(required=True)
    organization = ma.fields.Nested(OrganizationRefSchema, allow_none=True)


@blp.route("", methods=["GET"])
@blp.response(200, MeSchema)
def me():
    """The account the token acts for"""
    return require_user()
