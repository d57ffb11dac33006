"""Guards, permissions and effects of the award transitions: the proposal, its
public notice, objections, confirmation, and a challenge that fails."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from grants.awards.models import AwardNotice, Objection, ObjectionState
from grants.bids import rules as bid_rules
from grants.bids.models import BidState
from grants.challenges.models import ChallengeState
from grants.core import clock
from grants.core.workflow import fire
from grants.extensions import db
from grants.integrity.check import check
from grants.reviews.rules import bids_in, incomplete_reason
from grants.reviews.tables import officer_table


def _local(moment) -> str:
    return clock.to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def notice_of(challenge) -> AwardNotice | None:
    return db.session.scalar(sa.select(AwardNotice).where(AwardNotice.challenge_id == challenge.id))


# challenge: propose_award -------------------------------------------------------------

def winners_valid(attempt):
    challenge = attempt.obj
    ids = [int(i) for i in (attempt.data.get("winners") or [])]
    if not ids:
        return _l("Choose at least one winning bid.")
    if len(set(ids)) > challenge.max_winners:
        return _l("This challenge may have at most %(n)s winner(s); %(chosen)s were chosen.",
                  n=challenge.max_winners, chosen=len(set(ids)))
    table = officer_table(challenge)
    by_id = {row.bid.id: row for row in table.rows}
    winners = []
    for bid_id in dict.fromkeys(ids):
        row = by_id.get(bid_id)
        if row is None or row.bid.state != BidState.under_review:
            return _l("Bid %(id)s is not under review in this challenge.", id=bid_id)
        if row.result.score is None or row.result.score < challenge.pass_mark:
            return _l("“%(title)s” scored %(score)s, below the pass mark of %(mark)s, and cannot win.",
                      title=row.bid.title, score=row.result.score if row.result.score is not None else "—",
                      mark=challenge.pass_mark)
        winners.append(row.bid)
    attempt.data["winner_bids"] = winners
    attempt.evidence["winners"] = [{"bid_id": row.bid.id, "score": str(row.result.score), "rank": row.result.rank}
                                   for row in table.rows if row.bid in winners]
    return None


def winner_subjects(attempt):
    for bid in attempt.data.get("winner_bids", ()):
        yield from bid_rules.subjects(bid)


winner_subjects.__name__ = "winners"


def recommend_winners(attempt):
    for bid in attempt.data["winner_bids"]:
        fire(bid, "recommend", attempt.actor)


def open_notice(attempt):
    challenge = attempt.obj
    notice = notice_of(challenge)
    ends = attempt.now + timedelta(days=challenge.notice_days)
    if notice is None:
        notice = AwardNotice(challenge_id=challenge.id, round=1, notice_starts_at=attempt.now,
                             notice_ends_at=ends)
        db.session.add(notice)
    else:
        notice.round += 1
        notice.notice_starts_at, notice.notice_ends_at = attempt.now, ends
    notice.proposed_by_id = getattr(attempt.actor, "id", None)
    attempt.evidence["notice"] = {"round": notice.round, "ends_at": ends.isoformat()}


# challenge: reopen_review / confirm_award ------------------------------------------------

def recommended_subjects(attempt):
    for bid in bids_in(attempt.obj, BidState.recommended):
        yield from bid_rules.subjects(bid)


recommended_subjects.__name__ = "recommended"


def objection_upheld(attempt):
    """Reopen when an objection to this notice was upheld, or when a recommended
    winner has been black-listed since the proposal (the award cannot be confirmed)."""
    notice = notice_of(attempt.obj)
    upheld = notice is not None and db.session.scalar(sa.select(sa.func.count(Objection.id)).where(
        Objection.challenge_id == attempt.obj.id, Objection.notice_round == notice.round,
        Objection.state == ObjectionState.upheld))
    if upheld:
        return None
    found = check(list(recommended_subjects(attempt)), on=clock.to_local(attempt.now).date())
    if found.blocked:
        attempt.evidence["integrity"] = found.evidence()
        return None
    return _l("The review is reopened only when an objection to this notice is upheld "
              "or a recommended winner has been black-listed.")


def bids_back_under_review(attempt):
    for bid in bids_in(attempt.obj, BidState.recommended):
        fire(bid, "reopen_review", attempt.actor)


def notice_over(attempt):
    notice = notice_of(attempt.obj)
    if notice is None or attempt.now < notice.notice_ends_at:
        return _l("The public notice runs until %(end)s; the award can only be confirmed after it ends.",
                  end=_local(notice.notice_ends_at if notice else None))
    return None


def open_objections(challenge) -> int:
    return db.session.scalar(sa.select(sa.func.count(Objection.id)).where(
        Objection.challenge_id == challenge.id, Objection.state == ObjectionState.open))


def no_open_objection(attempt):
    n = open_objections(attempt.obj)
    if n:
        return _l("%(n)s objection(s) to the award are still open; answer them first.", n=n)
    return None


def award_winners(attempt):
    """Recommended bids win, the others under review do not; later areas add their
    effects of a confirmed award with ``add_challenge_effects("confirm_award", ...)``."""
    for bid in bids_in(attempt.obj, BidState.recommended):
        fire(bid, "award", attempt.actor)
    for bid in bids_in(attempt.obj, BidState.under_review):
        fire(bid, "not_recommend", attempt.actor)


# challenge: declare_failed ---------------------------------------------------------------

def nobody_can_win(attempt):
    challenge = attempt.obj
    if challenge.state == ChallengeState.closed:
        if bids_in(challenge, BidState.eligible):
            return _l("There are eligible bids: start the expert review instead.")
        return None
    if not bids_in(challenge, BidState.under_review):
        return None
    incomplete = incomplete_reason(challenge)
    if incomplete:
        return incomplete
    passing = [row for row in officer_table(challenge).rows
               if row.result.score is not None and row.result.score >= challenge.pass_mark]
    if passing:
        return _l("%(n)s bid(s) reach the pass mark of %(mark)s; the challenge has not failed.",
                  n=len(passing), mark=challenge.pass_mark)
    return None


def bids_not_recommended(attempt):
    for bid in bids_in(attempt.obj, BidState.under_review):
        fire(bid, "not_recommend", attempt.actor)


# objection ------------------------------------------------------------------------------

def objection_during_notice(attempt):
    if attempt.obj.challenge.state != ChallengeState.notice:
        return _l("The award is no longer under public notice.")
    return None


def keep_answer(attempt):
    objection = attempt.obj
    objection.answer = attempt.comment
    objection.answered_by_id = getattr(attempt.actor, "id", None)
    objection.answered_at = attempt.now


def reopen_challenge_review(attempt):
    """An upheld objection sends the challenge back to expert review, whoever fires it
    (the page, the API's objection endpoints or its transitions)."""
    objection = attempt.obj
    fire(objection.challenge, "reopen_review", attempt.actor,
         comment=str(_l("Objection %(id)s upheld: %(answer)s", id=objection.id, answer=attempt.comment)))
