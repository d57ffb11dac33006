"""The award's part of ``/api/v1/reviews``: officers propose the award and answer
objections; the public notice is open to everyone, and signed-in users may
object to it."""
from __future__ import annotations

from grants.api.auth import caller, require_permission, require_user
from grants.api.base import ID, add_history, add_transitions, api_blueprint
from grants.api.schemas import TransitionResultSchema
from grants.awards import services
from grants.awards.models import Objection
from grants.awards.schemas import (AwardProposalSchema, NoticeSchema, ObjectionAnswerSchema, ObjectionInputSchema,
                                   ObjectionSchema)
from grants.core.workflow import fire
from grants.extensions import db
from grants.core.permissions import can
from grants.reviews.api import challenge_for_officer, not_found

blp = api_blueprint("awards", __name__, "/reviews",
                    description="Award (授予): the proposal, the public notice (公示) and objections (异议).")


def load_objection(objection_id: int, user) -> Objection | None:
    """Officers see every objection; the person who filed it sees their own."""
    user = require_user()
    objection = db.session.get(Objection, objection_id)
    if objection is None or not can("awards.see_objection", objection, user):
        return None
    return objection


# officer: the proposal and the objections ---------------------------------------------------

@blp.route(f"/challenges/<{ID}:challenge_id>/award", methods=["POST"])
@blp.arguments(AwardProposalSchema)
@blp.response(200, TransitionResultSchema)
def propose_award(data, challenge_id: int):
    """Propose the winners and open the public notice"""
    challenge = challenge_for_officer(challenge_id)
    event = fire(challenge, "propose_award", caller(), comment=data.get("comment"),
                 expected_version=data.get("version"), winners=data["winners"])
    db.session.commit()
    return {"state": challenge.state.value, "version": challenge.version, "event": event}


@blp.route(f"/challenges/<{ID}:challenge_id>/objections", methods=["GET"])
@blp.response(200, ObjectionSchema(many=True))
def list_objections(challenge_id: int):
    """Every objection to the challenge's award (officers)"""
    return services.objections_of(challenge_for_officer(challenge_id))


# everyone: the public notice and objections ---------------------------------------------------

def _notice(challenge_id: int):
    challenge, notice = services.public_notice(challenge_id)
    if challenge is None:
        raise not_found()
    return challenge, notice


@blp.route(f"/challenges/<{ID}:challenge_id>/notice", methods=["GET"])
@blp.response(200, NoticeSchema)
def get_notice(challenge_id: int):
    """The public notice of a proposed or confirmed award (no token needed)"""
    challenge, notice = _notice(challenge_id)
    user = caller()
    return {"challenge_id": challenge.id, "title": challenge.title, "state": challenge.state.value,
            "round": notice.round, "notice_starts_at": notice.notice_starts_at,
            "notice_ends_at": notice.notice_ends_at,
            "open_for_objections": services.open_for_objections(challenge, notice),
            "winners": services.winners_of(challenge),
            "my_objections": services.objections_by(challenge, user) if user is not None else []}


@blp.route(f"/challenges/<{ID}:challenge_id>/objections", methods=["POST"])
@blp.arguments(ObjectionInputSchema)
@blp.response(201, ObjectionSchema)
def file_objection(data, challenge_id: int):
    """Object to the proposed award while the notice runs (any signed-in user)"""
    user = require_user()
    challenge, _notice_row = _notice(challenge_id)
    objection = services.file_objection(challenge, actor=user, reasons=data["reasons"])
    db.session.commit()
    return objection


@blp.route(f"/objections/<{ID}:objection_id>", methods=["GET"])
@blp.response(200, ObjectionSchema)
def get_objection(objection_id: int):
    """One objection (officers, or who filed it)"""
    objection = load_objection(objection_id, None)
    if objection is None:
        raise not_found()
    return objection


@blp.route(f"/objections/<{ID}:objection_id>/<any(uphold,dismiss):decision>", methods=["POST"],
           permission="awards.answer_objection")
@blp.arguments(ObjectionAnswerSchema)
@blp.response(200, ObjectionSchema)
def answer_objection(data, objection_id: int, decision: str):
    """Answer an objection: uphold it (the review reopens) or dismiss it, with the answer (officers)"""
    user = require_permission("awards.answer_objection")
    objection = db.session.get(Objection, objection_id)
    if objection is None:
        raise not_found()
    operation = services.uphold_objection if decision == "uphold" else services.dismiss_objection
    operation(objection, actor=user, answer=data["answer"], expected_version=data.get("version"))
    db.session.commit()
    return objection


add_transitions(blp, Objection, load_objection, path="/objections")
add_history(blp, Objection, load_objection, path="/objections")
