"""``/api/v1/challenges``: the board, a challenge, drafting and the challenge workflow.

Who sees what is the pages' rule (:mod:`grants.challenges.permissions`
for one challenge, :func:`~grants.challenges.services.visible_clause` for
lists); drafting goes through the pages' services.
"""
from __future__ import annotations

from datetime import timezone

import marshmallow as ma
from flask_babel import gettext as _

from grants.api.auth import caller, require_user
from grants.api.base import ID, SelectPage, add_history, add_transitions, api_blueprint
from grants.api.schemas import ApiSchema, AttachmentSchema, OrganizationRefSchema, QuerySchema, UtcDateTime
from grants.challenges import services
from grants.challenges.models import Challenge, ChallengeField, ChallengeState
from grants.challenges.workflow import CHALLENGE_WORKFLOW
from grants.core import clock
from grants.core.errors import NotFound
from grants.extensions import db

blp = api_blueprint("challenges", __name__, "/challenges", description="Challenges (榜单): the board and drafting.")

FIELDS = [f.value for f in ChallengeField]
STATES = [s.value for s in ChallengeState]
# What a BIGINT column holds; the services decide what is allowed.
MAX_FEN = 2**63 - 1


def Fen(**kwargs):
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(min=-MAX_FEN, max=MAX_FEN),
                             metadata={"description": "Amount in fen (分, 1/100 yuan)"}, **kwargs)


class InputDateTime(ma.fields.DateTime):
    """ISO 8601 in; a time without offset is Beijing time. Stored as naive UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            if moment.tzinfo is None:
                return clock.from_local(moment)
            return moment.astimezone(timezone.utc).replace(tzinfo=None)
        except (OverflowError, ValueError):
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE) from None


# responses ---------------------------------------------------------------------

class ChallengeIndicatorSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    target_value = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    binding = ma.fields.Boolean(required=True, metadata={"description": "A binding pledge (军令状)"})


class RubricCriterionSchema(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"description": "What a reviewer's scores refer to"})
    name = ma.fields.String(required=True)
    weight = ma.fields.Integer(required=True)


class ChallengeSummarySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    version = ma.fields.Integer(required=True)
    state = ma.fields.String(required=True, metadata={"enum": STATES})
    state_label = ma.fields.Method("_state_label", required=True, metadata={"type": "string"})
    title = ma.fields.String(required=True)
    field = ma.fields.String(allow_none=True, required=True, metadata={"enum": FIELDS})
    field_label = ma.fields.String(required=True)
    owner_organization = ma.fields.Nested(OrganizationRefSchema, attribute="owner_org", required=True)
    budget_fen = ma.fields.Integer(allow_none=True, required=True)
    enterprise_cofunding_fen = ma.fields.Integer(allow_none=True, required=True)
    max_winners = ma.fields.Integer(required=True)
    pass_mark = ma.fields.Integer(required=True)
    deadline_at = UtcDateTime(allow_none=True, required=True)
    duration_months = ma.fields.Integer(allow_none=True, required=True)
    blind_review = ma.fields.Boolean(required=True)
    published_at = UtcDateTime(allow_none=True, required=True)
    closed_at = UtcDateTime(allow_none=True, required=True)
    bid_count = ma.fields.Method("_bid_count", required=True, metadata={
        "type": "integer", "description": "Bids so far (drafts and withdrawn bids not counted)"})
    updated_at = UtcDateTime(required=True)

    @ma.pre_dump(pass_collection=True)
    def _count_bids_of_the_page(self, data, many, **kwargs):
        """One query for the bid counts of a whole page (see ``services.attach_bid_counts``)."""
        if many:
            services.attach_bid_counts(c for c in data if c.bid_count is None)
        return data

    def _state_label(self, challenge) -> str:
        return CHALLENGE_WORKFLOW.state_label(challenge.state)

    def _bid_count(self, challenge) -> int:
        return challenge.bid_count if challenge.bid_count is not None else services.bid_count(challenge)


class ChallengeSchema(ChallengeSummarySchema):
    problem = ma.fields.String(allow_none=True, required=True)
    notice_days = ma.fields.Integer(required=True)
    cofund_own = ma.fields.Integer(allow_none=True, required=True, metadata={
        "description": "Co-funding ratio own:public set by the bureau; null: 2:1 when an enterprise leads, "
                       "1:1 for a university or institute"})
    cofund_public = ma.fields.Integer(allow_none=True, required=True)
    indicators = ma.fields.List(ma.fields.Nested(ChallengeIndicatorSchema), required=True)
    rubric = ma.fields.List(ma.fields.Nested(RubricCriterionSchema), required=True)
    attachments = ma.fields.List(ma.fields.Nested(AttachmentSchema), required=True)
    created_at = UtcDateTime(required=True)


# requests ----------------------------------------------------------------------

class IndicatorInSchema(ApiSchema):
    name = ma.fields.String(required=True)
    target_value = ma.fields.String(required=True)
    unit = ma.fields.String()
    binding = ma.fields.Boolean(metadata={"description": "A binding pledge (军令状)"})


class RubricInSchema(ApiSchema):
    name = ma.fields.String(required=True)
    weight = ma.fields.Integer(required=True, strict=True, metadata={"description": "1 to 100; weights add up to 100"})


class ChallengeChangesSchema(ApiSchema):
    """Fields of a draft; only those sent change. A draft may be incomplete: submitting checks it."""

    title = ma.fields.String()
    field = ma.fields.String(allow_none=True, metadata={"enum": FIELDS})
    problem = ma.fields.String(allow_none=True)
    budget_fen = Fen(allow_none=True)
    enterprise_cofunding_fen = Fen(allow_none=True)
    max_winners = ma.fields.Integer(strict=True, metadata={"description": "More than 1: parallel award (赛马制)"})
    pass_mark = ma.fields.Integer(strict=True)
    deadline_at = InputDateTime(allow_none=True, metadata={
        "description": "Bidding deadline, ISO 8601; without an offset it is Beijing time"})
    duration_months = ma.fields.Integer(strict=True, allow_none=True)
    blind_review = ma.fields.Boolean()
    notice_days = ma.fields.Integer(strict=True)
    indicators = ma.fields.List(ma.fields.Nested(IndicatorInSchema), metadata={
        "description": "Replaces the required indicators"})
    rubric = ma.fields.List(ma.fields.Nested(RubricInSchema), metadata={
        "description": "Replaces the scoring rubric; left out on creation: the default rubric"})


class ChallengeCreateSchema(ChallengeChangesSchema):
    title = ma.fields.String(required=True)


class ChallengeUpdateSchema(ChallengeChangesSchema):
    version = ma.fields.Integer(required=True, strict=True, metadata={
        "description": "The version you last saw; if the challenge changed since, the answer is 409 conflict"})


# What an INTEGER column holds; the service decides what is allowed.
MAX_INT = 2**31 - 1


def RatioPart(**kwargs):
    return ma.fields.Integer(strict=True, allow_none=True, required=True,
                             validate=ma.validate.Range(min=-MAX_INT, max=MAX_INT), **kwargs)


class CofundingRatioSchema(ApiSchema):
    cofund_own = RatioPart(metadata={"description": "The team's own share; null with cofund_public null: the default"})
    cofund_public = RatioPart(metadata={"description": "The public (bureau) share"})


class ChallengeFilters(QuerySchema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATES))
    field = ma.fields.String(validate=ma.validate.OneOf(FIELDS))
    q = ma.fields.String(metadata={"description": "Words in the title or the technical problem"})
    sort = ma.fields.String(validate=ma.validate.OneOf(services.BOARD_SORTS), metadata={
        "description": "deadline (default: open challenges first, nearest deadline first) or budget"})


# resources ---------------------------------------------------------------------

def load_challenge(challenge_id: int, user) -> Challenge | None:
    return services.visible_challenge(challenge_id, user)


def load_challenge_history(challenge_id: int, user) -> Challenge | None:
    """The history is the owner's and the bureau's, as on the page."""
    challenge = db.session.get(Challenge, challenge_id)
    return challenge if challenge is not None and services.can_see_history(challenge, user) else None


def _get(challenge_id: int, user, load=load_challenge) -> Challenge:
    challenge = load(challenge_id, user)
    if challenge is None:
        raise NotFound(_("There is no such record, or it is not visible to you."))
    return challenge


def _changes(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "version"}


@blp.route("", methods=["GET"])
@blp.arguments(ChallengeFilters, location="query")
@blp.response(200, ChallengeSummarySchema(many=True))
@blp.paginate(SelectPage)
def list_challenges(filters):
    """Challenges: the public board; an enterprise's own challenges too; everything for officers"""
    return services.search_challenges(caller(), q=filters.get("q", ""), field=filters.get("field"),
                                      status=filters.get("status"), sort=filters.get("sort", "deadline"))


@blp.route("", methods=["POST"], permission="challenges.create", say_why=True)
@blp.arguments(ChallengeCreateSchema)
@blp.response(201, ChallengeSchema)
def create_challenge(data):
    """Post a new draft challenge (enterprises, for their own organisation)"""
    user = require_user()
    challenge = services.create_challenge(actor=user, data=data)
    db.session.commit()
    return challenge


@blp.route(f"/<{ID}:challenge_id>", methods=["GET"])
@blp.response(200, ChallengeSchema)
def get_challenge(challenge_id: int):
    """One challenge, with its indicators, rubric and attachments"""
    return _get(challenge_id, caller(), services.view_challenge)


@blp.route(f"/<{ID}:challenge_id>", methods=["PATCH"])
@blp.arguments(ChallengeUpdateSchema)
@blp.response(200, ChallengeSchema)
def update_challenge(data, challenge_id: int):
    """Change a draft (its enterprise only); send the version you last saw"""
    user = require_user()
    challenge = services.update_challenge(_get(challenge_id, user), actor=user, data=_changes(data),
                                          expected_version=data["version"])
    db.session.commit()
    return challenge


@blp.route(f"/<{ID}:challenge_id>/cofunding-ratio", methods=["PUT"])
@blp.arguments(CofundingRatioSchema)
@blp.response(200, ChallengeSchema)
def set_cofunding_ratio(data, challenge_id: int):
    """Set the bids' co-funding ratio own:public, or both null for the default (officers, before publication)"""
    user = require_user()
    challenge = services.set_cofunding_ratio(_get(challenge_id, user), actor=user, own=data["cofund_own"],
                                             public=data["cofund_public"])
    db.session.commit()
    return challenge


add_transitions(blp, Challenge, load_challenge)
add_history(blp, Challenge, load_challenge_history)
