"""Request and response schemas of the acceptance API."""
from __future__ import annotations

import marshmallow as ma

from grants.acceptance.models import Outcome
from grants.api.schemas import ApiSchema, UtcDateTime

OUTCOMES = [o.value for o in Outcome]


class PanelMemberSchema(ma.Schema):
    user_id = ma.fields.Integer(required=True)
    name = ma.fields.String(attribute="user.display_name", required=True)
    voting = ma.fields.Boolean(required=True, metadata={"description": "False: the enterprise's member, no vote"})


class PanelInSchema(ApiSchema):
    reviewer_ids = ma.fields.List(ma.fields.Integer(strict=True), required=True,
                                  metadata={"description": "At least three reviewers without conflicts"})
    observer_id = ma.fields.Integer(allow_none=True, strict=True, metadata={
        "description": "A member of the challenge's enterprise, joining without a vote"})


class PanelAddSchema(ApiSchema):
    reviewer_id = ma.fields.Integer(required=True, strict=True, metadata={
        "description": "A reviewer without conflicts, joining the formed panel with a vote"})


class IndicatorJudgementSchema(ApiSchema):
    indicator_id = ma.fields.Integer(required=True, strict=True)
    met = ma.fields.Boolean(required=True)
    value = ma.fields.String(load_default="", metadata={"description": "The value accepted as reached"})


class JudgementInSchema(ApiSchema):
    score = ma.fields.Integer(allow_none=True, strict=True, metadata={"description": "Overall score, 0..100"})
    opinion = ma.fields.String(load_default="")
    indicators = ma.fields.List(ma.fields.Nested(IndicatorJudgementSchema), load_default=list)
    submit = ma.fields.Boolean(load_default=False, metadata={"description": "Submit: locked afterwards"})
    version = ma.fields.Integer(allow_none=True)


class JudgementSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    round = ma.fields.Integer(required=True)
    version = ma.fields.Integer(required=True)
    score = ma.fields.Integer(allow_none=True, required=True)
    opinion = ma.fields.String(required=True)
    submitted_at = UtcDateTime(allow_none=True, required=True)
    indicators = ma.fields.List(ma.fields.Nested(IndicatorJudgementSchema), required=True)


class OutcomeSchema(ma.Schema):
    round = ma.fields.Integer(required=True)
    members = ma.fields.Integer(required=True, metadata={"description": "Voting members"})
    submitted = ma.fields.Integer(required=True)
    outcome = ma.fields.String(allow_none=True, required=True, metadata={
        "enum": OUTCOMES, "description": "The rule's result once every voting member has submitted"})
    mean_score = ma.fields.Float(allow_none=True, required=True)
    unmet_binding = ma.fields.List(ma.fields.Integer(), required=True)


class OutcomeInSchema(ApiSchema):
    conclusion = ma.fields.String(required=True)
    fixes = ma.fields.String(load_default="", metadata={"description": "What to rectify (rectification only)"})
    deadline_on = ma.fields.String(allow_none=True, load_default=None, metadata={
        "format": "date", "description": "Rectification deadline, at most three months away"})
    misconduct = ma.fields.Boolean(load_default=False)
    version = ma.fields.Integer(allow_none=True)


class DecisionSchema(ma.Schema):
    round = ma.fields.Integer(required=True)
    outcome = ma.fields.String(required=True, metadata={"enum": OUTCOMES})
    conclusion = ma.fields.String(required=True)
    fixes = ma.fields.String(required=True)
    deadline_on = ma.fields.Date(allow_none=True, required=True)
    misconduct = ma.fields.Boolean(required=True)
    mean_score = ma.fields.Float(required=True)
    decided_at = UtcDateTime(required=True)
