"""What the acceptance pages show, gathered in one place per page."""
from __future__ import annotations

import sqlalchemy as sa

from grants.acceptance import decisions, rules, services
from grants.acceptance.models import OUTCOME_LABELS, Judgement, Outcome, PanelMember
from grants.acceptance.permissions import membership  # noqa: F401  (the views ask it)
from grants.auth.models import User
from grants.core import audit, clock
from grants.core.permissions import Role
from grants.extensions import db
from grants.projects.models import Project, ProjectState
from grants.projects.reports import reports_query

IN_ACCEPTANCE = (ProjectState.acceptance_requested, ProjectState.under_acceptance, ProjectState.rectifying)


def projects_in_acceptance_query():
    """Projects in acceptance, most recently changed first (the officer's list, paginated)."""
    return (sa.select(Project).where(Project.state.in_(IN_ACCEPTANCE))
            .order_by(Project.updated_at.desc(), Project.id.desc()))


def projects_in_acceptance() -> list[Project]:
    return db.session.scalars(projects_in_acceptance_query()).all()


def _observers(project: Project) -> list[User]:
    """Members of the challenge's enterprise, who may join the panel without a vote."""
    return db.session.scalars(sa.select(User).where(
        User.organization_id == project.challenge.owner_org_id, User.role.in_(Role.CHALLENGE_OWNERS),
        User.active.is_(True)).order_by(User.display_name)).all()


def _certificate(project: Project):
    from grants.certificates.services import certificate_in_force

    return certificate_in_force(project)


def officer_page(project: Project) -> dict:
    decided = decisions.decisions_of(project)
    failed = next((d for d in decided if d.outcome == Outcome.failed and d.misconduct), None)
    panel = services.panel_of(project)
    return {
        "project": project, "candidates": services.panel_candidates(project), "panel": panel,
        "voter_ids": {m.user_id for m in panel if m.voting},
        "observers": _observers(project), "progress": decisions.progress(project),
        "round": services.current_round(project), "decisions": decided, "misconduct": failed,
        "latest_deadline": rules.latest_deadline(clock.today()), "certificate": _certificate(project),
        "judgements": decisions.judgements(project), "events": audit.history(project),
        "min_members": rules.MIN_VOTING_MEMBERS, "outcome_labels": OUTCOME_LABELS,
    }


def judging_page(project: Project, judgement: Judgement | None) -> dict:
    given = {i.indicator_id: i for i in judgement.indicators} if judgement else {}
    return {"project": project, "judgement": judgement, "given": given,
            "indicators": sorted(project.indicators, key=lambda i: i.position),
            "milestones": project.milestones, "reports": db.session.scalars(reports_query(project)).unique().all(),
            "decisions": decisions.decisions_of(project)}


def judgements_waiting(user) -> list[Project]:
    """Projects under acceptance where ``user`` votes and has not submitted this round."""
    projects = db.session.scalars(
        sa.select(Project).join(PanelMember, PanelMember.project_id == Project.id)
        .where(PanelMember.user_id == user.id, PanelMember.voting.is_(True),
               Project.state == ProjectState.under_acceptance).order_by(Project.id)).all()
    waiting = []
    for project in projects:
        judgement = services.judgement_of(project, user)
        if judgement is None or not judgement.submitted:
            waiting.append(project)
    return waiting
