"""Schemas of the projects API, and a blueprint that reads multipart forms
(text fields and PDF files in one request) as one set of arguments."""
from __future__ import annotations

import json

import marshmallow as ma
from flask import url_for
from flask_smorest.fields import Upload
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

from grants.api.base import ApiBlueprint, PREFIX
from grants.api.errors import ApiParser
from grants.api.schemas import ApiSchema, QuerySchema, UtcDateTime
from grants.challenges.api import Fen
from grants.projects.models import EXPERT_CONCLUSION_LABELS, MilestoneState, ProjectState, ReportKind, TrancheState
from grants.projects.monitoring import FLAG_FILTERS, FLAGS, SORTS

MAX_ID = 2**31 - 1


class MultipartParser(ApiParser):
    """Adds the ``multipart`` location: form fields and files together."""

    __location_map__ = dict(ApiParser.__location_map__, multipart="load_multipart")

    def load_multipart(self, req, schema):
        return MultiDictProxy(CombinedMultiDict([req.form, req.files]), schema)


class MultipartBlueprint(ApiBlueprint):
    ARGUMENTS_PARSER = MultipartParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = dict(ApiBlueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                                 multipart="multipart/form-data")


def multipart_blueprint(name: str, import_name: str, url_prefix: str, description: str = ""):
    return MultipartBlueprint(f"api_{name}", import_name, url_prefix=PREFIX + url_prefix,
                              description=description, tag=name)


class IndicatorValues(ma.fields.Field):
    """A JSON object ``{"<indicator id>": "<value>"}`` sent as one form field."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            parsed = json.loads(value) if isinstance(value, str) else value
        except ValueError:
            raise ma.ValidationError("Not a JSON object.") from None
        if not isinstance(parsed, dict) or not all(isinstance(v, (str, int, float)) and not isinstance(v, bool)
                                                   for v in parsed.values()):
            raise ma.ValidationError("Not a JSON object of indicator id → value.")
        return {str(k): str(v) for k, v in parsed.items()}


class IsoDate(ma.fields.Date):
    """A date; the agreement's plain data already holds it as an ISO string."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, str) else super()._serialize(value, attr, obj, **kwargs)


VALUES_META = {"type": "string", "description": 'JSON object of indicator id → value reached, e.g. {"12": "0.6"}'}


# the agreement ------------------------------------------------------------------------

class AgreementMilestoneSchema(ApiSchema):
    title = ma.fields.String(required=True)
    due_on = IsoDate(required=True)
    deliverables = ma.fields.String(load_default="")


class AgreementIndicatorSchema(ApiSchema):
    name = ma.fields.String(required=True)
    unit = ma.fields.String(load_default="")
    baseline = ma.fields.String(load_default="")
    target = ma.fields.String(required=True)
    binding = ma.fields.Boolean(load_default=False, metadata={"description": "A binding indicator is the "
                                                              "team's pledge (军令状)"})


class AgreementTrancheSchema(ApiSchema):
    amount_fen = Fen(required=True)
    milestone = ma.fields.Integer(allow_none=True, load_default=None, strict=True,
                                  validate=ma.validate.Range(min=0, max=1000),
                                  metadata={"description": "Number (1-based) of the milestone whose approval "
                                                           "releases it; null or 0: at signing"})


class AgreementFieldsSchema(ApiSchema):
    start_on = IsoDate()
    end_on = IsoDate()
    equipment_fen = Fen()
    materials_fen = Fen()
    personnel_fen = Fen()
    other_fen = Fen()
    milestones = ma.fields.List(ma.fields.Nested(AgreementMilestoneSchema))
    indicators = ma.fields.List(ma.fields.Nested(AgreementIndicatorSchema))
    tranches = ma.fields.List(ma.fields.Nested(AgreementTrancheSchema))


class AgreementChangesSchema(AgreementFieldsSchema):
    """Only the fields sent change; lists replace what was there, matched by position."""

    version = ma.fields.Integer(required=True, strict=True, metadata={
        "description": "The agreement version you last saw; if it changed since, the answer is 409 conflict"})


class ConfirmSchema(ApiSchema):
    version = ma.fields.Integer(strict=True, metadata={"description": "The agreement version you confirm"})


class ConfirmationsSchema(ma.Schema):
    officer = UtcDateTime(allow_none=True, required=True)
    enterprise = UtcDateTime(allow_none=True, required=True)
    lead = UtcDateTime(allow_none=True, required=True)


class AgreementOutSchema(AgreementFieldsSchema):
    class Meta:
        unknown = ma.EXCLUDE

    project_id = ma.fields.Integer(required=True)
    version = ma.fields.Integer(required=True)
    confirmed_versions = ma.fields.Integer(required=True, metadata={
        "description": "How many versions all three parties have confirmed"})
    confirmations = ma.fields.Nested(ConfirmationsSchema, required=True)


class AgreementVersionSchema(ma.Schema):
    number = ma.fields.Integer(required=True)
    confirmed_at = UtcDateTime(required=True)
    snapshot = ma.fields.Nested(AgreementFieldsSchema, required=True)


# milestones, reports, tranches ---------------------------------------------------------

def _is_midway(milestone) -> bool:
    from grants.projects.permissions import midway_milestone

    midway = midway_milestone(milestone.project)
    return midway is not None and midway.id == milestone.id


def _waiting_for_experts(milestone) -> str | None:
    from grants.projects.rules import expert_check_refusal

    if milestone.state != MilestoneState.submitted:
        return None
    reason = expert_check_refusal(milestone)
    return str(reason) if reason else None


class MilestoneStatusSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    number = ma.fields.Function(lambda m: m.position + 1, required=True, metadata={"type": "integer"})
    title = ma.fields.String(required=True)
    due_on = ma.fields.Date(required=True)
    deliverables = ma.fields.String(required=True)
    state = ma.fields.String(required=True, metadata={"enum": [s.value for s in MilestoneState]})
    state_label = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    overdue = ma.fields.Method("_overdue", required=True, metadata={
        "type": "boolean", "description": "Past its due date and not approved (derived from the clock)"})
    expert_check_waived = ma.fields.Function(lambda m: m.project.waived_milestone_id == m.id, required=True,
                                             metadata={"type": "boolean"})
    midway = ma.fields.Function(_is_midway, required=True, metadata={
        "type": "boolean", "description": "The mid-way milestone, whose report the experts check before approval"})
    waiting_for_experts = ma.fields.Function(_waiting_for_experts, allow_none=True, required=True, metadata={
        "type": "string", "description": "Why the submitted report cannot be approved yet for want of the "
                                         "experts' check; null when nothing waits for them"})

    def _overdue(self, milestone) -> bool:
        from grants.core import clock

        return milestone.is_overdue(clock.today())


class ReportValueSchema(ma.Schema):
    indicator_id = ma.fields.Integer(required=True)
    value = ma.fields.String(required=True)


class ProgressReportFileSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    original_filename = ma.fields.String(required=True)
    size = ma.fields.Integer(required=True)
    sha256 = ma.fields.String(required=True)
    download_url = ma.fields.Function(
        lambda f: url_for("projects.report_file", project_id=f.report.project_id, file_id=f.id),
        required=True, metadata={"type": "string"})


class ProgressReportSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": [k.value for k in ReportKind]})
    milestone_id = ma.fields.Integer(allow_none=True, required=True)
    text = ma.fields.String(required=True)
    submitted_at = UtcDateTime(required=True)
    decision = ma.fields.String(allow_none=True, required=True, metadata={"enum": ["approved", "returned", None]})
    decision_comment = ma.fields.String(allow_none=True, required=True)
    decided_at = UtcDateTime(allow_none=True, required=True)
    values = ma.fields.List(ma.fields.Nested(ReportValueSchema), required=True)
    files = ma.fields.List(ma.fields.Nested(ProgressReportFileSchema), required=True)
    expert_names = ma.fields.String(allow_none=True, required=True, metadata={
        "description": "The experts who checked a mid-way report, separated by 、"})
    expert_opinion = ma.fields.String(allow_none=True, required=True)
    expert_conclusion = ma.fields.String(allow_none=True, required=True, metadata={
        "enum": [*EXPERT_CONCLUSION_LABELS, None]})
    expert_checked_at = UtcDateTime(allow_none=True, required=True)


class ReportInSchema(ApiSchema):
    text = ma.fields.String(required=True)
    values = IndicatorValues(load_default=dict, metadata=VALUES_META)
    files = ma.fields.List(Upload(), load_default=list, metadata={"description": "PDF files, at most 20 MB each"})
    version = ma.fields.Integer(metadata={"description": "The milestone version you last saw"})


class ExpertCheckInSchema(ApiSchema):
    experts = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=200)), required=True,
                             validate=ma.validate.Length(max=50),
                             metadata={"description": "The names of the experts who checked the report"})
    opinion = ma.fields.String(required=True, validate=ma.validate.Length(max=20000))
    conclusion = ma.fields.String(required=True, validate=ma.validate.OneOf(list(EXPERT_CONCLUSION_LABELS)))
    version = ma.fields.Integer(strict=True, metadata={"description": "The milestone version you last saw"})


class AcceptanceInSchema(ApiSchema):
    text = ma.fields.String(required=True)
    values = IndicatorValues(required=True, metadata=VALUES_META)
    file = Upload(required=True, metadata={"description": "The final report, a PDF of at most 20 MB"})
    version = ma.fields.Integer(metadata={"description": "The project version you last saw"})


class WaiverInSchema(ApiSchema):
    comment = ma.fields.String()


class TrancheSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    number = ma.fields.Function(lambda t: t.position + 1, required=True, metadata={"type": "integer"})
    amount_fen = ma.fields.Integer(required=True)
    milestone_id = ma.fields.Integer(allow_none=True, required=True, metadata={
        "description": "The milestone whose approval releases it; null: at signing"})
    state = ma.fields.String(required=True, metadata={"enum": [s.value for s in TrancheState]})
    state_label = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    released_on = ma.fields.Date(allow_none=True, required=True)
    released_at = UtcDateTime(allow_none=True, required=True)
    released_by = ma.fields.Function(lambda t: t.released_by.display_name if t.released_by else None,
                                     allow_none=True, required=True, metadata={"type": "string"})


class FundingSchema(ma.Schema):
    award_fen = ma.fields.Integer(required=True)
    planned_fen = ma.fields.Integer(required=True)
    released_fen = ma.fields.Integer(required=True)
    remaining_fen = ma.fields.Integer(required=True)


PROJECT_STATES = [s.value for s in ProjectState]


# monitoring ------------------------------------------------------------------------------

class MonitoringFilters(QuerySchema):
    state = ma.fields.String(validate=ma.validate.OneOf(PROJECT_STATES))
    q = ma.fields.String(metadata={"description": "Part of the project's title"})
    overdue = ma.fields.Boolean(load_default=False, metadata={
        "description": "Only projects with an overdue milestone"})
    flag = ma.fields.String(validate=ma.validate.OneOf(FLAG_FILTERS), metadata={
        "description": "Only projects with a red flag: `any`, or that one flag"})
    sort = ma.fields.String(load_default="next_due", validate=ma.validate.OneOf(SORTS), metadata={
        "description": "next_due: the next milestone due first (none last); overdue, released, flags: "
                       "the most first; title; state"})


class MonitoringRowSchema(ma.Schema):
    project_id = ma.fields.Integer(attribute="project.id", required=True)
    title = ma.fields.String(attribute="project.title", required=True)
    lead_org_id = ma.fields.Integer(attribute="project.lead_org_id", required=True)
    lead_organization = ma.fields.String(attribute="project.lead_org.name", required=True)
    state = ma.fields.String(attribute="project.state", required=True, metadata={"enum": PROJECT_STATES})
    state_label = ma.fields.String(attribute="project.state_label", required=True)
    next_due_on = ma.fields.Date(allow_none=True, required=True, metadata={
        "description": "The earliest due date of a milestone not yet approved"})
    overdue_milestones = ma.fields.Integer(attribute="overdue", required=True, metadata={
        "description": "Milestones past their due date and not approved (derived from the clock)"})
    planned_fen = ma.fields.Integer(required=True)
    released_fen = ma.fields.Integer(required=True)
    red_flags = ma.fields.List(ma.fields.String(metadata={"enum": list(FLAGS)}), attribute="flags",
                               required=True, metadata={
                                   "description": "overdue_30: a milestone overdue by more than 30 days; "
                                                  "integrity: a black entry in force against the lead or "
                                                  "the lead organisation; returned_twice: the last two "
                                                  "decisions on the project's progress reports were returns"})
    red_flag_labels = ma.fields.List(ma.fields.String(), attribute="flag_labels", required=True)
