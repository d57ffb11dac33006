"""Project operations: they validate, flush and write audit events, never commit."""
from __future__ import annotations

import sqlalchemy as sa

from grants.core import audit
from grants.core.permissions import is_officer
from grants.extensions import db
from grants.projects.models import Project


def create_project(bid, *, actor=None) -> Project:
    """One project per awarded bid, in ``contracting``; the award is the amount requested."""
    project = Project(challenge_id=bid.challenge_id, bid_id=bid.id, lead_org_id=bid.organization_id,
                      lead_person_id=bid.lead_id, title=bid.title, award_fen=bid.requested_fen)
    db.session.add(project)
    db.session.flush()
    audit.record(project, "create", actor=actor, to_state=project.state,
                 evidence={"challenge_id": bid.challenge_id, "bid_id": bid.id, "award_fen": bid.requested_fen})
    return project


def can_view(user, project: Project) -> bool:
    """The bureau, the team's organisation and the enterprise that posted the challenge."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_officer(user):
        return True
    if user.organization_id is None:
        return False
    if user.role == "applicant" and user.organization_id == project.lead_org_id:
        return True
    return user.role == "enterprise" and user.organization_id == project.challenge.owner_org_id


def projects_visible_to(user):
    from grants.challenges.models import Challenge

    query = sa.select(Project).order_by(Project.id.desc())
    if is_officer(user):
        return query
    if user.role == "applicant":
        return query.where(Project.lead_org_id == user.organization_id)
    if user.role == "enterprise":
        return query.join(Challenge, Challenge.id == Project.challenge_id).where(
            Challenge.owner_org_id == user.organization_id)
    return query.where(sa.false())
