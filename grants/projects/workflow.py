"""The machines of a project, its milestones and its funding tranches, declared as data.

Project: contracting → active (``sign``: the third confirmation of the task
agreement) ↔ suspended (``suspend``; ``resume`` returns to where it was
suspended from: ``resume`` to active, ``resume_contracting`` to contracting);
active → acceptance_requested; contracting, active, suspended → terminated.
Milestone: pending → submitted → approved | returned; returned → submitted. The mid-way
milestone's report is approved only after the experts' check (or its red-list waiver).
Tranche: planned → released, only for an approved milestone (or at signing)
of an active project, with nobody black-listed.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.core.history import ACTION_LABELS
from grants.core.permissions import SYSTEM, Role
from grants.core.workflow import Workflow, transition
from grants.integrity.check import integrity_guard
from grants.projects import funding
from grants.projects import permissions as can
from grants.projects import rules
from grants.projects.models import (MILESTONE_STATE_LABELS, PROJECT_STATE_LABELS, TRANCHE_STATE_LABELS,
                                    Milestone, MilestoneState, Project, ProjectState, Tranche, TrancheState)

P, M, T = ProjectState, MilestoneState, TrancheState


def _allow(predicate):
    """The predicate's answer about who acts (403); its answer about the state is left to the guards (409)."""

    def allow(attempt):
        if attempt.actor is None:  # the system: the transition's roles decide
            return None
        reason = predicate(attempt.actor, attempt.obj)
        return reason if isinstance(reason, can.NotYours) else None

    allow.__name__ = predicate.__name__
    return allow


PROJECT_WORKFLOW = Workflow(
    "project", {s.value: label for s, label in PROJECT_STATE_LABELS.items()}, P.contracting.value,
    [
        transition("sign", P.contracting, P.active, roles=Role.BUREAU | Role.CHALLENGE_OWNERS | Role.BIDDERS,
                   label=_l("Sign the task agreement"), allow=_allow(can.can_sign),
                   guards=[rules.agreement_confirmed], effects=[rules.note_red_list_at_signing]),
        # Suspension from contracting too: a party black-listed between the award and
        # the task agreement must not sign it (DESIGN lists active ↔ suspended only).
        transition("suspend", (P.contracting, P.active), P.suspended, roles=Role.BUREAU | {SYSTEM},
                   label=_l("Suspend"), allow=_allow(can.can_suspend), comment_required=True,
                   style="danger", effects=[rules.remember_where_from]),
        transition("resume", P.suspended, P.active, roles=Role.BUREAU, label=_l("Resume"),
                   allow=_allow(can.can_resume),
                   guards=[rules.suspended_from(P.active),
                           integrity_guard(rules.lead_and_org, _l("resume a project"))],
                   effects=[rules.forget_where_from], style="warning"),
        transition("resume_contracting", P.suspended, P.contracting, roles=Role.BUREAU,
                   label=_l("Resume (back to contracting)"), allow=_allow(can.can_resume),
                   guards=[rules.suspended_from(P.contracting),
                           integrity_guard(rules.lead_and_org, _l("resume a project"))],
                   effects=[rules.forget_where_from], style="warning"),
        transition("terminate", (P.contracting, P.active, P.suspended), P.terminated, roles=Role.BUREAU,
                   label=_l("Terminate"), allow=_allow(can.can_terminate), comment_required=True,
                   style="danger", effects=[rules.forget_where_from]),
        transition("request_acceptance", P.active, P.acceptance_requested, roles=Role.BIDDERS,
                   label=_l("Request final acceptance"), allow=_allow(can.can_request_acceptance),
                   guards=[rules.every_milestone_approved, rules.final_report_given]),
    ],
)
Project.__workflow__ = PROJECT_WORKFLOW

MILESTONE_WORKFLOW = Workflow(
    "milestone", {s.value: label for s, label in MILESTONE_STATE_LABELS.items()}, M.pending.value,
    [
        transition("submit", (M.pending, M.returned), M.submitted, roles=Role.BIDDERS,
                   label=_l("Submit the progress report"), allow=_allow(can.can_submit_report),
                   guards=[rules.report_given]),  # the project's state: can_submit_report
        transition("approve", M.submitted, M.approved, roles=Role.BUREAU, label=_l("Approve"),
                   allow=_allow(can.can_decide_report), guards=[rules.expert_check_done],
                   effects=[rules.stamp_decision("approved")]),
        transition("return_for_revision", M.submitted, M.returned, roles=Role.BUREAU,
                   label=_l("Return for revision"), allow=_allow(can.can_decide_report),
                   comment_required=True, style="warning", effects=[rules.stamp_decision("returned")]),
    ],
)
Milestone.__workflow__ = MILESTONE_WORKFLOW

TRANCHE_WORKFLOW = Workflow(
    "tranche", {s.value: label for s, label in TRANCHE_STATE_LABELS.items()}, T.planned.value,
    [
        transition("release", T.planned, T.released, roles=Role.BUREAU, label=_l("Release the funds"),
                   allow=_allow(can.can_release),
                   guards=[rules.project_active, rules.agreement_in_force, rules.milestone_approved,
                           funding.within_challenge_budget,
                           funding.cofunding_in_step,
                           integrity_guard(rules.lead_and_org, _l("receive funds"))],
                   effects=[rules.stamp_release], style="danger"),
    ],
)
Tranche.__workflow__ = TRANCHE_WORKFLOW

# Words for this area's events that are not transitions (history tables).
ACTION_LABELS.update({
    "draft_agreement": _l("Task agreement drafted"),
    "edit_agreement": _l("Task agreement changed"),
    "confirm_agreement": _l("Task agreement confirmed by a party"),
    "agreement_confirmed": _l("Task agreement version confirmed by all three parties"),
    "waive_check": _l("Mid-way expert check waived (red list)"),
    "cancel_waiver": _l("Red-list incentive cancelled"),
    "expert_check": _l("Experts' check of the mid-way report recorded"),
    "record_contribution": _l("Co-funding contribution recorded"),
})
