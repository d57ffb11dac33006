"""``/api/v1/acceptance/<project id>``: the final acceptance of a project, for the
bureau and the panel's members: the panel, the caller's judgement, the
outcome (its preview and its confirmation), transitions and history.
Who may do what is :mod:`grants.acceptance.permissions`."""
from __future__ import annotations

from flask import send_file
from flask_babel import gettext as _

from grants.acceptance import archive, decisions, services
from grants.acceptance.permissions import can_download_archive, can_view
from grants.acceptance.schemas import (DecisionSchema, JudgementInSchema, JudgementSchema, OutcomeInSchema,
                                       OutcomeSchema, PanelAddSchema, PanelInSchema, PanelMemberSchema)
from grants.api.auth import require_user
from grants.api.base import ID, add_history, add_transitions, api_blueprint
from grants.api.schemas import TransitionResultSchema
from grants.auth.models import User
from grants.core.errors import NotFound
from grants.extensions import db
from grants.projects.models import Project

blp = api_blueprint("acceptance", __name__, "/acceptance",
                    description="Final acceptance (结题验收) of a project: panel, judgements and outcome.")


def _not_found():
    return NotFound(_("There is no such record, or it is not visible to you."))


def load_project(project_id: int, user=None):
    user = require_user()
    project = db.session.get(Project, project_id)
    return project if project is not None and can_view(user, project) is None else None


def _project(project_id: int) -> Project:
    project = load_project(project_id)
    if project is None:
        raise _not_found()
    return project


def _users(ids) -> list[User]:
    users = [db.session.get(User, i) for i in ids]
    if any(u is None for u in users):
        raise _not_found()
    return users


@blp.route(f"/<{ID}:project_id>/panel", methods=["GET"])
@blp.response(200, PanelMemberSchema(many=True))
def get_panel(project_id: int):
    """The panel: voting reviewers and the enterprise's non-voting member"""
    return services.panel_of(_project(project_id))


@blp.route(f"/<{ID}:project_id>/panel", methods=["PUT"])
@blp.arguments(PanelInSchema)
@blp.response(200, PanelMemberSchema(many=True))
def form_panel(data, project_id: int):
    """Form (or re-form) the panel while the project awaits acceptance (officer)"""
    project = _project(project_id)
    observer = _users([data["observer_id"]])[0] if data.get("observer_id") else None
    services.form_panel(project, _users(data["reviewer_ids"]), actor=require_user(), observer=observer)
    db.session.commit()
    return services.panel_of(project)


@blp.route(f"/<{ID}:project_id>/panel/members", methods=["POST"])
@blp.arguments(PanelAddSchema)
@blp.response(200, PanelMemberSchema(many=True))
def add_panel_member(data, project_id: int):
    """Add a voting reviewer to the formed panel, e.g. after a member was withdrawn (officer)"""
    project = _project(project_id)
    services.add_panel_member(project, _users([data["reviewer_id"]])[0], actor=require_user())
    db.session.commit()
    return services.panel_of(project)


def _judgement_view(judgement):
    return {"id": judgement.id, "round": judgement.round, "version": judgement.version, "score": judgement.score,
            "opinion": judgement.opinion, "submitted_at": judgement.submitted_at,
            "indicators": [{"indicator_id": i.indicator_id, "met": i.met, "value": i.value}
                           for i in judgement.indicators]}


@blp.route(f"/<{ID}:project_id>/judgement", methods=["GET"])
@blp.response(200, JudgementSchema)
def get_judgement(project_id: int):
    """The caller's judgement in the current round (404 before the first save)"""
    judgement = services.judgement_of(_project(project_id), require_user())
    if judgement is None:
        raise _not_found()
    return _judgement_view(judgement)


@blp.route(f"/<{ID}:project_id>/judgement", methods=["PUT"])
@blp.arguments(JudgementInSchema)
@blp.response(200, JudgementSchema)
def save_judgement(data, project_id: int):
    """Save the caller's judgement as a draft, or submit it (voting members; locked after submit)"""
    judgement = services.save_judgement(
        _project(project_id), actor=require_user(), score=data.get("score"), opinion=data["opinion"],
        indicators={i["indicator_id"]: (i["met"], i["value"]) for i in data["indicators"]},
        submit=data["submit"], expected_version=data.get("version"))
    db.session.commit()
    return _judgement_view(judgement)


@blp.route(f"/<{ID}:project_id>/outcome", methods=["GET"])
@blp.response(200, OutcomeSchema)
def get_outcome(project_id: int):
    """Progress of the round and, once every voting member has submitted, the rule's outcome"""
    project = _project(project_id)
    state = decisions.progress(project)
    result = state.result
    return {"round": services.current_round(project), "members": state.members, "submitted": state.submitted,
            "outcome": result.outcome.value if result else None, "mean_score": result.mean_score if result else None,
            "unmet_binding": list(result.unmet_binding) if result else []}


@blp.route(f"/<{ID}:project_id>/outcome", methods=["POST"])
@blp.arguments(OutcomeInSchema)
@blp.response(200, TransitionResultSchema)
def confirm_outcome(data, project_id: int):
    """Confirm the rule's outcome with a written conclusion (officer); fires the project's transition"""
    project = _project(project_id)
    version = data.pop("version", None)
    event = decisions.confirm_outcome(project, actor=require_user(), expected_version=version, **data)
    db.session.commit()
    return {"state": str(project.state), "version": project.version, "event": event}


@blp.route(f"/<{ID}:project_id>/decisions", methods=["GET"])
@blp.response(200, DecisionSchema(many=True))
def list_decisions(project_id: int):
    """The confirmed outcome of each round"""
    return decisions.decisions_of(_project(project_id))


ZIP_RESPONSE = {"200": {"description": "The project's whole file as a ZIP",
                        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}}


@blp.route(f"/<{ID}:project_id>/archive", methods=["GET"])
@blp.doc(responses=ZIP_RESPONSE)
def download_archive(project_id: int):
    """The project's whole file (task agreement versions, reports and their files, the panel's
    opinions, the certificate) as a ZIP: the bureau, the lead's team and the enterprise"""
    user = require_user()
    project = db.session.get(Project, project_id)
    if project is None or can_download_archive(user, project) is not None:
        raise _not_found()
    return send_file(archive.build_archive(project, actor=user), mimetype="application/zip", as_attachment=True,
                     download_name=archive.archive_name(project))


add_transitions(blp, Project, load_project)
add_history(blp, Project, load_project)
