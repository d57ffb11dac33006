"""``/api/v1/projects/<id>/funding-ledger`` and ``/contributions``: the project's funding
ledger (three sources, planned and actual) and the co-funding contributions, through
the pages' services (:mod:`grants.projects.funding`)."""
from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from flask_smorest.fields import Upload

from grants.api.auth import body_limit, require_user
from grants.api.base import ID
from grants.api.schemas import ApiSchema, UtcDateTime
from grants.core import attachments as files
from grants.core.errors import NotFound
from grants.extensions import db
from grants.projects import funding, services
from grants.projects.api_schemas import IsoDate, multipart_blueprint
from grants.projects.models import Project

blp = multipart_blueprint("project_funding", __name__, "/projects",
                          description="A project's funding ledger and co-funding contributions.")


class LedgerSourceSchema(ma.Schema):
    source = ma.fields.String(required=True, metadata={"enum": list(funding.SOURCES)})
    label = ma.fields.String(required=True)
    planned_fen = ma.fields.Integer(required=True)
    actual_fen = ma.fields.Integer(required=True)


class ContributionSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    source = ma.fields.String(required=True, metadata={"enum": list(funding.CONTRIBUTED)})
    amount_fen = ma.fields.Integer(required=True)
    paid_on = IsoDate(required=True)
    note = ma.fields.String(required=True)
    recorded_at = UtcDateTime(required=True)
    proof_filename = ma.fields.String(required=True, allow_none=True)
    proof_sha256 = ma.fields.String(required=True, allow_none=True)


class LedgerSchema(ma.Schema):
    project_id = ma.fields.Integer(required=True)
    sources = ma.fields.List(ma.fields.Nested(LedgerSourceSchema), required=True)
    ratio_own = ma.fields.Integer(required=True)
    ratio_public = ma.fields.Integer(required=True)
    planned_total_fen = ma.fields.Integer(required=True)
    actual_total_fen = ma.fields.Integer(required=True)
    contributions = ma.fields.List(ma.fields.Nested(ContributionSchema), required=True)


class ContributionInSchema(ApiSchema):
    source = ma.fields.String(required=True, validate=ma.validate.OneOf(funding.CONTRIBUTED))
    amount_fen = ma.fields.Integer(required=True)
    paid_on = ma.fields.String(required=True, metadata={"description": "YYYY-MM-DD"})
    note = ma.fields.String(load_default="")
    proof = Upload(metadata={"description": "Optional proof, a PDF of at most 20 MB"})


def _project(project_id: int) -> Project:
    user = require_user()
    project = db.session.get(Project, project_id)
    if project is None or not services.can_view(user, project):
        raise NotFound(_("There is no such record, or it is not visible to you."))
    return project


def _ledger(project: Project) -> dict:
    return {"project_id": project.id, **funding.ledger(project), "contributions": funding.contributions(project)}


@blp.route(f"/<{ID}:project_id>/funding-ledger", methods=["GET"])
@blp.response(200, LedgerSchema)
def get_ledger(project_id: int):
    """The funding ledger: bureau, enterprise and own funds, planned and actual"""
    return _ledger(_project(project_id))


@blp.route(f"/<{ID}:project_id>/contributions", methods=["POST"])
@body_limit(files.MAX_BYTES + 1024 * 1024)
@blp.arguments(ContributionInSchema, location="multipart")
@blp.response(201, LedgerSchema)
def record_contribution(data, project_id: int):
    """Record an enterprise or own contribution (the team or an officer), with an optional PDF proof"""
    project = _project(project_id)
    proof = data.pop("proof", None)
    funding.record_contribution(project, actor=require_user(), data=data,
                                upload=(proof.stream, proof.filename) if proof else None)
    db.session.commit()
    return _ledger(project)
