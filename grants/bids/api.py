"""``/api/v1/bids``: bids (揭榜申报), their drafting, files, partners and workflow.

Who sees how much of a bid is the pages' rule (:func:`grants.bids.permissions.view_of`,
and its SQL form :func:`~grants.bids.services.visible_clause` for lists): the
team and the bureau everything, a partner organisation what it is asked to
join, the challenge's enterprise titles and organisations once bidding has
closed. Everyone else is told the bid does not exist (404).
"""
from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest.fields import Upload
from sqlalchemy.orm import selectinload

from grants.api.auth import body_limit, require_user
from grants.api.base import ID, SelectPage, add_history, add_transitions, api_blueprint
from grants.api.schemas import ApiSchema, AttachmentSchema, OrganizationRefSchema, QuerySchema, UtcDateTime
from grants.bids import services
from grants.bids.models import Bid, BidState
from grants.bids.workflow import BID_WORKFLOW
from grants.challenges.api import Fen
from grants.challenges.services import can_see as can_see_challenge
from grants.challenges.models import Challenge
from grants.core import attachments
from grants.core.errors import NotFound, ValidationFailed
from grants.core.permissions import can
from grants.extensions import db

blp = api_blueprint("bids", __name__, "/bids", description="Bids (揭榜申报) on published challenges.")

STATES = [s.value for s in BidState]
VIEWS = ("full", "partner", "owner")
MAX_ID = 2**31 - 1
# Which fields each view shows; the rest are left out of the answer.
OWNER_FIELDS = {"id", "view", "challenge", "organization", "title"}
PARTNER_FIELDS = OWNER_FIELDS | {"state", "state_label", "lead", "partners"}
VIEW_DESCRIPTION = ("How much of the bid you see: `full` (the team, the bureau), `partner` (a partner "
                    "organisation: also state, lead and its own partner row), `owner` (the challenge's "
                    "enterprise once bidding has closed: title and organisation only).")


def _not_found():
    return NotFound(_("There is no such record, or it is not visible to you."))


# responses ---------------------------------------------------------------------

class ChallengeRefSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)


class PersonRefSchema(ma.Schema):
    name = ma.fields.String(required=True)
    id_number = ma.fields.Method("_id_number", required=True, metadata={
        "type": "string", "description": "Masked unless you are an officer or the person"})

    def _id_number(self, person) -> str:
        return person.id_for(current_user)


class MemberSchema(ma.Schema):
    person = ma.fields.Nested(PersonRefSchema, required=True)
    role = ma.fields.String(required=True)


class PromisedIndicatorSchema(ma.Schema):
    challenge_indicator_id = ma.fields.Integer(required=True)
    name = ma.fields.Function(lambda row: row.challenge_indicator.name, required=True,
                              metadata={"type": "string"})
    promised_value = ma.fields.String(required=True)


class MilestoneSchema(ma.Schema):
    month = ma.fields.Integer(required=True, metadata={"description": "Months after the project starts"})
    title = ma.fields.String(required=True)
    deliverable = ma.fields.String(required=True)


class PartnerSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    organization = ma.fields.Nested(OrganizationRefSchema, required=True)
    confirmed = ma.fields.Boolean(required=True)
    confirmed_at = UtcDateTime(allow_none=True, required=True)


class IntegrityFlagSchema(ma.Schema):
    flagged_at = UtcDateTime(attribute="integrity_flagged_at", required=True)
    entry_id = ma.fields.Integer(attribute="integrity_flag_entry_id", required=True)


class BidSummarySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    view = ma.fields.Method("_view", required=True, metadata={"type": "string", "enum": list(VIEWS),
                                                              "description": VIEW_DESCRIPTION})
    challenge = ma.fields.Nested(ChallengeRefSchema, required=True)
    organization = ma.fields.Nested(OrganizationRefSchema, required=True)
    title = ma.fields.String(required=True)
    state = ma.fields.String(metadata={"enum": STATES})
    state_label = ma.fields.Method("_state_label", metadata={"type": "string"})
    version = ma.fields.Integer()
    requested_fen = ma.fields.Integer(allow_none=True)
    submitted_at = UtcDateTime(allow_none=True)
    updated_at = UtcDateTime()

    def _view(self, bid) -> str:
        # Only bids the caller may see are ever dumped; the least view is the safe default.
        return services.view_of(current_user, bid) or "owner"

    def _state_label(self, bid) -> str:
        return BID_WORKFLOW.state_label(bid.state)

    @ma.post_dump(pass_original=True)
    def _only_what_the_view_shows(self, data, bid, **kwargs):
        shown = {"owner": OWNER_FIELDS, "partner": PARTNER_FIELDS}.get(data["view"])
        if data["view"] == "partner" and "partners" in data:
            mine = current_user.organization_id
            data["partners"] = [p for p in data["partners"] if p["organization"]["id"] == mine]
        if data["view"] != "full" or not can("bids.check_eligibility"):
            data.pop("integrity_flag", None)
        return data if shown is None else {k: v for k, v in data.items() if k in shown}


class BidSchema(BidSummarySchema):
    lead = ma.fields.Nested(PersonRefSchema, allow_none=True)
    technical_approach = ma.fields.String(allow_none=True)
    equipment_fen = ma.fields.Integer()
    materials_fen = ma.fields.Integer()
    personnel_fen = ma.fields.Integer()
    other_fen = ma.fields.Integer()
    own_cofunding_fen = ma.fields.Integer(allow_none=True)
    declaration_confirmed_at = UtcDateTime(allow_none=True)
    rejection_reason = ma.fields.String(allow_none=True)
    members = ma.fields.List(ma.fields.Nested(MemberSchema))
    indicators = ma.fields.List(ma.fields.Nested(PromisedIndicatorSchema))
    milestones = ma.fields.List(ma.fields.Nested(MilestoneSchema))
    partners = ma.fields.List(ma.fields.Nested(PartnerSchema))
    attachments = ma.fields.List(ma.fields.Nested(AttachmentSchema))
    integrity_flag = ma.fields.Method("_flag", allow_none=True, metadata={
        "type": "object", "description": "Officers only: a black-list entry came into force against a party"})
    created_at = UtcDateTime()

    def _flag(self, bid):
        return IntegrityFlagSchema().dump(bid) if bid.integrity_flagged_at else None


# requests ----------------------------------------------------------------------

class PersonInSchema(ApiSchema):
    name = ma.fields.String(required=True)
    id_number = ma.fields.String(required=True, metadata={"description": "Resident ID number"})


class MemberInSchema(PersonInSchema):
    role = ma.fields.String(metadata={"description": "Role in the team"})


class PromiseInSchema(ApiSchema):
    challenge_indicator_id = ma.fields.Integer(required=True, strict=True,
                                               validate=ma.validate.Range(min=1, max=MAX_ID))
    promised_value = ma.fields.String(required=True)


class MilestoneInSchema(ApiSchema):
    month = ma.fields.Integer(required=True, strict=True, metadata={"description": "1 to 120"})
    title = ma.fields.String(required=True)
    deliverable = ma.fields.String()


class BidChangesSchema(ApiSchema):
    """Fields of a draft; only those sent change. Lists replace what was there."""

    title = ma.fields.String()
    technical_approach = ma.fields.String(allow_none=True)
    requested_fen = Fen(allow_none=True)
    equipment_fen = Fen(allow_none=True)
    materials_fen = Fen(allow_none=True)
    personnel_fen = Fen(allow_none=True)
    other_fen = Fen(allow_none=True)
    own_cofunding_fen = Fen(allow_none=True)
    declaration = ma.fields.Boolean(metadata={
        "description": "The lead declares the bid true and complete and will honour its binding indicators"})
    lead = ma.fields.Nested(PersonInSchema, metadata={"description": "Left out on creation: you lead"})
    members = ma.fields.List(ma.fields.Nested(MemberInSchema))
    indicators = ma.fields.List(ma.fields.Nested(PromiseInSchema), metadata={
        "description": "The values promised against the challenge's indicators"})
    milestones = ma.fields.List(ma.fields.Nested(MilestoneInSchema))
    partners = ma.fields.List(ma.fields.String(), metadata={
        "description": "Unified social credit codes of partner organisations (at most five); "
                       "each confirms its participation itself"})


class BidCreateSchema(BidChangesSchema):
    challenge_id = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=MAX_ID))


class BidUpdateSchema(BidChangesSchema):
    version = ma.fields.Integer(required=True, strict=True, metadata={
        "description": "The version you last saw; if the bid changed since, the answer is 409 conflict"})


class BidFilters(QuerySchema):
    challenge_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID))
    state = ma.fields.String(validate=ma.validate.OneOf(STATES))


class UploadSchema(ApiSchema):
    file = Upload(required=True, metadata={"description": "A PDF, at most 20 MB"})


# resources ---------------------------------------------------------------------

def load_bid(bid_id: int, user) -> Bid | None:
    """The team and the bureau; for anyone else the bid does not exist."""
    bid = db.session.get(Bid, bid_id)
    return bid if bid is not None and services.can_view(user, bid) else None


def _get(bid_id: int, user, *, views=("full",)) -> Bid:
    bid = db.session.get(Bid, bid_id)
    if bid is None or services.view_of(user, bid) not in views:
        raise _not_found()
    return bid


LEAD_FIELDS = {"person_name": "lead", "id_number": "lead"}


def _service_data(data: dict) -> dict:
    return {key: value for key, value in data.items() if key not in ("version", "challenge_id")}


def _save(save, data: dict):
    """Run a drafting service; a problem with the lead is reported on ``lead``."""
    try:
        return save(_service_data(data))
    except ValidationFailed as exc:
        if "lead" in data and set(exc.details) & set(LEAD_FIELDS):
            raise ValidationFailed(exc.message, details={LEAD_FIELDS.get(k, k): v
                                                         for k, v in exc.details.items()}) from None
        raise


@blp.route("", methods=["GET"])
@blp.arguments(BidFilters, location="query")
@blp.response(200, BidSummarySchema(many=True))
@blp.paginate(SelectPage)
def list_bids(filters):
    """The bids you may see, newest first"""
    user = require_user()
    query = (sa.select(Bid).where(services.visible_clause(user)).options(selectinload(Bid.partners))
             .order_by(Bid.id.desc()))
    if filters.get("challenge_id"):
        query = query.where(Bid.challenge_id == filters["challenge_id"])
    if filters.get("state"):
        query = query.where(Bid.state == filters["state"])
    return query


@blp.route("", methods=["POST"])
@blp.arguments(BidCreateSchema)
@blp.response(201, BidSchema)
def create_bid(data):
    """Start a draft bid on a challenge open for bids (research teams)"""
    user = require_user()
    challenge = db.session.get(Challenge, data["challenge_id"])
    if challenge is None or not can_see_challenge(challenge, user):
        message = _("There is no such record, or it is not visible to you.")
        raise ValidationFailed(message, details={"challenge_id": message})
    bid = _save(lambda values: services.create_bid(challenge, actor=user, data=values), data)
    db.session.commit()
    return bid


@blp.route(f"/<{ID}:bid_id>", methods=["GET"])
@blp.response(200, BidSchema)
def get_bid(bid_id: int):
    """One bid, as much of it as you may see (see `view`)"""
    return _get(bid_id, require_user(), views=VIEWS)


@blp.route(f"/<{ID}:bid_id>", methods=["PATCH"])
@blp.arguments(BidUpdateSchema)
@blp.response(200, BidSchema)
def update_bid(data, bid_id: int):
    """Change a draft bid (its team only); send the version you last saw"""
    user = require_user()
    bid = _get(bid_id, user)
    _save(lambda values: services.update_bid(bid, actor=user, data=values, expected_version=data["version"]),
          data)
    db.session.commit()
    return bid


@blp.route(f"/<{ID}:bid_id>/attachments", methods=["POST"])
@body_limit(attachments.MAX_BYTES + 1024 * 1024)
@blp.arguments(UploadSchema, location="files")
@blp.response(201, AttachmentSchema)
def upload_attachment(data, bid_id: int):
    """Attach a PDF (at most 20 MB) to a draft bid (its team only)"""
    user = require_user()
    bid = _get(bid_id, user)
    upload = data["file"]
    attachment = services.add_attachment(bid, actor=user, stream=upload.stream, filename=upload.filename)
    db.session.commit()
    return attachment


@blp.route(f"/<{ID}:bid_id>/partners/<{ID}:partner_id>/confirm", methods=["POST"])
@blp.response(200, PartnerSchema)
def confirm_partner(bid_id: int, partner_id: int):
    """A partner organisation confirms its participation (while the bid is a draft)"""
    user = require_user()
    bid = db.session.get(Bid, bid_id)
    partner = services.is_partner_user(user, bid) if bid is not None else None
    if partner is None or partner.id != partner_id:
        raise _not_found()
    partner = services.confirm_partner(bid, actor=user)
    db.session.commit()
    return partner


add_transitions(blp, Bid, load_bid)
add_history(blp, Bid, load_bid)
