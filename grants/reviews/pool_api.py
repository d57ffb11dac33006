"""``/api/v1/reviewers``: the expert pool and reviewer profiles.

As on the pages: the bureau searches the pool (the "Expert
pool" page); an expert keeps their own profile (fields of expertise,
professional title, availability) at ``/reviewers/me`` (the "My expert
profile" page). The random draw picks from this pool
(``POST /reviews/challenges/<id>/draw``). Administrators set profiles from
the command line: ``flask reviewers set``.
"""
from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _

from grants.api.auth import require_permission, require_user
from grants.api.base import ID, SelectPage, api_blueprint
from grants.api.schemas import ApiSchema, OrganizationRefSchema, QuerySchema, UtcDateTime
from grants.core.errors import NotFound
from grants.extensions import db
from grants.reviews import profiles
from grants.reviews.models import ChallengeField, ReviewerProfile

FIELDS = [f.value for f in ChallengeField]

blp = api_blueprint("reviewers", __name__, "/reviewers",
                    description="The expert pool (officers) and each expert's own profile.")


class ReviewerProfileSchema(ma.Schema):
    reviewer_id = ma.fields.Integer(attribute="user_id", required=True, metadata={
        "description": "The expert's account; the id to assign (POST /reviews/challenges/<id>/assignments)"})
    name = ma.fields.String(attribute="user.display_name", required=True)
    title = ma.fields.String(required=True, metadata={"description": "Professional title (职称)"})
    fields = ma.fields.List(ma.fields.String(metadata={"enum": FIELDS}), required=True)
    field_labels = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "The fields in the requested language"})
    available = ma.fields.Boolean(required=True, metadata={"description": "Available for reviews (may be drawn)"})
    organization = ma.fields.Nested(OrganizationRefSchema, allow_none=True, required=True, metadata={
        "description": "The expert's employer (set by an administrator); conflicts of interest follow it"})
    updated_at = UtcDateTime(required=True)


class ReviewerProfileInSchema(ApiSchema):
    fields = ma.fields.List(ma.fields.String(metadata={"enum": FIELDS}), required=True, metadata={
        "description": "Fields of expertise, at least one"})
    title = ma.fields.String(load_default="", metadata={"description": "Professional title, up to 100 characters"})
    available = ma.fields.Boolean(load_default=True)


class PoolFilters(QuerySchema):
    field = ma.fields.String(validate=ma.validate.OneOf(FIELDS))
    q = ma.fields.String(metadata={"description": "Part of the name or professional title"})
    available = ma.fields.Boolean(metadata={"description": "true: only experts available for reviews"})


def _not_found() -> NotFound:
    return NotFound(_("There is no such record, or it is not visible to you."))


@blp.route("", methods=["GET"])
@blp.arguments(PoolFilters, location="query")
@blp.response(200, ReviewerProfileSchema(many=True))
@blp.paginate(SelectPage)
def list_reviewers(filters):
    """The expert pool: active experts with a profile, by name (the bureau)"""
    require_permission("reviews.see_pool")
    return profiles.reviewer_pool_query(field=filters.get("field"), q=(filters.get("q") or "").strip() or None,
                                        available_only=bool(filters.get("available")))


@blp.route("/me", methods=["GET"])
@blp.response(200, ReviewerProfileSchema)
def get_my_profile():
    """My expert profile (experts; 404 until it is first saved)"""
    profile = profiles.profile_of(require_permission("reviews.keep_profile"))
    if profile is None:
        raise NotFound(_("You have no expert profile yet; save one first."))
    return profile


@blp.route("/me", methods=["PUT"], permission="reviews.keep_profile")
@blp.arguments(ReviewerProfileInSchema)
@blp.response(200, ReviewerProfileSchema)
def put_my_profile(data):
    """Save my expert profile: fields of expertise, title and availability (experts)"""
    user = require_permission("reviews.keep_profile")
    profile = profiles.save_reviewer_profile(user, fields=data["fields"], title=data["title"],
                                             available=data["available"], actor=user)
    db.session.commit()
    return profile


@blp.route(f"/<{ID}:reviewer_id>", methods=["GET"])
@blp.response(200, ReviewerProfileSchema)
def get_reviewer(reviewer_id: int):
    """One expert's profile (the bureau, or the expert)"""
    user = require_user()
    profile: ReviewerProfile | None = profiles.reviewer_profile(reviewer_id)
    if profile is None or not profiles.can_see_profile(user, profile):
        raise _not_found()
    return profile
