"""Who may do what with a project and its parts: the one place for this area.

Every predicate is ``can_<verb>(user, obj) -> str | None``: None means
allowed, otherwise the reason in words. A reason about who the user is
(role, organisation) is a :class:`NotYours` (the services answer 403); any
other reason is about the object's state (409). Services enforce these
predicates (:func:`enforce`), the workflows use them as their ``allow``;
pages, the API and templates only ask them.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from grants.core.errors import Forbidden, Refused
from grants.core.permissions import Role, has_role, permission
from grants.projects.models import MilestoneState, Project, ProjectState

EDITABLE = (ProjectState.contracting, ProjectState.active)

# The menus and dashboard panels (``add_nav`` / ``add_panel`` take role sets).
PROJECT_READERS = Role.BUREAU | Role.ORGANISATION_MEMBERS  # the bureau, the teams, the enterprises
MONITORS = Role.BUREAU
MILESTONE_WATCHERS = Role.BUREAU | Role.BIDDERS


class NotYours(str):
    """A refusal because of who asks, not of the object's state."""


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_team(user, project) -> bool:
    """An applicant account of the lead organisation (the team lead's side)."""
    return (_authenticated(user) and has_role(user, Role.BIDDERS) and user.organization_id is not None
            and user.organization_id == project.lead_org_id)


def is_owner(user, project) -> bool:
    """An enterprise account of the organisation that posted the challenge."""
    return (_authenticated(user) and has_role(user, Role.CHALLENGE_OWNERS) and user.organization_id is not None
            and user.organization_id == project.challenge.owner_org_id)


def party_of(user, project) -> str | None:
    """Which signing party ``user`` speaks for: "officer", "enterprise", "lead" or None."""
    if has_role(user, Role.BUREAU):
        return "officer"
    if is_owner(user, project):
        return "enterprise"
    if is_team(user, project):
        return "lead"
    return None


def enforce(reason) -> None:
    """Raise the refusal a predicate gave (403 for who asks, 409 for the state)."""
    if reason is None:
        return
    if isinstance(reason, NotYours):
        raise Forbidden(reason)
    raise Refused(reason)


def _officer_only(user) -> str | None:
    if not has_role(user, Role.BUREAU):
        return NotYours(_("Only a programme officer may do this."))
    return None


def _team_only(user, project) -> str | None:
    if not is_team(user, project):
        return NotYours(_("Only the project team may do this."))
    return None


# seeing -------------------------------------------------------------------------

@permission("projects.see")
def can_view(user, project) -> str | None:
    """The bureau, the team's organisation and the enterprise that posted the challenge."""
    if has_role(user, Role.BUREAU) or is_team(user, project) or is_owner(user, project):
        return None
    return NotYours(_("There is no such record, or it is not visible to you."))


def visible_clause(user):
    """The SQL form of :func:`can_view`, a condition on Project (joined to nothing else)."""
    from grants.challenges.models import Challenge

    if has_role(user, Role.BUREAU):
        return sa.true()
    if not _authenticated(user) or user.organization_id is None:
        return sa.false()
    if has_role(user, Role.BIDDERS):
        return Project.lead_org_id == user.organization_id
    if has_role(user, Role.CHALLENGE_OWNERS):
        return Project.challenge_id.in_(sa.select(Challenge.id).where(Challenge.owner_org_id == user.organization_id))
    return sa.false()


@permission("projects.list")
def can_list(user, obj=None) -> str | None:
    """The project list (each sees the projects :func:`visible_clause` lets through)."""
    if not has_role(user, PROJECT_READERS):
        return NotYours(_("Your account has no projects to see."))
    return None


@permission("projects.monitor")
def can_monitor(user, obj=None) -> str | None:
    """Project monitoring across every project (and every project's milestones on the dashboard)."""
    return _officer_only(user)


# the task agreement ----------------------------------------------------------------

@permission("projects.edit_agreement")
def can_edit_agreement(user, project=None) -> str | None:
    reason = _officer_only(user)
    if reason or project is None:
        return reason
    if project.state not in EDITABLE:
        return _("The task agreement can be changed only while the project is in contracting or in progress.")
    return None


@permission("projects.confirm_agreement")
def can_confirm_agreement(user, project) -> str | None:
    party = party_of(user, project)
    if party is None:
        return NotYours(_("Only the programme officer, the challenge's enterprise and the project team "
                          "confirm the task agreement."))
    if project.state not in EDITABLE:
        return _("The task agreement can be confirmed only while the project is in contracting or in progress.")
    agreement = project.agreement
    if agreement is None:
        return _("The task agreement has not been drafted yet.")
    if agreement.confirmed_by(party):
        return _("You have already confirmed this version of the task agreement.")
    return None


@permission("projects.sign")
def can_sign(user, project) -> str | None:
    """The project becomes active on the third confirmation, by whichever party gives it."""
    if user is not None and party_of(user, project) is None:
        return NotYours(_("Only a party to the task agreement may sign it."))
    return None


# progress ------------------------------------------------------------------------

@permission("projects.submit_report")
def can_submit_report(user, milestone) -> str | None:
    reason = _team_only(user, milestone.project)
    if reason:
        return reason
    if milestone.project.state != ProjectState.active:
        return _("Progress is reported only while the project is in progress.")
    if milestone.state not in (MilestoneState.pending, MilestoneState.returned):
        return _("This milestone's report has already been submitted.")
    return None


@permission("projects.decide_report")
def can_decide_report(user, milestone=None) -> str | None:
    return _officer_only(user)


@permission("projects.record_expert_check")
def can_record_expert_check(user, milestone=None) -> str | None:
    """The officer records the experts' opinion on the mid-way milestone's submitted report, once per report."""
    reason = _officer_only(user)
    if reason or milestone is None:
        return reason
    project = milestone.project
    midway = midway_milestone(project)
    if midway is None or midway.id != milestone.id:
        return _("Only the mid-way milestone has an expert check.")
    if milestone.state != MilestoneState.submitted:
        return _("The experts check a submitted report awaiting the decision.")
    if project.waived_milestone_id == milestone.id:
        return _("The expert check of this milestone was waived under the red-list incentive.")
    from grants.projects.rules import latest_report

    report = latest_report(milestone)
    if report is not None and report.expert_conclusion:
        return _("The experts' check of this report has already been recorded.")
    return None


@permission("projects.request_acceptance")
def can_request_acceptance(user, project) -> str | None:
    return _team_only(user, project)


# funds and exceptions ----------------------------------------------------------------

@permission("projects.release")
def can_release(user, tranche=None) -> str | None:
    return _officer_only(user)


@permission("projects.suspend")
def can_suspend(user, project=None) -> str | None:
    """By hand: the bureau (the system suspends on an integrity hit: the workflow's roles)."""
    return _officer_only(user)


@permission("projects.resume")
def can_resume(user, project=None) -> str | None:
    return _officer_only(user)


@permission("projects.terminate")
def can_terminate(user, project=None) -> str | None:
    return _officer_only(user)


@permission("projects.waive_check")
def can_waive_check(user, project=None) -> str | None:
    """The red-list incentive: lead and organisation on the red list at signing."""
    reason = _officer_only(user)
    if reason or project is None:
        return reason
    if project.state != ProjectState.active:
        return _("The expert check can be waived only while the project is in progress.")
    if not project.red_at_signing:
        return _("The expert check can be waived only when the team lead and the organisation were both "
                 "on the red list when the task agreement was signed.")
    if project.waived_milestone_id is not None:
        return _("The mid-way expert check has already been waived.")
    milestone = midway_milestone(project)
    if milestone is None:
        return _("Only a project with at least two milestones has a mid-way milestone.")
    if milestone.state == MilestoneState.approved:
        return _("The mid-way milestone has already been approved.")
    return None


def midway_milestone(project):
    """The milestone half-way through the schedule (the earlier of two middles); None with fewer than two."""
    milestones = project.milestones
    if len(milestones) < 2:
        return None
    return milestones[(len(milestones) - 1) // 2]


# parallel awards (赛马制) ----------------------------------------------------------

def _several_winners(challenge) -> str | None:
    if challenge.max_winners <= 1:
        return _("A stage gate is only for a parallel award: this challenge awards a single team.")
    return None


@permission("projects.set_gate")
def can_set_gate(user, challenge=None) -> str | None:
    """The officer marks the gate milestone of a parallel award, until the gate is decided."""
    return _officer_only(user) or (_several_winners(challenge) if challenge is not None else None)


@permission("projects.decide_gate")
def can_decide_gate(user, gate=None) -> str | None:
    """The officer continues or stops each team, once."""
    reason = _officer_only(user) or (_several_winners(gate.challenge) if gate is not None else None)
    if reason or gate is None:
        return reason
    if gate.decided_at is not None:
        return _("The stage gate has already been decided.")
    return None


# funding ledger --------------------------------------------------------------------

CONTRIBUTING = (ProjectState.active, ProjectState.suspended, ProjectState.acceptance_requested,
                ProjectState.under_acceptance, ProjectState.rectifying)


@permission("projects.record_contribution")
def can_record_contribution(user, project) -> str | None:
    """The team or the officer, from the signing of the agreement until the project ends."""
    if not (is_team(user, project) or has_role(user, Role.BUREAU)):
        return NotYours(_("Only the project team or a programme officer may record contributions."))
    if project.state not in CONTRIBUTING:
        return _("Contributions are recorded from the signing of the task agreement until the project ends.")
    return None
