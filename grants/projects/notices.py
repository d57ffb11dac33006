"""Who a project's events ask to act, told in their inbox in the same transaction.

The milestone and project transitions get these as effects (so the page, the API
and any other caller of ``fire`` notify alike); the agreement and the reminders
call :func:`ask_to_confirm` and :func:`remind` themselves.
"""
from __future__ import annotations

from grants.auth.services import active_users
from grants.core.permissions import Role
from grants.notifications.services import link_for, notify, settle
from grants.projects.models import Project
from grants.projects.workflow import MILESTONE_WORKFLOW


def officers() -> list:
    return active_users(roles=Role.BUREAU)


def team_of(project: Project) -> list:
    """The lead's own account; without one, the lead organisation's team accounts."""
    lead = active_users(roles=Role.BIDDERS, person_ids=[project.lead_person_id])
    return lead or active_users(roles=Role.BIDDERS, organization_ids=[project.lead_org_id])


def enterprise_of(project: Project) -> list:
    return active_users(roles=Role.CHALLENGE_OWNERS, organization_ids=[project.challenge.owner_org_id])


def ask_to_confirm(project: Project, parties=("enterprise", "lead")) -> None:
    """The task agreement (drafted, or changed after they confirmed it) waits for these parties."""
    users = (enterprise_of(project) if "enterprise" in parties else []) + (
        team_of(project) if "lead" in parties else [])
    notify(users, "projects.agreement_to_confirm", link=link_for("projects.edit_agreement", project_id=project.id),
           about=project, project=project.title)


def agreement_confirmed(project: Project, party: str) -> None:
    """``party`` ("enterprise", "lead") confirmed: the request no longer waits in its accounts' inboxes."""
    users = {"enterprise": enterprise_of, "lead": team_of}.get(party)
    if users is not None:
        settle(project, kinds=["projects.agreement_to_confirm"], users=users(project))


def remind(milestone, kind: str) -> None:
    """A reminder (``projects.due_in_14_days``, ``projects.due_in_3_days``, ``projects.overdue``) to the team."""
    project = milestone.project
    notify(team_of(project), kind, link=link_for("projects.milestones", project_id=project.id),
           about=milestone, project=project.title, milestone=milestone.title, day=milestone.due_on)


def _report_submitted(attempt) -> None:
    milestone = attempt.obj
    project = milestone.project
    # The team answered the reminders and, after a return, the request to revise.
    settle(milestone, kinds=["projects.due_in_14_days", "projects.due_in_3_days", "projects.overdue",
                             "projects.report_returned"])
    notify(officers(), "projects.report_submitted", link=link_for("projects.milestones", project_id=project.id),
           about=milestone, project=project.title, milestone=milestone.title)


def _report_reviewed(attempt) -> None:
    """An officer approved or returned the report: it no longer waits for the bureau."""
    settle(attempt.obj, kinds=["projects.report_submitted"])


def _report_returned(attempt) -> None:
    milestone = attempt.obj
    project = milestone.project
    notify(team_of(project), "projects.report_returned",
           link=link_for("projects.report", project_id=project.id, milestone_id=milestone.id),
           about=milestone, project=project.title, milestone=milestone.title, comment=attempt.comment)


MILESTONE_WORKFLOW.add_effects("submit", _report_submitted)
MILESTONE_WORKFLOW.add_effects("approve", _report_reviewed)
MILESTONE_WORKFLOW.add_effects("return_for_revision", _report_reviewed, _report_returned)
