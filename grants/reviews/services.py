"""Expert review operations (the panel, conflicts, the random draw, scoring) and the
queries the review pages and API share: they validate, flush and write audit events,
never commit. Reviewer profiles are in grants.reviews.profiles."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload, selectinload
from sqlalchemy.orm.exc import StaleDataError
from flask_babel import lazy_gettext as _l

from grants.auth.models import Person, User
from grants.bids.models import Bid, BidMember, BidPartner, BidState
from grants.challenges.models import Challenge, ChallengeState
from grants.core import audit, clock
from grants.core.errors import ChangedUnderYou, NotFound, Refused, ValidationFailed
from grants.core.permissions import Role, has_role, require
from grants.core.workflow import check_version, fire
from grants.extensions import db
from grants.integrity.check import check, person_subject
from grants.integrity.effects import on_black_entry
from grants.integrity.models import IntegrityEntry, SubjectType
from grants.notifications.services import link_for, notify, settle
from grants.reviews.conflicts import ChallengeParties, conflict_reason, draw_panel, new_seed
from grants.reviews.models import (PENDING_ASSIGNMENT_STATES, AssignmentState, Review, ReviewAssignment,
                                   ReviewerProfile, ReviewScore, ReviewState)
from grants.reviews.permissions import sees_every_assignment
from grants.reviews.profiles import reviewer_pool_query
from grants.reviews.rules import REVIEWED_BID_STATES
from grants.reviews.workflow import ASSIGNMENT_WORKFLOW
from grants.reviews.scoresheet import ScoreSheet, parse_scoresheet


# the panel ------------------------------------------------------------------------------

@dataclass
class Candidate:
    """A reviewer of the pool and whether they may review this challenge."""

    profile: ReviewerProfile
    reason: Any = None  # why never assigned (conflict, black list), lazy string
    assignment: ReviewAssignment | None = None
    field_match: bool = False

    @property
    def user(self):
        return self.profile.user

    @property
    def eligible(self) -> bool:
        return self.reason is None

    @property
    def qualified(self) -> bool:
        """May be drawn at random: field match, available, no conflict, not black-listed, not on the panel."""
        return self.eligible and self.field_match and self.profile.available and self.assignment is None


def challenge_parties(challenge: Challenge) -> ChallengeParties:
    """The owner, bidding organisations and team people of the challenge's
    non-draft bids, in three queries whatever the number of bids."""
    live = sa.select(Bid.id).where(Bid.challenge_id == challenge.id, Bid.state != BidState.draft)
    orgs, persons = set(), set()
    for org_id, lead_id in db.session.execute(
            sa.select(Bid.organization_id, Bid.lead_id).where(Bid.id.in_(live))):
        orgs.add(org_id)
        if lead_id:
            persons.add(lead_id)
    orgs.update(db.session.scalars(sa.select(BidPartner.organization_id).where(BidPartner.bid_id.in_(live))))
    persons.update(db.session.scalars(sa.select(BidMember.person_id).where(BidMember.bid_id.in_(live))))
    orgs.discard(None)
    persons.discard(None)
    return ChallengeParties(challenge.owner_org_id, frozenset(orgs), frozenset(persons))


def reviewer_org_ids(user: User) -> set[int]:
    ids = {user.organization_id}
    if user.person is not None:
        ids.add(user.person.organization_id)
    return {i for i in ids if i is not None}


def _black_reasons(users) -> dict[int, str]:
    subjects = {u.id: person_subject(u.person, "reviewer") for u in users if u.person is not None}
    result = check(subjects.values())
    reasons = {}
    for user_id, subject in subjects.items():
        findings = [f for f in result.black if f.subject == subject]
        if findings:
            entry = findings[0].entry
            until = entry.end_on.isoformat() if entry.end_on else _("indefinitely")
            reasons[user_id] = _l("is on the research-integrity black list (basis %(basis)s, until %(until)s)",
                                  basis=entry.basis, until=until)
    return reasons


def never_assign_reason(challenge: Challenge, user: User, parties: ChallengeParties | None = None,
                        black: dict | None = None):
    """Why ``user`` may never review ``challenge`` (lazy string), or None."""
    parties = parties or challenge_parties(challenge)
    reason = conflict_reason(reviewer_org_ids(user), user.person_id, parties)
    if reason is None:
        reason = (black if black is not None else _black_reasons([user])).get(user.id)
    return reason


def candidates(challenge: Challenge, profiles=None) -> list[Candidate]:
    """Reviewers of the pool (every one, or the given ``profiles``, e.g. a page
    of them), with the reason they are excluded, if any; in a fixed number of
    queries whatever their number."""
    if profiles is None:
        profiles = db.session.scalars(reviewer_pool_query()).all()
    parties = challenge_parties(challenge)
    black = _black_reasons([p.user for p in profiles])
    assigned = {a.reviewer_id: a for a in assignments_of(challenge)}
    found = []
    for profile in profiles:
        found.append(Candidate(
            profile, never_assign_reason(challenge, profile.user, parties, black), assigned.get(profile.user_id),
            field_match=challenge.field is not None and str(challenge.field) in profile.fields))
    return found


def assignments_of(challenge: Challenge) -> list[ReviewAssignment]:
    return db.session.scalars(sa.select(ReviewAssignment).where(ReviewAssignment.challenge_id == challenge.id)
                              .order_by(ReviewAssignment.id)).all()


def _check_reviewing(challenge: Challenge) -> None:
    if challenge.state != ChallengeState.reviewing:
        raise Refused(_("Reviewers are assigned while the challenge is under expert review."))


# How long a reviewer has by default, and how far ahead the officer may set a deadline.
REVIEW_DAYS = 14
LONGEST_REVIEW_DAYS = 180


def default_due_on() -> date:
    return clock.today() + timedelta(days=REVIEW_DAYS)


def check_due_on(due_on) -> date:
    """The review deadline the officer gave (None: the default), or a clear refusal."""
    if due_on is None or due_on == "":
        return default_due_on()
    if isinstance(due_on, str):
        try:
            due_on = date.fromisoformat(due_on.strip())
        except ValueError:
            due_on = None
    if not isinstance(due_on, date):
        message = _("Give the review deadline as a date (YYYY-MM-DD).")
        raise ValidationFailed(message, details={"due_on": message})
    today = clock.today()
    if due_on <= today:
        message = _("The review deadline must be after today (%(today)s).", today=today.isoformat())
        raise ValidationFailed(message, details={"due_on": message})
    if due_on > today + timedelta(days=LONGEST_REVIEW_DAYS):
        message = _("The review deadline must be within %(days)s days.", days=LONGEST_REVIEW_DAYS)
        raise ValidationFailed(message, details={"due_on": message})
    return due_on


def assign_reviewer(challenge: Challenge, reviewer: User, *, actor, drawn: bool = False,
                    due_on: date | str | None = None) -> ReviewAssignment:
    """Put ``reviewer`` on the panel, their reviews due on ``due_on`` (by default in 14 days)."""
    require("reviews.run_panel", actor, challenge)
    _check_reviewing(challenge)
    due_on = check_due_on(due_on)
    if not has_role(reviewer, Role.EXPERTS) or not reviewer.active:
        raise Refused(_("%(name)s is not an active expert reviewer.", name=reviewer.display_name))
    existing = db.session.scalar(sa.select(ReviewAssignment).where(
        ReviewAssignment.challenge_id == challenge.id, ReviewAssignment.reviewer_id == reviewer.id))
    if existing is not None:
        raise Refused(_("%(name)s is already on this challenge's panel.", name=reviewer.display_name))
    reason = never_assign_reason(challenge, reviewer)
    if reason:
        raise Refused(_("%(name)s cannot review this challenge: %(reason)s.", name=reviewer.display_name,
                        reason=reason))
    assignment = ReviewAssignment(challenge_id=challenge.id, reviewer_id=reviewer.id, assigned_by_id=actor.id,
                                  drawn=drawn, due_on=due_on)
    db.session.add(assignment)
    db.session.flush()
    audit.record(assignment, "assign", actor=actor, to_state=assignment.state,
                 evidence={"challenge_id": challenge.id, "reviewer_id": reviewer.id, "drawn": drawn,
                           "due_on": due_on.isoformat()})
    notify(reviewer, "reviews.assigned", link=link_for("reviews.assignment", assignment_id=assignment.id),
           about=assignment, challenge=challenge.title, day=due_on)
    return assignment


def draw_reviewers(challenge: Challenge, *, size: int, actor, seed: int | None = None,
                   due_on: date | str | None = None) -> list[ReviewAssignment]:
    """Draw ``size`` reviewers at random from the qualified pool; the seed and the
    candidate list go into the challenge's audit event so the draw can be redone."""
    require("reviews.run_panel", actor, challenge)
    _check_reviewing(challenge)
    due_on = check_due_on(due_on)
    pool = sorted(c.user.id for c in candidates(challenge) if c.qualified)
    if size < 1:
        raise ValidationFailed(_("Draw at least one reviewer."), details={"size": _("Draw at least one reviewer.")})
    if size > len(pool):
        message = _("Only %(n)s qualified reviewers are available in this field; cannot draw %(size)s.",
                    n=len(pool), size=size)
        raise Refused(message)
    seed = new_seed() if seed is None else int(seed)
    drawn = draw_panel(pool, size, seed)
    audit.record(challenge, "draw_reviewers", actor=actor,
                 evidence={"seed": seed, "size": size, "candidates": pool, "drawn": drawn,
                           "method": "random.Random(seed).sample(sorted(candidates), size)"})
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(drawn)))}
    return [assign_reviewer(challenge, users[uid], actor=actor, drawn=True, due_on=due_on) for uid in drawn]


def _settle_request(attempt) -> None:
    """The reviewer accepted: the request to accept or decline is done (the reminders to score are not)."""
    settle(attempt.obj, kinds=["reviews.assigned"])


def _settle_all(attempt) -> None:
    """The reviewer declined, was withdrawn or submitted every review: nothing about it waits."""
    settle(attempt.obj)


ASSIGNMENT_WORKFLOW.add_effects("accept", _settle_request)
for _done in ("recuse", "withdraw", "complete"):
    ASSIGNMENT_WORKFLOW.add_effects(_done, _settle_all)


def codes_of_pending_reviewers(subject_type: str, codes: set[str]) -> set[str]:
    """Which of ``codes`` belong to reviewers with pending assignments."""
    if subject_type != SubjectType.person:
        return set()
    return set(db.session.scalars(
        sa.select(Person.id_number).join(User, User.person_id == Person.id)
        .join(ReviewAssignment, ReviewAssignment.reviewer_id == User.id)
        .where(ReviewAssignment.state.in_(PENDING_ASSIGNMENT_STATES), Person.id_number.in_(codes))).all())


@on_black_entry("withdraw_assignments", live_codes=codes_of_pending_reviewers)
def withdraw_assignments(entry: IntegrityEntry, actor) -> int:
    """Pending assignments of a newly black-listed reviewer are withdrawn
    (recused with a system reason naming the entry)."""
    if entry.subject_type != SubjectType.person:
        return 0
    assignments = db.session.scalars(
        sa.select(ReviewAssignment).join(User, User.id == ReviewAssignment.reviewer_id)
        .where(ReviewAssignment.state.in_(PENDING_ASSIGNMENT_STATES),
               User.person.has(id_number=entry.subject_code))
        .order_by(ReviewAssignment.id)).all()
    for assignment in assignments:
        fire(assignment, "withdraw", actor,
             comment=_("Withdrawn: black-list entry %(basis)s against %(name)s.",
                       basis=entry.basis, name=entry.subject_name),
             entry_id=entry.id)
    return len(assignments)


# scoring --------------------------------------------------------------------------------

# What a reviewer is shown of each bid (see grants.reviews.blind.reviewer_view_of_bid), loaded per list.
BID_DETAILS = (selectinload(Bid.indicators), selectinload(Bid.milestones), selectinload(Bid.attachments),
               selectinload(Bid.members), selectinload(Bid.partners), joinedload(Bid.lead))


def bids_for_review(challenge: Challenge, *options) -> list[Bid]:
    return db.session.scalars(sa.select(Bid).where(Bid.challenge_id == challenge.id,
                                                   Bid.state.in_(REVIEWED_BID_STATES))
                              .options(*options).order_by(Bid.id)).all()


def review_of(assignment: ReviewAssignment, bid: Bid) -> Review | None:
    return db.session.scalar(sa.select(Review).where(Review.assignment_id == assignment.id,
                                                     Review.bid_id == bid.id))


def _review_to_save(assignment: ReviewAssignment, bid: Bid, actor, expected_version) -> Review | None:
    """The reviewer's draft of ``bid`` (None before the first save), if they may change it now."""
    if actor is None or actor.id != assignment.reviewer_id or bid.challenge_id != assignment.challenge_id:
        raise NotFound(_("No such review."))
    review = review_of(assignment, bid)
    if review is not None and review.state == ReviewState.submitted:
        raise Refused(_("This review was submitted and is locked; only the programme officer can reopen it."))
    if review is not None:
        check_version(review, expected_version)
    if assignment.state != AssignmentState.accepted:
        raise Refused(_("Accept the assignment (declaring no conflict of interest) before scoring."))
    if assignment.challenge.state != ChallengeState.reviewing:
        raise Refused(_("The challenge is not under expert review."))
    return review


def _fill_in(review: Review, sheet: ScoreSheet) -> None:
    """Put the sheet's scores on the review: an unscored criterion loses its saved score."""
    existing = {s.criterion_id: s for s in review.scores}
    for criterion_id, (number, comment) in sheet.scores.items():
        if number is None:
            if criterion_id in existing:
                review.scores.remove(existing.pop(criterion_id))
        elif criterion_id in existing:
            existing[criterion_id].score, existing[criterion_id].comment = number, comment
        else:
            review.scores.append(ReviewScore(criterion_id=criterion_id, score=number, comment=comment))
    review.opinion = sheet.opinion


def save_review(assignment: ReviewAssignment, bid: Bid, *, actor, scores: dict, opinion=None,
                submit: bool = False, expected_version: int | None = None) -> Review:
    """Save the reviewer's scores as a draft, and submit them if asked.

    ``scores`` maps criterion id -> (score, comment); a score may be None in a
    draft (see :func:`grants.reviews.scoresheet.parse_scoresheet`). A submitted
    review is locked.
    """
    review = _review_to_save(assignment, bid, actor, expected_version)
    sheet = parse_scoresheet(assignment.challenge.rubric, scores, opinion)
    if review is None:
        review = Review(assignment=assignment, bid_id=bid.id)
        db.session.add(review)
    _fill_in(review, sheet)
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):
        # Another window saved or submitted this review first (version check,
        # or the one-review-per-bid unique constraint on a first save).
        raise ChangedUnderYou() from None
    audit.record(review, "save_draft", actor=actor,
                 evidence={"scores": {str(k): v[0] for k, v in sheet.scores.items()}, "opinion": sheet.opinion})
    if submit:
        fire(review, "submit", actor)
        if every_bid_reviewed_by(assignment):
            fire(assignment, "complete", actor)
    return review


def every_bid_reviewed_by(assignment: ReviewAssignment) -> bool:
    bids = {b.id for b in db.session.scalars(sa.select(Bid).where(
        Bid.challenge_id == assignment.challenge_id, Bid.state == BidState.under_review))}
    done = set(db.session.scalars(sa.select(Review.bid_id).where(
        Review.assignment_id == assignment.id, Review.state == ReviewState.submitted)))
    return bids <= done


def reviews_by_assignment(assignments, bid_ids=None) -> dict[int, list[Review]]:
    """The reviews of each assignment (by assignment id, ordered by bid), in one query;
    only of the bids ``bid_ids`` when given (a page of the ranking)."""
    ids = [a.id for a in assignments]
    found: dict[int, list[Review]] = {i: [] for i in ids}
    if ids:
        query = sa.select(Review).where(Review.assignment_id.in_(ids))
        if bid_ids is not None:
            query = query.where(Review.bid_id.in_(list(bid_ids) or [-1]))
        for review in db.session.scalars(
                query.options(selectinload(Review.bid), lazyload(Review.scores))
                .order_by(Review.assignment_id, Review.bid_id)):
            found[review.assignment_id].append(review)
    return found


def pending_assignments_of(user: User) -> list[ReviewAssignment]:
    """The reviewer's assignments waiting for a declaration or for scores."""
    return db.session.scalars(sa.select(ReviewAssignment).where(
        ReviewAssignment.reviewer_id == user.id, ReviewAssignment.state.in_(PENDING_ASSIGNMENT_STATES))
        .options(joinedload(ReviewAssignment.challenge))
        .order_by(ReviewAssignment.due_on, ReviewAssignment.id)).all()


# who sees what (the pages and the API share these) ------------------------------------------

# Challenge states in which the review panel, the table and the award exist.
REVIEW_STAGE_STATES = (ChallengeState.closed, ChallengeState.reviewing, ChallengeState.notice,
                       ChallengeState.awarded, ChallengeState.failed)
# Assignment states in which the reviewer sees the bids.
SCORING_ASSIGNMENT_STATES = (AssignmentState.accepted, AssignmentState.submitted)


def challenge_in_review(challenge_id: int) -> Challenge | None:
    """The challenge, if it has reached the review stage (for officers), else None."""
    challenge = db.session.get(Challenge, challenge_id)
    if challenge is None or challenge.state not in REVIEW_STAGE_STATES:
        return None
    return challenge


def assignment_of(user, assignment_id: int) -> ReviewAssignment | None:
    """The reviewer's own assignment; anyone else's is not found."""
    assignment = db.session.get(ReviewAssignment, assignment_id)
    if assignment is None or user is None or assignment.reviewer_id != user.id:
        return None
    return assignment


def assignments_visible_to(user, challenge_id: int | None = None):
    """A select of assignments: officers see every one, a reviewer their own."""
    # What still waits first, the earliest deadline first; then the answered ones, newest first.
    waiting = ReviewAssignment.state.in_(PENDING_ASSIGNMENT_STATES)
    query = (sa.select(ReviewAssignment).options(joinedload(ReviewAssignment.challenge))
             .order_by(sa.case((waiting, 0), else_=1),
                       sa.case((waiting, ReviewAssignment.due_on), else_=None),
                       ReviewAssignment.id.desc()))
    if not sees_every_assignment(user):
        query = query.where(ReviewAssignment.reviewer_id == user.id)
    if challenge_id is not None:
        query = query.where(ReviewAssignment.challenge_id == challenge_id)
    return query


def bids_for_assignment(assignment: ReviewAssignment, with_details: bool = False) -> list[Bid]:
    """The bids this reviewer scores: none until the assignment is accepted.
    ``with_details`` loads what the reviewer is shown of every bid up front."""
    if assignment.state not in SCORING_ASSIGNMENT_STATES:
        return []
    return bids_for_review(assignment.challenge, *(BID_DETAILS if with_details else ()))


def bid_for_assignment(assignment: ReviewAssignment, bid_id: int) -> Bid | None:
    """A bid the reviewer of ``assignment`` may see and score, else None."""
    bid = db.session.get(Bid, bid_id)
    if bid is None or bid.challenge_id != assignment.challenge_id:
        return None
    if bid.id not in {b.id for b in bids_for_assignment(assignment)}:
        return None
    return bid




# work queues ----------------------------------------------------------------------

@dataclass(frozen=True)
class ReviewProgress:
    challenges: int  # challenges under review
    submitted: int  # reviews submitted on them
    expected: int  # reviews expected (every bid under review, for every reviewer not recused)

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.expected) if self.expected else 0


def review_progress() -> ReviewProgress:
    """Challenges under review and how far their reviews are. One query."""
    reviewing = sa.select(Challenge.id).where(Challenge.state == ChallengeState.reviewing)
    challenges = sa.select(sa.func.count()).select_from(Challenge).where(
        Challenge.state == ChallengeState.reviewing).scalar_subquery()
    serving = sa.and_(ReviewAssignment.challenge_id.in_(reviewing),
                      ReviewAssignment.state != AssignmentState.recused)
    submitted = sa.select(sa.func.count()).select_from(Review).join(Review.assignment).where(
        serving, Review.state == ReviewState.submitted).scalar_subquery()
    expected = sa.select(sa.func.count()).select_from(ReviewAssignment).join(
        Bid, Bid.challenge_id == ReviewAssignment.challenge_id).where(
        serving, Bid.state.in_(REVIEWED_BID_STATES)).scalar_subquery()
    row = db.session.execute(sa.select(challenges, submitted, expected)).one()
    return ReviewProgress(row[0] or 0, row[1] or 0, row[2] or 0)


@dataclass(frozen=True)
class QueueCount:
    count: int
    next_due: date | None  # the earliest deadline among them
    overdue: int  # how many are past their deadline


def reviewer_queue(user) -> dict[AssignmentState, QueueCount]:
    """The reviewer's assignments waiting for a declaration and for scores, with the
    earliest deadline and how many are overdue. One query."""
    today = clock.today()
    rows = db.session.execute(sa.select(
        ReviewAssignment.state, sa.func.count(), sa.func.min(ReviewAssignment.due_on),
        sa.func.sum(sa.case((ReviewAssignment.due_on < today, 1), else_=0))).where(
        ReviewAssignment.reviewer_id == user.id, ReviewAssignment.state.in_(PENDING_ASSIGNMENT_STATES))
        .group_by(ReviewAssignment.state))
    counts = {AssignmentState(state): QueueCount(n, _as_date(first), int(late or 0))
              for state, n, first, late in rows}
    return {state: counts.get(state, QueueCount(0, None, 0)) for state in PENDING_ASSIGNMENT_STATES}


def _as_date(value) -> date | None:
    """min() of a date column: a date (PostgreSQL) or its ISO text (SQLite)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def review_progress_by_challenge(limit: int = 10) -> list[tuple[int, str, int, int]]:
    """(challenge id, title, reviews submitted, reviews expected) of the challenges under review,
    oldest first. One query."""
    serving = sa.and_(ReviewAssignment.challenge_id == Challenge.id,
                      ReviewAssignment.state != AssignmentState.recused)
    submitted = (sa.select(sa.func.count()).select_from(Review).join(Review.assignment).where(
        serving, Review.state == ReviewState.submitted).correlate(Challenge).scalar_subquery())
    expected = (sa.select(sa.func.count()).select_from(ReviewAssignment).join(
        Bid, Bid.challenge_id == ReviewAssignment.challenge_id).where(
        serving, Bid.state.in_(REVIEWED_BID_STATES)).correlate(Challenge).scalar_subquery())
    rows = db.session.execute(sa.select(Challenge.id, Challenge.title, submitted, expected).where(
        Challenge.state == ChallengeState.reviewing).order_by(Challenge.id).limit(limit))
    return [(cid, title, s or 0, e or 0) for cid, title, s, e in rows]
