"""The expert-review and award part of the challenge and bid lifecycles, and
the review assignment and review machines.

Challenge: start_review (closed → reviewing), propose_award (reviewing →
notice), reopen_review (notice → reviewing), confirm_award (notice →
awarded), declare_failed (closed, reviewing → failed) are added to the
challenge workflow declared by the challenges area. The bid moves with its
challenge: start_review, recommend, not_recommend, award and reopen_review
are fired by the challenge's effects, never by hand.

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
from grants.core.workflow import Workflow, transition
from grants.integrity.check import integrity_guard
from grants.reviews import rules
from grants.reviews.models import (ASSIGNMENT_STATE_LABELS, OBJECTION_STATE_LABELS, REVIEW_STATE_LABELS,
                                   AssignmentState, Objection, ObjectionState, Review, ReviewAssignment,
                                   ReviewState)

C = ChallengeState
B = BidState
A = AssignmentState
R = ReviewState
O = ObjectionState
OFFICER = {"officer"}

add_challenge_transitions(
    transition("start_review", C.closed, C.reviewing, roles={"officer"}, label=_l("Start the expert review"),
               guards=[rules.no_bid_awaiting_check, rules.has_eligible_bid], effects=[rules.bids_under_review]),
    transition("propose_award", C.reviewing, C.notice, roles={"officer"},
               label=_l("Propose the award and start the public notice"),
               guards=[rules.reviews_complete, rules.winners_valid,
                       integrity_guard(rules.winner_subjects, _l("be awarded"))],
               effects=[rules.recommend_winners, rules.open_notice]),
    transition("reopen_review", C.notice, C.reviewing, roles={"officer"}, label=_l("Reopen the review"),
               guards=[rules.objection_upheld], effects=[rules.bids_back_under_review], comment_required=True,
               style="warning"),
    transition("confirm_award", C.notice, C.awarded, roles={"officer", "system"}, label=_l("Confirm the award"),
               guards=[rules.notice_over, rules.no_open_objection,
                       integrity_guard(rules.recommended_subjects, _l("be awarded"))],
               effects=[rules.award_winners],
               style="success"),
    transition("declare_failed", (C.closed, C.reviewing), C.failed, roles={"officer"},
               label=_l("Declare the challenge failed (no winner)"),
               guards=[rules.no_bid_awaiting_check, rules.nobody_can_win],
               effects=[rules.bids_not_recommended], comment_required=True, style="danger"),
)
# What the officer does to a challenge from the review panel, on the page and through the API
# (proposing the award and reopening the review have their own forms).
CHALLENGE_ACTIONS = ("start_review", "confirm_award", "declare_failed")

BY_CHALLENGE = {"officer", "system"}
add_bid_transitions(
    transition("start_review", B.eligible, B.under_review, roles=BY_CHALLENGE, label=_l("Under review")),
    transition("recommend", B.under_review, B.recommended, roles=BY_CHALLENGE, label=_l("Recommend")),
    transition("not_recommend", (B.under_review, B.recommended), B.not_recommended, roles=BY_CHALLENGE,
               label=_l("Not recommended")),
    transition("award", B.recommended, B.awarded, roles=BY_CHALLENGE, label=_l("Award the bid")),
    transition("reopen_review", B.recommended, B.under_review, roles=BY_CHALLENGE,
               label=_l("Back under review")),
)

ASSIGNMENT_WORKFLOW = Workflow(
    "review_assignment",
    {s.value: label for s, label in ASSIGNMENT_STATE_LABELS.items()},
    A.assigned.value,
    [
        transition("accept", A.assigned, A.accepted, roles={"reviewer"},
                   label=_l("Accept: I have no conflict of interest"), allow=rules.own_assignment,
                   guards=[rules.challenge_reviewing, rules.no_conflict_declared], effects=[rules.stamp_declared]),
        transition("recuse", A.assigned, A.recused, roles={"reviewer"},
                   label=_l("Recuse: I have a conflict of interest"), allow=rules.own_assignment,
                   comment_required=True, effects=[rules.stamp_declared, rules.keep_recusal_reason],
                   style="warning"),
        transition("withdraw", (A.assigned, A.accepted), A.recused, roles={"officer", "system"},
                   label=_l("Withdraw the reviewer"), comment_required=True,
                   effects=[rules.stamp_declared, rules.keep_recusal_reason], style="danger"),
        transition("complete", A.accepted, A.submitted, roles={"reviewer"}, label=_l("All reviews submitted"),
                   allow=rules.own_assignment, guards=[rules.every_bid_reviewed], effects=[rules.stamp_submitted]),
        transition("reopen", A.submitted, A.accepted, roles=OFFICER, label=_l("Reopen"), comment_required=True),
    ],
)
ReviewAssignment.__workflow__ = ASSIGNMENT_WORKFLOW

REVIEW_WORKFLOW = Workflow(
    "review",
    {s.value: label for s, label in REVIEW_STATE_LABELS.items()},
    R.draft.value,
    [
        transition("submit", R.draft, R.submitted, roles={"reviewer"}, label=_l("Submit the review"),
                   allow=rules.own_review, guards=[rules.review_open, rules.review_complete],
                   effects=[rules.stamp_submitted]),
        transition("reopen", R.submitted, R.draft, roles=OFFICER, label=_l("Reopen this review"),
                   guards=[rules.review_challenge_reviewing], comment_required=True,
                   effects=[rules.reopen_assignment], style="warning"),
    ],
)
Review.__workflow__ = REVIEW_WORKFLOW

OBJECTION_WORKFLOW = Workflow(
    "objection",
    {s.value: label for s, label in OBJECTION_STATE_LABELS.items()},
    O.open.value,
    [
        transition("uphold", O.open, O.upheld, roles=OFFICER, label=_l("Uphold and reopen the review"),
                   guards=[rules.objection_during_notice], comment_required=True,
                   effects=[rules.keep_answer, rules.reopen_challenge_review], style="warning"),
        transition("dismiss", O.open, O.dismissed, roles=OFFICER, label=_l("Dismiss"), comment_required=True,
                   effects=[rules.keep_answer]),
    ],
)
Objection.__workflow__ = OBJECTION_WORKFLOW
