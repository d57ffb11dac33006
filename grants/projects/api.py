"""``/api/v1/projects``: the projects of confirmed awards, for those who may see them.

Officers see every project, the team's organisation its own, the enterprise
that posted the challenge the projects of its challenges (as on the pages).
The schedule and the indicators are those promised in the awarded bid.
"""
from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _

from grants.api.auth import require_user
from grants.api.base import ID, SelectPage, add_history, add_transitions, api_blueprint
from grants.api.schemas import IdField, QuerySchema, UtcDateTime
from grants.core.errors import NotFound
from grants.extensions import db
from grants.projects import services
from grants.projects.models import Project, ProjectState

blp = api_blueprint("projects", __name__, "/projects",
                    description="Projects (立项项目) created when an award is confirmed.")


class ProjectSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    state = ma.fields.String(required=True, metadata={"enum": [s.value for s in ProjectState]})
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
    milestones = ma.fields.List(ma.fields.Nested(ProjectMilestoneSchema), attribute="bid.milestones", required=True)
    indicators = ma.fields.List(ma.fields.Nested(ProjectIndicatorSchema), attribute="bid.indicators", required=True)


class ProjectFilters(QuerySchema):
    state = ma.fields.String(validate=ma.validate.OneOf([s.value for s in ProjectState]))
    challenge_id = IdField()


def load_project(project_id: int, user) -> Project | None:
    """The project if the caller may see it (401 without a token), else None."""
    user = require_user()
    project = db.session.get(Project, project_id)
    return project if project is not None and services.can_view(user, project) else None


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


@blp.route(f"/<{ID}:project_id>", methods=["GET"])
@blp.response(200, ProjectDetailSchema)
def get_project(project_id: int):
    """One project, with the milestones and indicators of its awarded bid"""
    project = load_project(project_id, None)
    if project is None:
        raise NotFound(_("There is no such record, or it is not visible to you."))
    return project


add_transitions(blp, Project, load_project)
add_history(blp, Project, load_project)
