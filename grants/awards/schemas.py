"""Request and response schemas of the award API: the proposal, the public notice and
objections (under ``/api/v1/reviews``)."""
from __future__ import annotations

import marshmallow as ma

from grants.api.schemas import ApiSchema, IdField, UtcDateTime
from grants.awards.models import ObjectionState


class AwardProposalSchema(ApiSchema):
    winners = ma.fields.List(IdField(), required=True, metadata={"description": "Winning bid ids"})
    comment = ma.fields.String(allow_none=True)
    version = ma.fields.Integer(allow_none=True, metadata={"description": "The challenge's version"})


class AwardWinnerSchema(ma.Schema):
    bid_id = ma.fields.Integer(attribute="id", required=True)
    title = ma.fields.String(required=True)
    organization = ma.fields.String(attribute="organization.name", required=True)
    award_fen = ma.fields.Integer(attribute="requested_fen", allow_none=True)


class ObjectionSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    state = ma.fields.String(required=True, metadata={"enum": [s.value for s in ObjectionState]})
    state_label = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    challenge_id = ma.fields.Integer(required=True)
    notice_round = ma.fields.Integer(required=True)
    reasons = ma.fields.String(required=True)
    answer = ma.fields.String(allow_none=True)
    answered_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime(required=True)


class NoticeSchema(ma.Schema):
    challenge_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    state = ma.fields.String(required=True)
    round = ma.fields.Integer(required=True)
    notice_starts_at = UtcDateTime(required=True)
    notice_ends_at = UtcDateTime(required=True)
    open_for_objections = ma.fields.Boolean(required=True)
    winners = ma.fields.List(ma.fields.Nested(AwardWinnerSchema), required=True)
    my_objections = ma.fields.List(ma.fields.Nested(ObjectionSchema), required=True, metadata={
        "description": "The caller's own objections (empty when anonymous)"})


class ObjectionInputSchema(ApiSchema):
    reasons = ma.fields.String(required=True)


class ObjectionAnswerSchema(ApiSchema):
    answer = ma.fields.String(required=True)
    version = ma.fields.Integer(allow_none=True)
