"""``/api/v1/me``: who the token belongs to."""
from __future__ import annotations

import marshmallow as ma
from flask import g

from grants.api.auth import require_user
from grants.api.base import api_blueprint
from grants.api.schemas import OrganizationRefSchema, UtcDateTime

blp = api_blueprint("me", __name__, "/me", description="The caller's own account.")


class TokenInfoSchema(ma.Schema):
    name = ma.fields.String(required=True)
    hint = ma.fields.String(required=True, metadata={"description": "The token's first characters"})
    expires_at = UtcDateTime(required=True)


class MeSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    email = ma.fields.String(required=True)
    display_name = ma.fields.String(required=True)
    role = ma.fields.String(required=True)
    organization = ma.fields.Nested(OrganizationRefSchema, allow_none=True)
    token = ma.fields.Nested(TokenInfoSchema, required=True, metadata={"description": "The token used"})


@blp.route("", methods=["GET"])
@blp.response(200, MeSchema)
def me():
    """The account the token acts for, and when the token expires"""
    user = require_user()
    return {"id": user.id, "email": user.email, "display_name": user.display_name, "role": user.role,
            "organization": user.organization, "token": g.api_token}
