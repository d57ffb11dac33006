"""Award operations (objections to the public notice, confirmation when it ends)
and the queries the award pages and API share: they validate, flush and write
audit events, never commit."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from grants.auth.models import User
from grants.auth.services import active_users
from grants.awards.models import AwardNotice, Objection, ObjectionState
from grants.awards.rules import notice_of
from grants.bids.models import Bid, BidState
from grants.challenges.models import Challenge, ChallengeState
from grants.core import audit, clock
from grants.core.errors import DomainError, Refused, ValidationFailed
from grants.core.permissions import Role, require
from grants.core.registry import tick_job
from grants.core.workflow import fire
from grants.extensions import db
from grants.notifications.services import link_for, notify, settle


def file_objection(challenge: Challenge, *, actor, reasons: str) -> Objection:
    require("awards.object", actor, challenge)
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
    notify(active_users(roles=Role.BUREAU), "awards.objection_filed", link=link_for("awards.objections"),
           about=objection, challenge=challenge.title)
    return objection


def uphold_objection(objection: Objection, *, actor, answer: str, expected_version=None) -> Objection:
    require("awards.answer_objection", actor, objection)
    """Uphold: the challenge goes back to expert review (an effect of the transition)."""
    fire(objection, "uphold", actor, comment=answer, expected_version=expected_version)
    settle(objection)  # answered: no longer waiting in any officer's inbox
    return objection


def dismiss_objection(objection: Objection, *, actor, answer: str, expected_version=None) -> Objection:
    require("awards.answer_objection", actor, objection)
    fire(objection, "dismiss", actor, comment=answer, expected_version=expected_version)
    settle(objection)
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


def public_notice(challenge_id: int):
    """(challenge, notice) of a public award notice, or (None, None) if there is none to show."""
    challenge = db.session.get(Challenge, challenge_id)
    notice = notice_of(challenge) if challenge is not None else None
    if notice is None or challenge.state not in (ChallengeState.notice, ChallengeState.awarded):
        return None, None
    return challenge, notice


def open_for_objections(challenge: Challenge, notice: AwardNotice) -> bool:
    return challenge.state == ChallengeState.notice and clock.now() < notice.notice_ends_at


# work queues ----------------------------------------------------------------------

NOTICE_ENDING_DAYS = 2


def count_notices_ending(within_days: int = NOTICE_ENDING_DAYS) -> int:
    """Public notices that end within ``within_days`` days (confirm the award then). One query."""
    from datetime import timedelta

    return db.session.scalar(sa.select(sa.func.count()).select_from(Challenge).join(
        AwardNotice, AwardNotice.challenge_id == Challenge.id).where(
        Challenge.state == ChallengeState.notice,
        AwardNotice.notice_ends_at <= clock.now() + timedelta(days=within_days))) or 0


def public_notices_query():
    """Challenges whose award notice the public may read (in notice or awarded), newest notice first."""
    return (sa.select(Challenge).join(AwardNotice, AwardNotice.challenge_id == Challenge.id)
            .where(Challenge.state.in_((ChallengeState.notice, ChallengeState.awarded)))
            .order_by(AwardNotice.notice_starts_at.desc(), Challenge.id.desc()))


def notices_of(challenges) -> dict[int, AwardNotice]:
    """{challenge id: its award notice} for a page of challenges. One query."""
    ids = [c.id for c in challenges]
    if not ids:
        return {}
    return {n.challenge_id: n for n in db.session.scalars(
        sa.select(AwardNotice).where(AwardNotice.challenge_id.in_(ids)))}


def notice_rows(challenge: Challenge) -> list[tuple[Bid, int | None, object]]:
    """(bid, rank, score) of each winner on the public notice: the review's ranking (the award
    reads the review's table, never the other way round)."""
    from grants.reviews.tables import officer_table

    winners = {b.id for b in winners_of(challenge)}
    return [(row.bid, row.result.rank, row.result.score) for row in officer_table(challenge).rows
            if row.bid.id in winners]
