"""Expert review operations: they validate, flush and write audit events,
never commit."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload, selectinload
from sqlalchemy.orm.exc import StaleDataError
from flask_babel import lazy_gettext as _l

from grants.auth.models import Role, User
from grants.bids.models import Bid, BidState
from grants.challenges.models import Challenge, ChallengeState
from grants.core import audit, clock
from grants.core.errors import ChangedUnderYou, DomainError, Forbidden, NotFound, Refused, ValidationFailed
from grants.core.permissions import is_officer
from grants.core.registry import tick_job
from grants.core.workflow import check_version, fire
from grants.extensions import db
from grants.integrity.check import check, person_subject
from grants.integrity.effects import on_black_entry
from grants.integrity.models import IntegrityEntry, SubjectType
from grants.reviews import scoring
from grants.reviews.conflicts import ChallengeParties, conflict_reason, draw_panel, new_seed
from grants.reviews.models import (PENDING_ASSIGNMENT_STATES, AssignmentState, AwardNotice, ChallengeField,
                                   Objection, ObjectionState, Opinion, Review, ReviewAssignment, ReviewerExpertise,
                                   ReviewerProfile, ReviewScore, ReviewState)


def profile_of(user: User) -> ReviewerProfile | None:
    return db.session.scalar(sa.select(ReviewerProfile).where(ReviewerProfile.user_id == user.id))


def _check_fields(fields) -> list[ChallengeField]:
    chosen = []
    for value in fields or ():
        try:
            field = ChallengeField(value)
        except ValueError:
            message = _("Unknown field of expertise: %(value)s", value=value)
            raise ValidationFailed(message, details={"fields": message}) from None
        if field not in chosen:
            chosen.append(field)
    if not chosen:
        message = _("Choose at least one field of expertise.")
        raise ValidationFailed(message, details={"fields": message})
    return chosen


def can_see_profile(user, profile: ReviewerProfile) -> bool:
    """The bureau sees the whole pool; an expert their own profile."""
    return is_officer(user) or (user is not None and user.id == profile.user_id)


def reviewer_profile(reviewer_id: int) -> ReviewerProfile | None:
    """The profile of the reviewer account ``reviewer_id``, if it has one."""
    return db.session.scalar(sa.select(ReviewerProfile).where(ReviewerProfile.user_id == reviewer_id))


def save_reviewer_profile(user: User, *, fields, title: str = "", available: bool = True,
                          actor=None) -> ReviewerProfile:
    """Create or update the profile of a reviewer account: by the expert themself,
    or by the system (``actor`` None: an administrator's command, demo data)."""
    if actor is not None and actor.id != user.id:
        raise Forbidden(_("Only the expert may change their own expert profile."))
    if user.role != Role.reviewer:
        raise ValidationFailed(_("Only expert reviewer accounts have a reviewer profile."))
    chosen = _check_fields(fields)
    title = (title or "").strip()
    if len(title) > 100:
        message = _("The professional title is longer than 100 characters.")
        raise ValidationFailed(message, details={"title": message})
    profile = profile_of(user)
    created = profile is None
    if created:
        profile = ReviewerProfile(user=user, user_id=user.id)
        db.session.add(profile)
    before = {"title": profile.title, "available": profile.available, "fields": profile.fields}
    profile.title = title
    profile.available = bool(available)
    keep = {e.field: e for e in profile.expertise}
    profile.expertise = [keep.get(f) or ReviewerExpertise(field=f) for f in chosen]
    db.session.flush()
    after = {"title": profile.title, "available": profile.available, "fields": [str(f) for f in chosen]}
    audit.record(profile, "create" if created else "update", actor=actor,
                 evidence={"before": None if created else before, "after": after})
    return profile


def reviewer_pool_query(*, field: str | None = None, q: str | None = None, available_only: bool = False):
    """Profiles of active reviewer accounts, optionally in one field."""
    query = (sa.select(ReviewerProfile).join(ReviewerProfile.user)
             .where(User.role == Role.reviewer, User.active).order_by(User.display_name, ReviewerProfile.id))
    if field:
        query = query.where(ReviewerProfile.id.in_(
            sa.select(ReviewerExpertise.profile_id).where(ReviewerExpertise.field == field)))
    if q:
        like = f"%{q}%"
        query = query.where(sa.or_(User.display_name.ilike(like), ReviewerProfile.title.ilike(like)))
    if available_only:
        query = query.where(ReviewerProfile.available)
    return query


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
    from grants.bids.models import BidMember, BidPartner

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


def assign_reviewer(challenge: Challenge, reviewer: User, *, actor, drawn: bool = False) -> ReviewAssignment:
    _check_reviewing(challenge)
    if reviewer.role != Role.reviewer or not reviewer.active:
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
                                  drawn=drawn)
    db.session.add(assignment)
    db.session.flush()
    audit.record(assignment, "assign", actor=actor, to_state=assignment.state,
                 evidence={"challenge_id": challenge.id, "reviewer_id": reviewer.id, "drawn": drawn})
    return assignment


def draw_reviewers(challenge: Challenge, *, size: int, actor, seed: int | None = None) -> list[ReviewAssignment]:
    """Draw ``size`` reviewers at random from the qualified pool; the seed and the
    candidate list go into the challenge's audit event so the draw can be redone."""
    _check_reviewing(challenge)
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
    return [assign_reviewer(challenge, users[uid], actor=actor, drawn=True) for uid in drawn]


def codes_of_pending_reviewers(subject_type: str, codes: set[str]) -> set[str]:
    """Which of ``codes`` belong to reviewers with pending assignments."""
    if subject_type != SubjectType.person:
        return set()
    from grants.auth.models import Person

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
    from grants.reviews.rules import REVIEWED_BID_STATES

    return db.session.scalars(sa.select(Bid).where(Bid.challenge_id == challenge.id,
                                                   Bid.state.in_(REVIEWED_BID_STATES))
                              .options(*options).order_by(Bid.id)).all()


def review_of(assignment: ReviewAssignment, bid: Bid) -> Review | None:
    return db.session.scalar(sa.select(Review).where(Review.assignment_id == assignment.id,
                                                     Review.bid_id == bid.id))


def save_review(assignment: ReviewAssignment, bid: Bid, *, actor, scores: dict, opinion=None,
                submit: bool = False, expected_version: int | None = None) -> Review:
    """Save the reviewer's scores as a draft, and submit them if asked.

    ``scores`` maps criterion id -> (score, comment); a score may be None in a
    draft. A submitted review is locked.
    """
    if actor is None or actor.id != assignment.reviewer_id:
        raise NotFound(_("No such review."))
    if bid.challenge_id != assignment.challenge_id:
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
    criteria = {c.id: c for c in assignment.challenge.rubric}
    errors = {}
    cleaned = {}
    for criterion_id, (value, comment) in scores.items():
        criterion = criteria.get(int(criterion_id))
        if criterion is None:
            message = _("Unknown criterion.")
            raise ValidationFailed(message, details={"scores": message})
        if value in (None, ""):
            cleaned[criterion.id] = (None, (comment or "").strip())
            continue
        try:
            number = int(str(value).strip())
            if str(number) != str(value).strip().lstrip("+"):
                raise ValueError
        except ValueError:
            number = None
        if number is None or not scoring.MIN_SCORE <= number <= scoring.MAX_SCORE:
            errors[f"score_{criterion.id}"] = _("%(criterion)s: the score must be a whole number from 0 to 100.",
                                                criterion=criterion.name)
            continue
        cleaned[criterion.id] = (number, (comment or "").strip())
    if errors:
        raise ValidationFailed("; ".join(errors.values()), details=errors)
    if opinion not in (None, ""):
        try:
            opinion = Opinion(opinion)
        except ValueError:
            raise ValidationFailed(_("Choose recommend or do not recommend.")) from None
    else:
        opinion = None
    if review is None:
        review = Review(assignment=assignment, bid_id=bid.id)
        db.session.add(review)
    existing = {s.criterion_id: s for s in review.scores}
    for criterion_id, (number, comment) in cleaned.items():
        if number is None:
            if criterion_id in existing:
                review.scores.remove(existing.pop(criterion_id))
            continue
        if criterion_id in existing:
            existing[criterion_id].score, existing[criterion_id].comment = number, comment
        else:
            review.scores.append(ReviewScore(criterion_id=criterion_id, score=number, comment=comment))
    review.opinion = opinion
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):
        # Another window saved or submitted this review first (version check,
        # or the one-review-per-bid unique constraint on a first save).
        raise ChangedUnderYou() from None
    audit.record(review, "save_draft", actor=actor,
                 evidence={"scores": {str(k): v[0] for k, v in cleaned.items()}, "opinion": opinion})
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


# objections ------------------------------------------------------------------------------

def file_objection(challenge: Challenge, *, actor, reasons: str) -> Objection:
    from grants.reviews.rules import notice_of

    reasons = (reasons or "").strip()
    if challenge.state != ChallengeState.notice:
        raise Refused(_("Objections can only be filed while the award is under public notice."))
    notice = notice_of(challenge)
    if clock.now() >= notice.notice_ends_at:
        raise Refused(_("The public notice has ended; objections are no longer accepted."))
    if len(reasons) < 10:
        message = _("Give the reasons for your objection (at least 10 characters).")
        raise ValidationFailed(message, details={"reasons": message})
    objection = Objection(challenge_id=challenge.id, notice_round=notice.round, filed_by_id=actor.id,
                          reasons=reasons)
    db.session.add(objection)
    db.session.flush()
    audit.record(objection, "file", actor=actor, to_state=objection.state, comment=reasons)
    audit.record(challenge, "objection_filed", actor=actor, evidence={"objection_id": objection.id})
    return objection


def uphold_objection(objection: Objection, *, actor, answer: str, expected_version=None) -> Objection:
    """Uphold: the challenge goes back to expert review (an effect of the transition)."""
    fire(objection, "uphold", actor, comment=answer, expected_version=expected_version)
    return objection


def dismiss_objection(objection: Objection, *, actor, answer: str, expected_version=None) -> Objection:
    fire(objection, "dismiss", actor, comment=answer, expected_version=expected_version)
    return objection


@tick_job("confirm_awards", order=60)
def confirm_due_awards() -> int:
    """Confirm every award whose notice has ended without an open objection."""
    due = db.session.scalars(
        sa.select(Challenge).join(AwardNotice, AwardNotice.challenge_id == Challenge.id)
        .where(Challenge.state == ChallengeState.notice, AwardNotice.notice_ends_at <= clock.now())
        .order_by(Challenge.id)).all()
    done = 0
    for challenge in due:
        try:
            with db.session.begin_nested():
                fire(challenge, "confirm_award", None)
            done += 1
        except DomainError:
            continue
    return done


def reviews_by_assignment(assignments) -> dict[int, list[Review]]:
    """The reviews of each assignment (by assignment id, ordered by bid), in one query."""
    ids = [a.id for a in assignments]
    found: dict[int, list[Review]] = {i: [] for i in ids}
    if ids:
        for review in db.session.scalars(
                sa.select(Review).where(Review.assignment_id.in_(ids))
                .options(selectinload(Review.bid), lazyload(Review.scores))
                .order_by(Review.assignment_id, Review.bid_id)):
            found[review.assignment_id].append(review)
    return found


def objections_of(challenge: Challenge) -> list[Objection]:
    return db.session.scalars(sa.select(Objection).where(Objection.challenge_id == challenge.id)
                              .order_by(Objection.id)).all()


def open_objections_query():
    """Objections to proposed awards still waiting for the bureau's answer, oldest first."""
    return (sa.select(Objection).where(Objection.state == ObjectionState.open)
            .options(joinedload(Objection.challenge)).order_by(Objection.created_at, Objection.id))


def count_open_objections() -> int:
    return db.session.scalar(sa.select(sa.func.count(Objection.id)).where(Objection.state == ObjectionState.open))


def objections_by(challenge: Challenge, user: User) -> list[Objection]:
    return db.session.scalars(sa.select(Objection).where(Objection.challenge_id == challenge.id,
                                                         Objection.filed_by_id == user.id)
                              .order_by(Objection.id)).all()


def winners_of(challenge: Challenge) -> list[Bid]:
    """Bids proposed (recommended) or confirmed (awarded), for the public notice."""
    return db.session.scalars(sa.select(Bid).where(
        Bid.challenge_id == challenge.id, Bid.state.in_((BidState.recommended, BidState.awarded)))
        .order_by(Bid.id)).all()


def pending_assignments_of(user: User) -> list[ReviewAssignment]:
    """The reviewer's assignments waiting for a declaration or for scores."""
    return db.session.scalars(sa.select(ReviewAssignment).where(
        ReviewAssignment.reviewer_id == user.id, ReviewAssignment.state.in_(PENDING_ASSIGNMENT_STATES))
        .options(joinedload(ReviewAssignment.challenge))
        .order_by(ReviewAssignment.id)).all()


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
    query = (sa.select(ReviewAssignment).options(joinedload(ReviewAssignment.challenge))
             .order_by(ReviewAssignment.id.desc()))
    if not is_officer(user):
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


def public_notice(challenge_id: int):
    """(challenge, notice) of a public award notice, or (None, None) if there is none to show."""
    from grants.reviews.rules import notice_of

    challenge = db.session.get(Challenge, challenge_id)
    notice = notice_of(challenge) if challenge is not None else None
    if notice is None or challenge.state not in (ChallengeState.notice, ChallengeState.awarded):
        return None, None
    return challenge, notice


def open_for_objections(challenge: Challenge, notice: AwardNotice) -> bool:
    return challenge.state == ChallengeState.notice and clock.now() < notice.notice_ends_at
