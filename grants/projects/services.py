"""Project operations: they validate, flush and write audit events, never commit."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

import grants.awards.workflow  # noqa: F401  (declares the confirm_award transition)
from grants.bids.models import Bid, BidState
from grants.challenges.workflow import add_challenge_effects
from grants.core import audit
from grants.core.permissions import is_officer
from grants.core.workflow import fire
from grants.extensions import db
from grants.integrity.effects import on_black_entry
from grants.integrity.models import IntegrityEntry, SubjectType
from grants.projects.models import Project, ProjectState


def create_project(bid, *, actor=None) -> Project:
    """One project per awarded bid, in ``contracting``; the award is the amount requested."""
    project = Project(challenge_id=bid.challenge_id, bid_id=bid.id, lead_org_id=bid.organization_id,
                      lead_person_id=bid.lead_id, title=bid.title, award_fen=bid.requested_fen)
    db.session.add(project)
    db.session.flush()
    audit.record(project, "create", actor=actor, to_state=project.state,
                 evidence={"challenge_id": bid.challenge_id, "bid_id": bid.id, "award_fen": bid.requested_fen})
    return project


def create_awarded_projects(attempt) -> None:
    """Effect of a confirmed award: one project for every bid it awards."""
    for bid in db.session.scalars(sa.select(Bid).where(Bid.challenge_id == attempt.obj.id,
                                                       Bid.state == BidState.awarded).order_by(Bid.id)):
        create_project(bid, actor=attempt.actor)


add_challenge_effects("confirm_award", create_awarded_projects)


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


SUSPENDABLE = (ProjectState.contracting, ProjectState.active)


def _with_live_project():
    from grants.bids.models import Bid

    return Bid.id.in_(sa.select(Project.bid_id).where(Project.state.in_(SUSPENDABLE)))


def codes_in_live_projects(subject_type: str, codes: set[str]) -> set[str]:
    from grants.bids.services import codes_in_live_bids

    return codes_in_live_bids(subject_type, codes, live=_with_live_project())


@on_black_entry("suspend_projects", live_codes=codes_in_live_projects)
def suspend_projects(entry: IntegrityEntry, actor) -> int:
    """Projects in contracting or under way any of whose parties (organisation,
    partner, lead, member) the new black entry names are suspended."""
    from grants.bids.models import Bid
    from grants.bids.services import party_clause

    projects = db.session.scalars(
        sa.select(Project).join(Bid, Bid.id == Project.bid_id)
        .where(Project.state.in_(SUSPENDABLE), party_clause(entry.subject_type, entry.subject_code))
        .order_by(Project.id)).all()
    for project in projects:
        fire(project, "suspend", actor,
             comment=_("Suspended: black-list entry %(basis)s against %(name)s.",
                       basis=entry.basis, name=entry.subject_name),
             entry_id=entry.id)
    return len(projects)
