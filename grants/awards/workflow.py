"""The award part of the challenge and bid lifecycles, and the objection machine.

Challenge: propose_award (reviewing → notice), reopen_review (notice →
reviewing), confirm_award (notice → awarded), declare_failed (closed,
reviewing → failed) are added to the challenge workflow after the review's
start_review. The bid moves with its challenge: recommend, not_recommend,
award and reopen_review are fired by the challenge's effects, never by hand.
Later areas add their effects of a confirmed award with
``add_challenge_effects("confirm_award", ...)`` (projects creates one per
awarded bid).

Objection (to the award under public notice): open → upheld (the review
reopens) | dismissed, each with the officer's written answer.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.awards import rules
from grants.awards.models import OBJECTION_STATE_LABELS, Objection, ObjectionState
from grants.bids.models import BidState
from grants.bids.workflow import add_bid_transitions
from grants.challenges.models import ChallengeState
from grants.challenges.workflow import add_challenge_transitions
from grants.core.permissions import SYSTEM, Role
from grants.core.workflow import Workflow, transition
from grants.integrity.check import integrity_guard
from grants.reviews import rules as review_rules

C = ChallengeState
B = BidState
O = ObjectionState

add_challenge_transitions(
    transition("propose_award", C.reviewing, C.notice, roles=Role.BUREAU,
               label=_l("Propose the award and start the public notice"),
               guards=[review_rules.reviews_complete, rules.winners_valid,
                       integrity_guard(rules.winner_subjects, _l("be awarded"))],
               effects=[rules.recommend_winners, rules.open_notice]),
    transition("reopen_review", C.notice, C.reviewing, roles=Role.BUREAU, label=_l("Reopen the review"),
               guards=[rules.objection_upheld], effects=[rules.bids_back_under_review], comment_required=True,
               style="warning"),
    transition("confirm_award", C.notice, C.awarded, roles=Role.BUREAU | {SYSTEM}, label=_l("Confirm the award"),
               guards=[rules.notice_over, rules.no_open_objection,
                       integrity_guard(rules.recommended_subjects, _l("be awarded"))],
               effects=[rules.award_winners],
               style="success"),
    transition("declare_failed", (C.closed, C.reviewing), C.failed, roles=Role.BUREAU,
               label=_l("Declare the challenge failed (no winner)"),
               guards=[review_rules.no_bid_awaiting_check, rules.nobody_can_win],
               effects=[rules.bids_not_recommended], comment_required=True, style="danger"),
)

BY_CHALLENGE = Role.BUREAU | {SYSTEM}
add_bid_transitions(
    transition("recommend", B.under_review, B.recommended, roles=BY_CHALLENGE, label=_l("Recommend")),
    transition("not_recommend", (B.under_review, B.recommended), B.not_recommended, roles=BY_CHALLENGE,
               label=_l("Not recommended")),
    transition("award", B.recommended, B.awarded, roles=BY_CHALLENGE, label=_l("Award the bid")),
    transition("reopen_review", B.recommended, B.under_review, roles=BY_CHALLENGE,
               label=_l("Back under review")),
)

OBJECTION_WORKFLOW = Workflow(
    "objection",
    {s.value: label for s, label in OBJECTION_STATE_LABELS.items()},
    O.open.value,
    [
        transition("uphold", O.open, O.upheld, roles=Role.BUREAU, label=_l("Uphold and reopen the review"),
                   guards=[rules.objection_during_notice], comment_required=True,
                   effects=[rules.keep_answer, rules.reopen_challenge_review], style="warning"),
        transition("dismiss", O.open, O.dismissed, roles=Role.BUREAU, label=_l("Dismiss"), comment_required=True,
                   effects=[rules.keep_answer]),
    ],
)
Objection.__workflow__ = OBJECTION_WORKFLOW
