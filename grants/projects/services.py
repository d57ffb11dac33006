"""Project operations: they validate, flush and write audit events, never commit.

State changes go through :func:`grants.core.workflow.fire`; who may do what is
:mod:`grants.projects.permissions`.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload
from flask_babel import gettext as _

import grants.awards.workflow  # noqa: F401  (declares the confirm_award transition)
from grants.bids.models import Bid, BidState
from grants.challenges.workflow import add_challenge_effects
from grants.core import audit, clock
from grants.core.errors import ValidationFailed
from grants.core.workflow import fire
from grants.extensions import db
from grants.integrity.effects import on_black_entry
from grants.integrity.models import IntegrityEntry
from grants.projects import permissions as can
from grants.projects.models import Milestone, MilestoneState, Project, ProjectState, TaskAgreement, Tranche, TrancheState


def create_project(bid, *, actor=None) -> Project:
    """One project per awarded bid, in ``contracting``, with the task agreement drafted from the bid."""
    from grants.projects.agreement import draft_agreement

    project = Project(challenge_id=bid.challenge_id, bid_id=bid.id, lead_org_id=bid.organization_id,
                      lead_person_id=bid.lead_id, title=bid.title, award_fen=bid.requested_fen)
    db.session.add(project)
    db.session.flush()
    try:
        with db.session.begin_nested():
            draft_agreement(project, actor=actor, record=False)
    except ValidationFailed:
        pass  # the officer drafts it from the project's page; the award itself must not fail over it
    audit.record(project, "create", actor=actor, to_state=project.state,
                 evidence={"challenge_id": bid.challenge_id, "bid_id": bid.id, "award_fen": bid.requested_fen,
                           "agreement_drafted": project.agreement is not None})
    return project


def create_awarded_projects(attempt) -> None:
    """Effect of a confirmed award: one project for every bid it awards."""
    for bid in db.session.scalars(sa.select(Bid).where(Bid.challenge_id == attempt.obj.id,
                                                       Bid.state == BidState.awarded).order_by(Bid.id)):
        create_project(bid, actor=attempt.actor)


add_challenge_effects("confirm_award", create_awarded_projects)


def can_view(user, project: Project) -> bool:
    return can.can_view(user, project) is None


def projects_visible_to(user):
    """The projects ``user`` may see, newest first."""
    return sa.select(Project).where(can.visible_clause(user)).order_by(Project.id.desc())


# exceptions -------------------------------------------------------------------------

def resume_project(project: Project, *, actor, comment=None, expected_version=None):
    """Back to where the project was suspended from (in progress, or contracting)."""
    name = "resume" if project.suspended_from == ProjectState.active else "resume_contracting"
    return fire(project, name, actor, comment=comment, expected_version=expected_version)


def waive_midway_check(project: Project, *, actor, comment=None):
    """The red-list incentive: the mid-way milestone goes without the expert check."""
    can.enforce(can.can_waive_check(actor, project))
    milestone = can.midway_milestone(project)
    project.waived_milestone_id = milestone.id
    db.session.flush()
    return audit.record(project, "waive_check", actor=actor, comment=comment,
                        evidence={"milestone_id": milestone.id, "milestone": milestone.title})


# funds -----------------------------------------------------------------------------

def funding_summary(project: Project) -> dict:
    planned = sum(t.amount_fen for t in project.tranches)
    released = sum(t.amount_fen for t in project.tranches if t.state == TrancheState.released)
    return {"award_fen": project.award_fen, "planned_fen": planned, "released_fen": released,
            "remaining_fen": project.award_fen - released}


def release_tranche(tranche: Tranche, *, actor, expected_version=None):
    return fire(tranche, "release", actor, expected_version=expected_version)


# black-list effects ------------------------------------------------------------------

SUSPENDABLE = (ProjectState.contracting, ProjectState.active)


def _with_live_project():
    from grants.bids.models import Bid

    return Bid.id.in_(sa.select(Project.bid_id).where(Project.state.in_(SUSPENDABLE)))


def codes_in_live_projects(subject_type: str, codes: set[str]) -> set[str]:
    from grants.bids.services import codes_in_live_bids

    return codes_in_live_bids(subject_type, codes, live=_with_live_project())


def _projects_naming(entry: IntegrityEntry, *conditions):
    from grants.bids.models import Bid
    from grants.bids.services import party_clause

    return db.session.scalars(
        sa.select(Project).join(Bid, Bid.id == Project.bid_id)
        .where(party_clause(entry.subject_type, entry.subject_code), *conditions)
        .order_by(Project.id)).all()


@on_black_entry("suspend_projects", live_codes=codes_in_live_projects)
def suspend_projects(entry: IntegrityEntry, actor) -> int:
    """Projects in contracting or under way any of whose parties (organisation,
    partner, lead, member) the new black entry names are suspended."""
    projects = _projects_naming(entry, Project.state.in_(SUSPENDABLE))
    for project in projects:
        fire(project, "suspend", actor,
             comment=_("Suspended: black-list entry %(basis)s against %(name)s.",
                       basis=entry.basis, name=entry.subject_name),
             entry_id=entry.id)
    return len(projects)


def codes_with_red_incentive(subject_type: str, codes: set[str]) -> set[str]:
    from grants.bids.services import codes_in_live_bids
    from grants.bids.models import Bid

    live = Bid.id.in_(sa.select(Project.bid_id).where(Project.red_at_signing.is_(True)))
    return codes_in_live_bids(subject_type, codes, live=live)


@on_black_entry("cancel_red_incentive", live_codes=codes_with_red_incentive)
def cancel_red_incentive(entry: IntegrityEntry, actor) -> int:
    """A black entry during the project cancels the red-list incentive and any waiver it gave."""
    projects = _projects_naming(entry, Project.red_at_signing.is_(True))
    for project in projects:
        waived = project.waived_milestone_id
        project.red_at_signing, project.waived_milestone_id = False, None
        db.session.flush()
        audit.record(project, "cancel_waiver", actor=None,
                     comment=_("Red-list incentive cancelled: black-list entry %(basis)s against %(name)s.",
                               basis=entry.basis, name=entry.subject_name),
                     evidence={"entry_id": entry.id, "waived_milestone_id": waived, "on": clock.today()})
    return len(projects)


# work queues ----------------------------------------------------------------------

REPORTS_DUE_DAYS = 14


def _count(query) -> sa.ScalarSelect:
    return sa.select(sa.func.count()).select_from(query.subquery()).scalar_subquery()


def bureau_queue() -> dict[str, int]:
    """What waits for the bureau across projects, one query: agreements to draft and confirm
    (projects in contracting without the officer's confirmation), milestone reports to review,
    tranches whose milestone is approved on an active project (to release)."""
    agreements = sa.select(Project.id).outerjoin(TaskAgreement, TaskAgreement.project_id == Project.id).where(
        Project.state == ProjectState.contracting, TaskAgreement.officer_confirmed_at.is_(None))
    reports = sa.select(Milestone.id).join(Project, Milestone.project_id == Project.id).where(
        Milestone.state == MilestoneState.submitted, Project.state == ProjectState.active)
    tranches = (sa.select(Tranche.id).join(Milestone, Tranche.milestone_id == Milestone.id)
                .join(Project, Tranche.project_id == Project.id).where(
                    Tranche.state == TrancheState.planned, Milestone.state == MilestoneState.approved,
                    Project.state == ProjectState.active))
    row = db.session.execute(sa.select(_count(agreements), _count(reports), _count(tranches))).one()
    return {"agreements": row[0], "reports": row[1], "tranches": row[2]}


def party_queue(user) -> dict[str, int]:
    """What waits for an enterprise or a team on its projects, one query: task agreements the
    organisation has still to confirm, and (a team) milestone reports due within two weeks or overdue."""
    from datetime import timedelta

    org = user.organization_id
    if org is None:
        return {"agreements": 0, "reports": 0}
    from grants.challenges.models import Challenge

    contracting = sa.select(Project.id).join(TaskAgreement, TaskAgreement.project_id == Project.id).where(
        Project.state == ProjectState.contracting)
    owned = Project.challenge_id.in_(sa.select(Challenge.id).where(Challenge.owner_org_id == org))
    agreements = contracting.where(sa.or_(
        sa.and_(Project.lead_org_id == org, TaskAgreement.lead_confirmed_at.is_(None)),
        sa.and_(owned, TaskAgreement.enterprise_confirmed_at.is_(None))))
    reports = sa.select(Milestone.id).join(Project, Milestone.project_id == Project.id).where(
        Project.lead_org_id == org, Project.state == ProjectState.active,
        Milestone.state.in_((MilestoneState.pending, MilestoneState.returned)),
        Milestone.due_on <= clock.today() + timedelta(days=REPORTS_DUE_DAYS))
    row = db.session.execute(sa.select(_count(agreements), _count(reports))).one()
    return {"agreements": row[0], "reports": row[1]}


# figures for charts and the public statistics ------------------------------------------

def count_projects_by_state() -> dict[ProjectState, int]:
    """How many projects are in each state. One query."""
    rows = db.session.execute(sa.select(Project.state, sa.func.count()).group_by(Project.state))
    return {ProjectState(state): n for state, n in rows}


def funds_by_month(months: list[str]) -> tuple[list[int], list[int]]:
    """(planned, released) fen in each of ``months`` ("YYYY-MM"): a tranche is planned in the
    month its milestone is due and released in the month it was released. One query."""
    from grants.core.months import by_month

    planned = (sa.select(sa.literal("planned").label("kind"), Milestone.due_on.label("day"),
                         sa.func.sum(Tranche.amount_fen).label("fen"))
               .join(Milestone, Tranche.milestone_id == Milestone.id).group_by(Milestone.due_on))
    released = (sa.select(sa.literal("released").label("kind"), Tranche.released_on.label("day"),
                          sa.func.sum(Tranche.amount_fen).label("fen"))
                .where(Tranche.state == TrancheState.released).group_by(Tranche.released_on))
    rows = db.session.execute(sa.union_all(planned, released)).all()
    return (by_month([(r.day, r.fen) for r in rows if r.kind == "planned"], months),
            by_month([(r.day, r.fen) for r in rows if r.kind == "released"], months))


OVERDUE_BANDS = ((1, 30), (31, 90), (91, None))  # days late


def overdue_milestones_by_lateness(today) -> list[int]:
    """Overdue milestones of live projects in each band of :data:`OVERDUE_BANDS`. One query."""
    from grants.projects.models import overdue_clause

    rows = db.session.execute(sa.select(Milestone.due_on, sa.func.count()).join(
        Project, Milestone.project_id == Project.id).where(
        overdue_clause(today), Project.state.in_((ProjectState.active, ProjectState.suspended)))
        .group_by(Milestone.due_on))
    counts = [0] * len(OVERDUE_BANDS)
    for due_on, n in rows:
        late = (today - due_on).days
        for i, (low, high) in enumerate(OVERDUE_BANDS):
            if late >= low and (high is None or late <= high):
                counts[i] += n
    return counts


LIBRARY_TARGET = 300  # the bureau's plan: 300 projects in the mid/long-term project library


def library_figures() -> dict[str, int]:
    """The project library (中长期项目库: every project established by an award, whatever became of
    it) and the funds awarded to it, in fen. One query."""
    count, awarded = db.session.execute(sa.select(sa.func.count(Project.id),
                                                  sa.func.coalesce(sa.func.sum(Project.award_fen), 0))).one()
    return {"projects": count or 0, "awarded_fen": int(awarded or 0), "target": LIBRARY_TARGET}


def library_query(q: str = ""):
    """The public project library, newest first: what anyone may read of each project."""
    from grants.challenges.models import Challenge

    query = (sa.select(Project).join(Challenge, Project.challenge_id == Challenge.id)
             .options(contains_eager(Project.challenge), joinedload(Project.lead_org), joinedload(Project.lead_person))
             .order_by(Project.id.desc()))
    if q.strip():
        like = f"%{q.strip()}%"
        query = query.where(sa.or_(Project.title.ilike(like), Challenge.title.ilike(like)))
    return query
