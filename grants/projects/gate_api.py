"""``/api/v1/stage-gates/<challenge_id>``: the stage gate of a parallel award (officers):
the side-by-side comparison of the teams, the gate milestone and the decision.
The same services as the pages (:mod:`grants.projects.stage_gate`)."""
from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _

from grants.api.auth import require_user
from grants.api.base import ID, api_blueprint
from grants.api.schemas import UtcDateTime
from grants.challenges.models import Challenge
from grants.core.errors import NotFound
from grants.extensions import db
from grants.projects import permissions as can
from grants.projects import stage_gate as gates
from grants.projects.api_schemas import FundingSchema

blp = api_blueprint("stage_gates", __name__, "/stage-gates",
                    description="Stage gates of parallel awards (赛马制): continue or stop each team.")


class GateIndicatorSchema(ma.Schema):
    name = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    target = ma.fields.String(required=True)
    binding = ma.fields.Boolean(required=True)
    reached = ma.fields.String(required=True, allow_none=True,
                               metadata={"description": "The value in the latest report; null before any"})


class GateReportSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    milestone = ma.fields.String(attribute="milestone.title",
                                   required=True)
    submitted_at = UtcDateTime(required=True)
    decision = ma.fields.String(required=True, allow_none=True)
    text = ma.fields.String(required=True)


class GateTeamSchema(ma.Schema):
    project_id = ma.fields.Integer(required=True)
    organization = ma.fields.String(required=True)
    state = ma.fields.String(required=True)
    gate_milestone_state = ma.fields.String(required=True, allow_none=True)
    indicators = ma.fields.List(ma.fields.Nested(GateIndicatorSchema), required=True)
    reports = ma.fields.List(ma.fields.Nested(GateReportSchema), required=True)
    funds = ma.fields.Nested(FundingSchema, required=True)
    verdict = ma.fields.String(required=True, allow_none=True, metadata={"enum": list(gates.VERDICTS)})
    reason = ma.fields.String(required=True, allow_none=True)


class GateSchema(ma.Schema):
    challenge_id = ma.fields.Integer(required=True)
    position = ma.fields.Integer(required=True, metadata={"description": "The gate follows this milestone (1-based)"})
    version = ma.fields.Integer(required=True)
    decided_at = UtcDateTime(required=True, allow_none=True)
    moved_fen = ma.fields.Integer(required=True)
    moved_to_id = ma.fields.Integer(required=True, allow_none=True)
    waiting = ma.fields.List(ma.fields.Integer(), required=True,
                             metadata={"description": "Projects whose gate report is neither in nor past due"})
    teams = ma.fields.List(ma.fields.Nested(GateTeamSchema), required=True)


class GateInSchema(ma.Schema):
    position = ma.fields.Integer(required=True, strict=True)
    version = ma.fields.Integer(load_default=None, metadata={"description": "The gate's version, when it exists"})


class GateVerdictSchema(ma.Schema):
    project_id = ma.fields.Integer(required=True)
    verdict = ma.fields.String(required=True, validate=ma.validate.OneOf(gates.VERDICTS))
    reason = ma.fields.String(required=True)


class DecisionInSchema(ma.Schema):
    version = ma.fields.Integer(load_default=None)
    decisions = ma.fields.List(ma.fields.Nested(GateVerdictSchema), required=True)
    move_to = ma.fields.Integer(load_default=None, metadata={"description": "The continuing project that "
                                                                          "receives the stopped teams' budget"})
    move_fen = ma.fields.Integer(load_default=0, strict=True)


def _challenge(challenge_id: int) -> Challenge:
    """The challenge for the bureau; 404 for anyone else."""
    challenge = db.session.get(Challenge, challenge_id)
    if challenge is None or isinstance(can.can_set_gate(require_user(), challenge), can.NotYours):
        raise NotFound(_("There is no such record, or it is not visible to you."))
    return challenge


def _view(challenge: Challenge) -> dict:
    gate = gates.gate_of(challenge)
    if gate is None:
        raise NotFound(_("No stage gate has been set for this challenge."))
    return {"challenge_id": challenge.id, "position": gate.position, "version": gate.version,
            "decided_at": gate.decided_at, "moved_fen": gate.moved_fen, "moved_to_id": gate.moved_to_id,
            "waiting": [p.id for p in gates.teams_waiting(gate)],
            "teams": [_team(row) for row in gates.gate_comparison(gate)]}


def _team(row: dict) -> dict:
    project, milestone, decision = row["project"], row["milestone"], row["decision"]
    return {"project_id": project.id, "organization": project.lead_org.name, "state": str(project.state),
            "gate_milestone_state": str(milestone.state) if milestone else None,
            "indicators": row["indicators"], "reports": row["reports"], "funds": row["funds"],
            "verdict": decision.verdict if decision else None, "reason": decision.reason if decision else None}


@blp.route(f"/<{ID}:challenge_id>", methods=["GET"])
@blp.response(200, GateSchema)
def get_gate(challenge_id: int):
    """The gate and the teams side by side (officer)"""
    return _view(_challenge(challenge_id))


@blp.route(f"/<{ID}:challenge_id>", methods=["PUT"])
@blp.arguments(GateInSchema)
@blp.response(200, GateSchema)
def set_gate(data, challenge_id: int):
    """Mark the gate milestone of a parallel award (officer)"""
    challenge = _challenge(challenge_id)
    gates.set_stage_gate(challenge, actor=require_user(), position=data["position"],
                         expected_version=data.get("version"))
    db.session.commit()
    return _view(challenge)


@blp.route(f"/<{ID}:challenge_id>/decision", methods=["POST"])
@blp.arguments(DecisionInSchema)
@blp.response(200, GateSchema)
def decide_gate(data, challenge_id: int):
    """Continue or stop every team, with reasons; optionally move the stopped teams' budget (officer)"""
    challenge = _challenge(challenge_id)
    decisions = {d["project_id"]: (d["verdict"], d["reason"]) for d in data["decisions"]}
    gates.decide_stage_gate(challenge, actor=require_user(), decisions=decisions, move_to=data.get("move_to"),
                            move_fen=data.get("move_fen") or 0, expected_version=data.get("version"))
    db.session.commit()
    return _view(challenge)
