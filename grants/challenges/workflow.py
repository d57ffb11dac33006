"""The challenge (榜单) lifecycle.

This area declares the front half: submit, return_for_revision, publish,
close_bidding and withdraw. Areas further down the line (expert review,
award) add theirs with :func:`add_challenge_transitions`, which rebuilds the
machine of the one shared :data:`CHALLENGE_WORKFLOW` in place
(:meth:`~grants.core.workflow.Workflow.extend`: the same object, so every
reference to it sees the new transitions). The state enum already holds
every state of the design.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.challenges import permissions, rules
from grants.challenges.models import Challenge, ChallengeState
from grants.core.permissions import SYSTEM, Role
from grants.core.workflow import Transition, Workflow, transition
from grants.integrity.check import integrity_guard, org_subject

S = ChallengeState

CHALLENGE_STATES = {
    S.draft.value: _l("draft"),
    S.submitted.value: _l("submitted for publication"),
    S.published.value: _l("open for bids"),
    S.closed.value: _l("bidding closed"),
    S.reviewing.value: _l("under expert review"),
    S.notice.value: _l("award under public notice"),
    S.awarded.value: _l("awarded"),
    S.failed.value: _l("failed (no winner)"),
    S.withdrawn.value: _l("withdrawn"),
}


def _owner(attempt):
    return [org_subject(attempt.obj.owner_org, "owner")]


_owner.__name__ = "owner"

CHALLENGE_TRANSITIONS: list[Transition] = [
    transition("submit", S.draft, S.submitted, roles=Role.CHALLENGE_OWNERS, label=_l("Submit for publication"),
               allow=permissions.owner_only, guards=[rules.complete,
                                               integrity_guard(_owner, _l("submit a challenge"))],
               effects=[rules.settle_returned]),
    transition("return_for_revision", S.submitted, S.draft, roles=Role.BUREAU,
               label=_l("Return for revision"), comment_required=True, style="warning",
               effects=[rules.tell_owner_returned]),
    transition("publish", S.submitted, S.published, roles=Role.BUREAU, label=_l("Publish"),
               guards=[rules.complete, rules.deadline_in_future,
                       integrity_guard(_owner, _l("publish a challenge"))],
               effects=[rules.stamp_published]),
    transition("close_bidding", S.published, S.closed, roles=Role.BUREAU | {SYSTEM},
               label=_l("Close bidding"), guards=[rules.deadline_passed], effects=[rules.stamp_closed]),
    transition("withdraw", (S.draft, S.submitted, S.published), S.withdrawn,
               roles=Role.CHALLENGE_OWNERS | Role.BUREAU, label=_l("Withdraw"), allow=permissions.may_withdraw,
               guards=[rules.officer_gives_reason], effects=[rules.settle_returned], style="danger"),
]

CHALLENGE_WORKFLOW = Workflow("challenge", CHALLENGE_STATES, S.draft.value, CHALLENGE_TRANSITIONS)
Challenge.__workflow__ = CHALLENGE_WORKFLOW


def add_challenge_transitions(*transitions: Transition) -> None:
    """Add transitions (e.g. start_review, propose_award) to the shared workflow."""
    CHALLENGE_WORKFLOW.extend(*transitions)


def add_challenge_effects(name: str, *effects) -> None:
    """Run ``effects`` after transition ``name`` too (e.g. bids closing with a withdrawn challenge)."""
    CHALLENGE_WORKFLOW.add_effects(name, *effects)
