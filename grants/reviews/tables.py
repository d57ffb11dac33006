"""The officer's review table: scores loaded in a fixed number of queries,
then aggregated and ranked by :mod:`grants.reviews.scoring`."""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from grants.bids.models import Bid
from grants.challenges.models import RubricCriterion
from grants.core import exports
from grants.extensions import db
from grants.integrity.check import red_codes
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


def _submitted_scores(challenge, criterion_ids: list[int]):
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
        .where(assignments_t.challenge_id == challenge.id, reviews.state == ReviewState.submitted.value)
        .group_by(reviews.id, reviews.assignment_id, reviews.bid_id, reviews.opinion)).all()


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
