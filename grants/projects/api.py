"""``/api/v1/projects``, ``/milestones`` and ``/tranches``: projects of confirmed awards
and their execution, for those who may see them.

Officers see every project, the team's organisation its own, the enterprise
that posted the challenge the projects of its challenges (as on the pages).
Everything goes through the pages' services; who may do what is
:mod:`grants.projects.permissions`.
"""
from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa
import sqlalchemy.orm  # noqa: F401  (sa.orm loaders)
from flask_babel import gettext as _

from grants.api.auth import body_limit, require_permission, require_user
from grants.api.base import ID, SelectPage, add_history, add_transitions, api_blueprint
from grants.api.schemas import IdField, QuerySchema, TransitionResultSchema, UtcDateTime
from grants.core import attachments as files
from grants.core import clock
from grants.core.errors import NotFound
from grants.extensions import db
from grants.projects import agreement as agreements
from grants.projects import monitoring, reports, services
from grants.projects.api_schemas import (PROJECT_STATES, AcceptanceInSchema, AgreementChangesSchema,
                                         AgreementOutSchema, AgreementVersionSchema, ConfirmSchema,
                                         FundingSchema, MilestoneStatusSchema, MonitoringFilters,
                                         MonitoringRowSchema, ReportInSchema, ProgressReportSchema,
                                         TrancheSchema, WaiverInSchema, multipart_blueprint)
from grants.projects.funding_api import blp as funding_blp
from grants.projects.gate_api import blp as gates_blp
from grants.projects.models import AgreementVersion, Milestone, Project, Tranche
from grants.projects.api_schemas import ExpertCheckInSchema

blp = multipart_blueprint("projects", __name__, "/projects",
                          description="Projects (立项项目) created when an award is confirmed: task agreement, "
                                      "reports, funds, exceptions and the request for acceptance.")
milestones_blp = multipart_blueprint("milestones", __name__, "/milestones",
                                     description="Milestones of a project's task agreement and their reports.")
tranches_blp = api_blueprint("tranches", __name__, "/tranches", description="Funding tranches (经费拨付).")
blueprints = [blp, milestones_blp, tranches_blp, gates_blp, funding_blp]
FILE_LIMIT = files.MAX_BYTES * 5 + 1024 * 1024


class ProjectSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    state = ma.fields.String(required=True, metadata={"enum": PROJECT_STATES})
    state_label = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    challenge_id = ma.fields.Integer(required=True)
    challenge_title = ma.fields.String(attribute="challenge.title", required=True)
    bid_id = ma.fields.Integer(required=True)
    lead_org_id = ma.fields.Integer(required=True)
    lead_organization = ma.fields.String(attribute="lead_org.name", required=True)
    award_fen = ma.fields.Integer(required=True)
    created_at = UtcDateTime(required=True)


class ProjectMilestoneSchema(ma.Schema):
    month = ma.fields.Integer(required=True, metadata={"description": "Months after the project starts"})
    title = ma.fields.String(required=True)
    deliverable = ma.fields.String(required=True)


class ProjectIndicatorSchema(ma.Schema):
    name = ma.fields.String(attribute="challenge_indicator.name", required=True)
    unit = ma.fields.String(attribute="challenge_indicator.unit", required=True)
    target_value = ma.fields.String(attribute="challenge_indicator.target_value", required=True)
    binding = ma.fields.Boolean(attribute="challenge_indicator.binding", required=True)
    promised_value = ma.fields.String(required=True)


class ProjectDetailSchema(ProjectSchema):
    lead_person = ma.fields.String(attribute="lead_person.name", allow_none=True)
    milestones = ma.fields.List(ma.fields.Nested(ProjectMilestoneSchema), attribute="bid.milestones", required=True,
                                metadata={"description": "As promised in the awarded bid; the agreement's "
                                                         "milestones are under /projects/<id>/milestones"})
    indicators = ma.fields.List(ma.fields.Nested(ProjectIndicatorSchema), attribute="bid.indicators", required=True)
    suspended_from = ma.fields.String(allow_none=True, required=True, metadata={
        "description": "Where resuming returns to (while suspended)"})
    red_at_signing = ma.fields.Boolean(required=True, metadata={
        "description": "Lead and organisation were on the red list when the agreement was signed"})
    waived_milestone_id = ma.fields.Integer(allow_none=True, required=True, metadata={
        "description": "The mid-way milestone whose expert check was waived (red-list incentive)"})
    funding = ma.fields.Function(lambda p: FundingSchema().dump(services.funding_summary(p)), required=True,
                                 metadata={"type": "object"})


class ProjectFilters(QuerySchema):
    state = ma.fields.String(validate=ma.validate.OneOf(PROJECT_STATES))
    challenge_id = IdField()


def _not_found():
    return NotFound(_("There is no such record, or it is not visible to you."))


def load_project(project_id: int, user) -> Project | None:
    """The project if the caller may see it (401 without a token), else None."""
    user = require_user()
    project = db.session.get(Project, project_id)
    return project if project is not None and services.can_view(user, project) else None


def load_child(model):
    def loader(child_id: int, user):
        user = require_user()
        child = db.session.get(model, child_id)
        return child if child is not None and services.can_view(user, child.project) else None

    return loader


load_milestone, load_tranche = load_child(Milestone), load_child(Tranche)


def _get(loader, object_id: int):
    found = loader(object_id, None)
    if found is None:
        raise _not_found()
    return found


# projects -------------------------------------------------------------------------------

@blp.route("", methods=["GET"])
@blp.arguments(ProjectFilters, location="query")
@blp.response(200, ProjectSchema(many=True))
@blp.paginate(SelectPage)
def list_projects(filters):
    """Projects the caller may see, newest first"""
    query = services.projects_visible_to(require_user())
    if filters.get("state"):
        query = query.where(Project.state == filters["state"])
    if filters.get("challenge_id") is not None:
        query = query.where(Project.challenge_id == filters["challenge_id"])
    return query


class MonitoringPage(SelectPage):
    """Pages of the monitoring rows (several columns each)."""

    @property
    def items(self) -> list:
        params = self.page_params
        if params.first_item >= params.item_count:
            return []
        return monitoring.read_all(self.collection.limit(params.page_size).offset(params.first_item))


@blp.route("/monitoring", methods=["GET"], permission="projects.monitor")
@blp.arguments(MonitoringFilters, location="query")
@blp.response(200, MonitoringRowSchema(many=True))
@blp.paginate(MonitoringPage)
def monitoring_list(filters):
    """Monitoring across every project (officers)

    The rows of the monitoring page, with its filters and sorts: status, next milestone due,
    overdue milestones, funds released against planned, and red flags.
    """
    require_permission("projects.monitor")
    return monitoring.monitoring_query(clock.today(), state=filters.get("state"), q=filters.get("q"),
                                       overdue_only=filters["overdue"], flag=filters.get("flag"),
                                       sort=filters["sort"])


@blp.route(f"/<{ID}:project_id>", methods=["GET"])
@blp.response(200, ProjectDetailSchema)
def get_project(project_id: int):
    """One project, with the promises of its awarded bid and its funding so far"""
    return _get(load_project, project_id)


# the agreement ----------------------------------------------------------------------------

def _agreement_view(project: Project) -> dict:
    agreement = project.agreement
    if agreement is None:
        raise NotFound(_("The task agreement has not been drafted yet."))
    return {**agreements.agreement_data(project), "project_id": project.id, "version": agreement.version,
            "confirmed_versions": agreement.confirmed_versions,
            "confirmations": {party: getattr(agreement, f"{party}_confirmed_at") for party in agreement.PARTIES}}


@blp.route(f"/<{ID}:project_id>/agreement", methods=["GET"])
@blp.response(200, AgreementOutSchema)
def get_agreement(project_id: int):
    """The task agreement as it stands, with the parties' confirmations"""
    return _agreement_view(_get(load_project, project_id))


@blp.route(f"/<{ID}:project_id>/agreement", methods=["PATCH"])
@blp.arguments(AgreementChangesSchema)
@blp.response(200, AgreementOutSchema)
def edit_agreement(data, project_id: int):
    """Change the agreement (officer); the three parties then confirm it again"""
    project = _get(load_project, project_id)
    version = data.pop("version")
    agreements.edit_agreement(project, actor=require_user(), data=data, expected_version=version)
    db.session.commit()
    return _agreement_view(project)


@blp.route(f"/<{ID}:project_id>/agreement/confirm", methods=["POST"])
@blp.arguments(ConfirmSchema, required=False)
@blp.response(200, AgreementOutSchema)
def confirm_agreement(body, project_id: int):
    """Confirm the agreement (officer, enterprise, team lead); the third confirmation signs it"""
    project = _get(load_project, project_id)
    agreements.confirm_agreement(project, actor=require_user(), expected_version=(body or {}).get("version"))
    db.session.commit()
    return _agreement_view(project)


@blp.route(f"/<{ID}:project_id>/agreement/versions", methods=["GET"])
@blp.response(200, AgreementVersionSchema(many=True))
@blp.paginate(SelectPage)
def agreement_versions(project_id: int):
    """Every version the three parties confirmed, newest first"""
    project = _get(load_project, project_id)
    return (sa.select(AgreementVersion).where(AgreementVersion.project_id == project.id)
            .order_by(AgreementVersion.number.desc()))


@blp.route(f"/<{ID}:project_id>/agreement/versions/<{ID}:number>", methods=["GET"])
@blp.response(200, AgreementVersionSchema)
def agreement_version(project_id: int, number: int):
    """One confirmed version of the agreement"""
    version = agreements.agreement_version(_get(load_project, project_id), number)
    if version is None:
        raise _not_found()
    return version


# execution ------------------------------------------------------------------------------

@blp.route(f"/<{ID}:project_id>/milestones", methods=["GET"])
@blp.response(200, MilestoneStatusSchema(many=True))
@blp.paginate(SelectPage)
def project_milestones(project_id: int):
    """The agreement's milestones, in the order they are due"""
    project = _get(load_project, project_id)
    return sa.select(Milestone).where(Milestone.project_id == project.id).order_by(Milestone.position)


@blp.route(f"/<{ID}:project_id>/reports", methods=["GET"])
@blp.response(200, ProgressReportSchema(many=True))
@blp.paginate(SelectPage)
def project_reports(project_id: int):
    """Progress reports and the final report, newest first"""
    return reports.reports_query(_get(load_project, project_id))


@blp.route(f"/<{ID}:project_id>/tranches", methods=["GET"])
@blp.response(200, TrancheSchema(many=True))
@blp.paginate(SelectPage)
def project_tranches(project_id: int):
    """The funding tranches and what has been released"""
    project = _get(load_project, project_id)
    return (sa.select(Tranche).where(Tranche.project_id == project.id)
            .options(sa.orm.joinedload(Tranche.released_by)).order_by(Tranche.position))


@blp.route(f"/<{ID}:project_id>/acceptance", methods=["POST"])
@body_limit(files.MAX_BYTES + 1024 * 1024)
@blp.arguments(AcceptanceInSchema, location="multipart")
@blp.response(200, TransitionResultSchema)
def request_acceptance(data, project_id: int):
    """Request final acceptance (the team) with the final report and each indicator's final value"""
    project = _get(load_project, project_id)
    upload = data["file"]
    event = reports.request_acceptance(project, actor=require_user(), text=data["text"], values=data["values"],
                                       upload=(upload.stream, upload.filename), expected_version=data.get("version"))
    db.session.commit()
    return {"state": str(project.state), "version": project.version, "event": event}


@blp.route(f"/<{ID}:project_id>/waiver", methods=["POST"])
@blp.arguments(WaiverInSchema, required=False)
@blp.response(200, ProjectDetailSchema)
def waive_check(body, project_id: int):
    """Waive the mid-way milestone's expert check (officer; lead and organisation red-listed at signing)"""
    project = _get(load_project, project_id)
    services.waive_midway_check(project, actor=require_user(), comment=(body or {}).get("comment"))
    db.session.commit()
    return project


add_transitions(blp, Project, load_project)
add_history(blp, Project, load_project)


# milestones and tranches -------------------------------------------------------------------

@milestones_blp.route(f"/<{ID}:milestone_id>", methods=["GET"])
@milestones_blp.response(200, MilestoneStatusSchema)
def get_milestone(milestone_id: int):
    """One milestone"""
    return _get(load_milestone, milestone_id)


@milestones_blp.route(f"/<{ID}:milestone_id>/report", methods=["POST"])
@body_limit(FILE_LIMIT)
@milestones_blp.arguments(ReportInSchema, location="multipart")
@milestones_blp.response(201, ProgressReportSchema)
def submit_report(data, milestone_id: int):
    """Submit the milestone's progress report (the team), again after it was returned"""
    milestone = _get(load_milestone, milestone_id)
    report = reports.submit_report(milestone, actor=require_user(), text=data["text"], values=data["values"],
                                   uploads=[(f.stream, f.filename) for f in data["files"]],
                                   expected_version=data.get("version"))
    db.session.commit()
    return report


@milestones_blp.route(f"/<{ID}:milestone_id>/expert-check", methods=["POST"])
@milestones_blp.arguments(ExpertCheckInSchema)
@milestones_blp.response(200, ProgressReportSchema)
def record_expert_check(data, milestone_id: int):
    """Record the experts' check of the mid-way milestone's report (officer); approval waits for it"""
    milestone = _get(load_milestone, milestone_id)
    report = reports.record_expert_check(milestone, actor=require_user(), experts=data["experts"],
                                         opinion=data["opinion"], conclusion=data["conclusion"],
                                         expected_version=data.get("version"))
    db.session.commit()
    return report


@tranches_blp.route(f"/<{ID}:tranche_id>", methods=["GET"])
@tranches_blp.response(200, TrancheSchema)
def get_tranche(tranche_id: int):
    """One funding tranche"""
    return _get(load_tranche, tranche_id)


add_transitions(milestones_blp, Milestone, load_milestone)
add_history(milestones_blp, Milestone, load_milestone)
add_transitions(tranches_blp, Tranche, load_tranche)
add_history(tranches_blp, Tranche, load_tranche)

