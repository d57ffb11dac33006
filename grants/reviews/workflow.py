"""The expert-review part of the challenge and bid lifecycles, and the review
assignment and review machines (the award's part is in grants.awards.workflow).

Challenge: start_review (closed → reviewing) is added to the challenge workflow
declared by the challenges area. The bid moves with its challenge: its
start_review is fired by the challenge's effect, never by hand.

Review assignment: assigned → accepted | recused → submitted. When a black
entry comes into force against a reviewer, their pending assignments are
``withdraw``-n: they move to ``recused`` with a system reason naming the
entry (no extra state: the panel only needs to know the reviewer is out and
why).

Review (one reviewer, one bid): draft → submitted (locked); the officer may
``reopen`` one submitted review with a reason.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.bids.models import BidState
from grants.bids.workflow import add_bid_transitions
from grants.challenges.models import ChallengeState
from grants.challenges.workflow import add_challenge_transitions
from grants.core.permissions import SYSTEM, Role
from grants.core.workflow import Workflow, transition
from grants.reviews import rules
from grants.reviews.models import (ASSIGNMENT_STATE_LABELS, REVIEW_STATE_LABELS, AssignmentState, Review,
                                   ReviewAssignment, ReviewState)

C = ChallengeState
B = BidState
A = AssignmentState
R = ReviewState

add_challenge_transitions(
    transition("start_review", C.closed, C.reviewing, roles=Role.BUREAU, label=_l("Start the expert review"),
               guards=[rules.no_bid_awaiting_check, rules.has_eligible_bid], effects=[rules.bids_under_review]),
)
# What the officer does to a challenge from the review panel, on the page and through the API
# (confirm_award and declare_failed are the award area's transitions; proposing the award
# and reopening the review have their own forms).
CHALLENGE_ACTIONS = ("start_review", "confirm_award", "declare_failed")

BY_CHALLENGE = Role.BUREAU | {SYSTEM}
add_bid_transitions(
    transition("start_review", B.eligible, B.under_review, roles=BY_CHALLENGE, label=_l("Under review")),
)

ASSIGNMENT_WORKFLOW = Workflow(
    "review_assignment",
    {s.value: label for s, label in ASSIGNMENT_STATE_LABELS.items()},
    A.assigned.value,
    [
        transition("accept", A.assigned, A.accepted, roles=Role.EXPERTS,
                   label=_l("Accept: I have no conflict of interest"), allow=rules.own_assignment,
                   guards=[rules.challenge_reviewing, rules.no_conflict_declared], effects=[rules.stamp_declared]),
        transition("recuse", A.assigned, A.recused, roles=Role.EXPERTS,
                   label=_l("Recuse: I have a conflict of interest"), allow=rules.own_assignment,
                   comment_required=True, effects=[rules.stamp_declared, rules.keep_recusal_reason],
                   style="warning"),
        transition("withdraw", (A.assigned, A.accepted), A.recused, roles=Role.BUREAU | {SYSTEM},
                   label=_l("Withdraw the reviewer"), comment_required=True,
                   effects=[rules.stamp_declared, rules.keep_recusal_reason], style="danger"),
        transition("complete", A.accepted, A.submitted, roles=Role.EXPERTS, label=_l("All reviews submitted"),
                   allow=rules.own_assignment, guards=[rules.every_bid_reviewed], effects=[rules.stamp_submitted]),
        transition("reopen", A.submitted, A.accepted, roles=Role.BUREAU, label=_l("Reopen"), comment_required=True),
    ],
)
ReviewAssignment.__workflow__ = ASSIGNMENT_WORKFLOW

REVIEW_WORKFLOW = Workflow(
    "review",
    {s.value: label for s, label in REVIEW_STATE_LABELS.items()},
    R.draft.value,
    [
        transition("submit", R.draft, R.submitted, roles=Role.EXPERTS, label=_l("Submit the review"),
                   allow=rules.own_review, guards=[rules.review_open, rules.review_complete],
                   effects=[rules.stamp_submitted]),
        transition("reopen", R.submitted, R.draft, roles=Role.BUREAU, label=_l("Reopen this review"),
                   guards=[rules.review_challenge_reviewing], comment_required=True,
                   effects=[rules.reopen_assignment], style="warning"),
    ],
)
Review.__workflow__ = REVIEW_WORKFLOW
