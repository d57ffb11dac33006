"""The officer's review table.

:func:`officer_table` loads every score of a challenge and aggregates and ranks them in
Python with :mod:`grants.reviews.scoring` (the awards' rules use it, and it is the reference
for the ranking). :func:`ranked_table` computes the same ranking in SQL (per-reviewer
weighted totals, trimmed means, spreads, the red-list tie-break and the order, plus each
reviewer's count, sum and sum of squares for the z scores) and loads only the rows of one
page: the officer's page, its exports and the API use it. Tests check that both agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import lazyload
from flask_babel import gettext as _

from grants.auth.models import Organization
from grants.bids.models import Bid
from grants.challenges.models import RubricCriterion
from grants.core import clock, exports
from grants.extensions import db
from grants.integrity.check import red_codes
from grants.integrity.models import IntegrityEntry, ListKind, in_force_clause
from grants.reviews import scoring
from grants.reviews.models import (OPINION_LABELS, AssignmentState, Opinion, Review, ReviewAssignment,
                                   ReviewScore, ReviewState)
from grants.reviews.rules import REVIEWED_BID_STATES

# Reviews that count: submitted, by a reviewer still on the panel.
COUNTED_ASSIGNMENT_STATES = (AssignmentState.accepted, AssignmentState.submitted)


@dataclass
class Row:
    bid: Bid
    result: scoring.BidResult
    red: bool
    # reviewer id -> {criterion id -> score}
    criterion_scores: dict = field(default_factory=dict)
    opinions: dict = field(default_factory=dict)  # reviewer id -> Opinion


@dataclass
class OfficerTable:
    criteria: list  # RubricCriterion, in rubric order
    reviewers: list  # ReviewAssignment of reviewers with counted reviews or pending work
    rows: list  # Row, in ranking order
    z: dict  # reviewer id -> {bid id -> Decimal}
    unfinished: list  # ReviewAssignment still assigned or accepted

    def weights(self) -> dict:
        return {c.id: c.weight for c in self.criteria}


def _submitted_scores(challenge, criterion_ids: list[int], bid_ids=None):
    """One plain row per submitted review, (assignment id, bid id, opinion, *scores), its
    criterion scores pivoted into columns (portable conditional aggregation): 7 000 rows
    for 1 000 bids × 7 reviewers, not 42 000, and no ORM objects."""
    reviews, scores = Review.__table__.c, ReviewScore.__table__.c
    assignments_t = ReviewAssignment.__table__.c
    return db.session.connection().execute(
        sa.select(reviews.assignment_id, reviews.bid_id, reviews.opinion,
                  *[sa.func.max(sa.case((scores.criterion_id == cid, scores.score))) for cid in criterion_ids])
        .select_from(Review.__table__)
        .join(ReviewAssignment.__table__, assignments_t.id == reviews.assignment_id)
        .join(ReviewScore.__table__, scores.review_id == reviews.id)
        .where(assignments_t.challenge_id == challenge.id, reviews.state == ReviewState.submitted.value,
               *([] if bid_ids is None else [reviews.bid_id.in_(list(bid_ids) or [-1])]))
        .group_by(reviews.id, reviews.assignment_id, reviews.bid_id, reviews.opinion)
        .order_by(reviews.bid_id, reviews.assignment_id)).all()


def _by_bid(review_rows, counted: dict, bids, criterion_ids: list[int]) -> tuple[dict, dict]:
    """Counted reviews by bid: bid id -> {reviewer id -> {criterion id -> score}}, and
    bid id -> {reviewer id -> Opinion}."""
    per_bid: dict[int, dict] = {b.id: {} for b in bids}
    opinions: dict[int, dict] = {b.id: {} for b in bids}
    for assignment_id, bid_id, opinion, *values in review_rows:
        reviewer = counted.get(assignment_id)
        if reviewer is None or bid_id not in per_bid:
            continue
        per_bid[bid_id][reviewer] = {cid: v for cid, v in zip(criterion_ids, values) if v is not None}
        opinions[bid_id][reviewer] = Opinion(opinion) if opinion else None
    return per_bid, opinions


def officer_table(challenge, bid_states=None) -> OfficerTable:
    """Everything the officer's table shows, in five queries whatever the size."""
    criteria = db.session.scalars(sa.select(RubricCriterion).where(RubricCriterion.challenge_id == challenge.id)
                                  .order_by(RubricCriterion.position, RubricCriterion.id)).all()
    bids = db.session.scalars(sa.select(Bid).where(
        Bid.challenge_id == challenge.id, Bid.state.in_(bid_states or REVIEWED_BID_STATES)).order_by(Bid.id)).all()
    assignments = db.session.scalars(sa.select(ReviewAssignment).where(
        ReviewAssignment.challenge_id == challenge.id).order_by(ReviewAssignment.id)).all()
    reviewers = [a for a in assignments if a.state in COUNTED_ASSIGNMENT_STATES]
    counted = {a.id: a.reviewer_id for a in reviewers}
    criterion_ids = [c.id for c in criteria]
    review_rows = _submitted_scores(challenge, criterion_ids)
    reds = red_codes(b.organization.credit_code for b in bids)
    per_bid, opinions = _by_bid(review_rows, counted, bids, criterion_ids)
    inputs = [scoring.BidInput(b.id, b.submitted_at, b.organization.credit_code in reds, per_bid[b.id])
              for b in bids]
    results = scoring.rank(scoring.aggregate(inputs, {c.id: c.weight for c in criteria})) if criteria else []
    by_id = {b.id: b for b in bids}
    rows = [Row(by_id[r.bid_id], r, r.red, per_bid[r.bid_id], opinions[r.bid_id]) for r in results]
    unfinished = [a for a in assignments if a.state in (AssignmentState.assigned, AssignmentState.accepted)]
    return OfficerTable(criteria, reviewers, rows, scoring.z_scores(scoring.reviewer_matrix(results)), unfinished)


# The same ranking in SQL ------------------------------------------------------------------

def _counted_totals(challenge, bid_states, weights: dict[int, int]):
    """One row per counted review: (bid id, reviewer id, cents), where cents is
    Σ score × weight, the reviewer's weighted score in hundredths (exact: the weights add up
    to 100, so the two-place weighted score is this integer over 100, with no rounding).
    ``weights``: the challenge's criteria, id -> weight; a score for any other criterion
    is not counted. The weights are written into the query (a few criteria), so the
    thousands of score rows are not each joined to their criterion."""
    weight = sa.case(weights, value=ReviewScore.criterion_id)
    return (sa.select(Review.bid_id.label("bid_id"), ReviewAssignment.reviewer_id.label("reviewer_id"),
                      sa.func.sum(ReviewScore.score * weight).label("cents"))
            .select_from(Review)
            .join(ReviewAssignment, ReviewAssignment.id == Review.assignment_id)
            .join(ReviewScore, ReviewScore.review_id == Review.id)
            .join(Bid, Bid.id == Review.bid_id)
            .where(ReviewAssignment.challenge_id == challenge.id,
                   ReviewAssignment.state.in_(COUNTED_ASSIGNMENT_STATES),
                   Review.state == ReviewState.submitted, ReviewScore.criterion_id.in_(list(weights)),
                   Bid.challenge_id == challenge.id, Bid.state.in_(bid_states))
            .group_by(Review.id, Review.bid_id, ReviewAssignment.reviewer_id)
            .cte("totals"))


def _ranking_select(challenge, bid_states, weights: dict[int, int]):
    """Every bid of the table with (rank, total, bid id, score cents, spread cents, red),
    ordered by rank; the order is :func:`grants.reviews.scoring.ranking_key`'s."""
    totals = _counted_totals(challenge, bid_states, weights)
    per_bid = (sa.select(totals.c.bid_id, sa.func.count().label("n"), sa.func.sum(totals.c.cents).label("total"),
                         sa.func.max(totals.c.cents).label("hi"), sa.func.min(totals.c.cents).label("lo"))
               .group_by(totals.c.bid_id).subquery("per_bid"))
    n = per_bid.c.n
    trim = n >= scoring.TRIM_FROM  # drop the single highest and lowest
    kept = sa.case((trim, per_bid.c.total - per_bid.c.hi - per_bid.c.lo), else_=per_bid.c.total)
    kept_n = sa.case((trim, n - 2), else_=n)
    # The mean in hundredths, rounded half up: floor((2·kept + n) / 2n), all integers >= 0.
    # (PostgreSQL's sum of bigints is numeric: cast, so that / divides integers on both.)
    score = sa.case((n > 0, sa.cast(2 * kept + kept_n, sa.BigInteger) // sa.cast(2 * kept_n, sa.BigInteger)))
    red = sa.exists().where(IntegrityEntry.subject_code == Organization.credit_code,
                            IntegrityEntry.list == ListKind.red, in_force_clause(clock.today()))
    scored = (sa.select(Bid.id.label("bid_id"), Bid.submitted_at.label("submitted_at"), score.label("score"),
                        sa.func.coalesce(per_bid.c.hi - per_bid.c.lo, 0).label("spread"),
                        sa.case((red, 1), else_=0).label("red"))
              .select_from(Bid)
              .join(Organization, Organization.id == Bid.organization_id)
              .outerjoin(per_bid, per_bid.c.bid_id == Bid.id)
              .where(Bid.challenge_id == challenge.id, Bid.state.in_(bid_states))
              .subquery("scored"))
    order = [sa.case((scored.c.score.is_(None), 1), else_=0), scored.c.score.desc(), scored.c.red.desc(),
             scored.c.submitted_at, scored.c.bid_id]
    return (sa.select(sa.func.row_number().over(order_by=order).label("rank"),
                      sa.func.count().over().label("total"),
                      scored.c.bid_id, scored.c.score, scored.c.spread, scored.c.red)
            .order_by(*order)), totals


def _cents(value) -> "scoring.Decimal":
    return scoring.Decimal(int(value)).scaleb(-2)


def ranked_table(challenge, *, offset: int = 0, limit: int | None = None,
                 bid_states=None) -> tuple[OfficerTable, int]:
    """The officer's table computed in SQL, with the rows ``offset`` .. ``offset + limit``
    of the ranking only (all when ``limit`` is None), and the number of ranked bids.
    Equal to :func:`officer_table` on the same data, in a fixed number of queries."""
    bid_states = list(bid_states or REVIEWED_BID_STATES)
    criteria = db.session.scalars(sa.select(RubricCriterion).where(RubricCriterion.challenge_id == challenge.id)
                                  .order_by(RubricCriterion.position, RubricCriterion.id)).all()
    assignments = db.session.scalars(sa.select(ReviewAssignment).where(
        ReviewAssignment.challenge_id == challenge.id).order_by(ReviewAssignment.id)).all()
    reviewers = [a for a in assignments if a.state in COUNTED_ASSIGNMENT_STATES]
    unfinished = [a for a in assignments if a.state in (AssignmentState.assigned, AssignmentState.accepted)]
    if not criteria:  # nothing can be scored, nothing is ranked (as officer_table)
        return OfficerTable(criteria, reviewers, [], {}, unfinished), 0
    ranking, totals = _ranking_select(challenge, bid_states, {c.id: c.weight for c in criteria})
    if limit is not None:
        ranking = ranking.limit(limit).offset(offset)
    ranked = db.session.execute(ranking).all()
    total = ranked[0].total if ranked else (
        db.session.scalar(sa.select(sa.func.count()).select_from(Bid).where(
            Bid.challenge_id == challenge.id, Bid.state.in_(bid_states))) if offset else 0)
    page_ids = [r.bid_id for r in ranked]
    # The challenge is known (and in the session): not joined again to every bid.
    bids = {b.id: b for b in db.session.scalars(sa.select(Bid).where(Bid.id.in_(page_ids or [-1]))
                                                .options(lazyload(Bid.challenge)))}
    counted = {a.id: a.reviewer_id for a in reviewers}
    criterion_ids = [c.id for c in criteria]
    weights = {c.id: c.weight for c in criteria}
    page_bids = [bids[i] for i in page_ids]
    per_bid, opinions = _by_bid(_submitted_scores(challenge, criterion_ids, page_ids), counted, page_bids,
                                criterion_ids)
    # Each reviewer's count, sum and sum of squares over the whole table, for the z scores.
    moments = {reviewer: (n, int(s), int(q)) for reviewer, n, s, q in db.session.execute(
        sa.select(totals.c.reviewer_id, sa.func.count(), sa.func.sum(totals.c.cents),
                  sa.func.sum(totals.c.cents * totals.c.cents)).group_by(totals.c.reviewer_id))}
    rows, z = [], {}
    for r in ranked:
        reviewer_scores = {reviewer: scoring.weighted_score(scores, weights, checked=True)
                           for reviewer, scores in per_bid[r.bid_id].items()}
        spread = _cents(r.spread)
        result = scoring.BidResult(
            bid_id=r.bid_id, submitted_at=bids[r.bid_id].submitted_at, red=bool(r.red),
            reviewer_scores=reviewer_scores, score=None if r.score is None else _cents(r.score),
            spread=spread, flagged=spread > scoring.SPREAD_LIMIT, rank=r.rank)
        rows.append(Row(bids[r.bid_id], result, result.red, per_bid[r.bid_id], opinions[r.bid_id]))
        for reviewer, weighted in reviewer_scores.items():
            z.setdefault(reviewer, {})[r.bid_id] = scoring.z_score(*moments[reviewer], int(weighted * 100))
    return OfficerTable(criteria, reviewers, rows, z, unfinished), total


def _records(table: OfficerTable):
    """Header and rows for export: one row per bid and reviewer."""
    header = [_("Rank"), _("Bid"), _("Organisation"), _("Score"), _("Spread over 20"), _("Reviewer")]
    header += [f"{c.name} ({c.weight})" for c in table.criteria]
    header += [_("Weighted score"), _("Normalised (z)"), _("Opinion")]
    names = {a.reviewer_id: a.reviewer.display_name for a in table.reviewers}
    out = []
    for row in table.rows:
        r = row.result
        base = [r.rank, row.bid.title, row.bid.organization.name,
                "" if r.score is None else r.score, _("yes") if r.flagged else _("no")]
        if not r.reviewer_scores:
            out.append(base + [""] * (len(table.criteria) + 4))
        for reviewer, weighted in r.reviewer_scores.items():
            opinion = row.opinions.get(reviewer)
            out.append(base + [names.get(reviewer, reviewer)]
                       + [row.criterion_scores[reviewer].get(c.id, "") for c in table.criteria]
                       + [weighted, table.z.get(reviewer, {}).get(row.bid.id, ""),
                          str(OPINION_LABELS[opinion]) if opinion else ""])
    return header, out


def export_csv(table: OfficerTable) -> bytes:
    header, rows = _records(table)
    return exports.csv_bytes(header, rows)


def export_xlsx(table: OfficerTable, title: str) -> bytes:
    header, rows = _records(table)
    return exports.xlsx_bytes(_("Ranking"), [header] + rows, header=[title])  # the title above the table
