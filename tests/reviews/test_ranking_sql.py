"""The ranking computed in SQL (``ranked_table``, the officer's page, its exports and the API)
equals the Python reference (``officer_table``) on the same data, page by page: scores,
trimmed means, spreads, red-list ties, earlier submissions, z scores."""
from __future__ import annotations

import csv
import io
import random
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from grants.bids.models import Bid, BidState
from grants.challenges.models import ChallengeState
from grants.core import clock
from grants.extensions import db
from grants.reviews.models import (AssignmentState, Opinion, Review, ReviewAssignment, ReviewScore,
                                   ReviewState)
from grants.reviews.tables import officer_table, ranked_table
from tests.challenges.test_pages import signed_in
from tests.reviews.helpers import accepted_panel, reviewing, score_all

MARKS = (55, 60, 70, 75, 80, 85, 90, 100)  # few values: many equal scores and ties
ASSIGNMENT_STATES = (AssignmentState.accepted, AssignmentState.accepted, AssignmentState.submitted,
                     AssignmentState.submitted, AssignmentState.recused, AssignmentState.assigned)
BID_STATES = (BidState.under_review,) * 6 + (BidState.recommended, BidState.not_recommended, BidState.awarded,
                                             BidState.ineligible, BidState.withdrawn)


def generated_challenge(make, seed: int, n_bids: int = 24, n_reviewers: int = 8):
    """A challenge whose bids, panel and reviews are written straight into the tables from
    ``seed``: weights that give odd hundredths, marks drawn from a few values, bids with no
    review, draft reviews, recused and undeclared reviewers, bids outside the table's states,
    three submission times for ties, red-list marks in force and one that has ended."""
    rng = random.Random(seed)
    officer = make.user("officer")
    challenge = make.challenge(officer=officer, rubric=[
        {"name": "技术先进性", "weight": 33}, {"name": "可行性", "weight": 33}, {"name": "团队", "weight": 34}])
    criteria = [c.id for c in challenge.rubric]
    now = clock.now()
    times = [now - timedelta(days=d) for d in (3, 2, 1)]
    bids = []
    for i in range(n_bids):
        org = make.org(kind="university")
        if rng.random() < 0.25:
            make.red(org)
        elif rng.random() < 0.1:  # a red mark that has ended does not count
            make.red(org, start_on=clock.today() - timedelta(days=30), end_on=clock.today() - timedelta(days=1))
        bid = Bid(challenge_id=challenge.id, organization_id=org.id, title=f"方案 {seed}-{i:02d}号",
                  state=rng.choice(BID_STATES), submitted_at=rng.choice(times), rejection_reason="材料不全")
        db.session.add(bid)
        bids.append(bid)
    assignments = []
    for r in range(n_reviewers):
        state = rng.choice(ASSIGNMENT_STATES[:4] if r < 6 else ASSIGNMENT_STATES)
        assignment = ReviewAssignment(challenge_id=challenge.id, reviewer_id=make.user("reviewer").id, state=state,
                                      due_on=clock.today() + timedelta(days=14),
                                      declared_at=None if state == AssignmentState.assigned else now,
                                      recusal_reason="利益冲突" if state == AssignmentState.recused else None)
        db.session.add(assignment)
        assignments.append(assignment)
    db.session.flush()
    for assignment in assignments:
        for i, bid in enumerate(bids):
            if i % 8 == 0 or rng.random() < 0.2:
                continue  # not reviewed (yet)
            submitted = rng.random() < 0.85
            review = Review(assignment_id=assignment.id, bid_id=bid.id,
                            state=ReviewState.submitted if submitted else ReviewState.draft,
                            opinion=rng.choice(list(Opinion)) if submitted else None,
                            submitted_at=now if submitted else None)
            db.session.add(review)
            db.session.flush()
            base = rng.choice(MARKS)
            for cid in criteria:
                db.session.add(ReviewScore(review_id=review.id, criterion_id=cid,
                                           score=min(100, base + rng.choice((0, 0, 1, 5)))))
    db.session.commit()
    return challenge


def shown(table, rows=None):
    """What the officer sees of each row, z scores included."""
    return [(row.bid.id, row.result.rank, row.result.score, row.result.spread, row.result.flagged, row.red,
             row.result.reviewer_scores, row.criterion_scores, row.opinions,
             {reviewer: table.z[reviewer][row.bid.id] for reviewer in row.result.reviewer_scores})
            for row in (table.rows if rows is None else rows)]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_sql_ranking_equals_the_python_reference_page_by_page(make, seed):
    challenge = generated_challenge(make, seed)
    reference = officer_table(challenge)
    whole, total = ranked_table(challenge)
    assert total == len(reference.rows) > 0
    assert shown(whole) == shown(reference)
    # the generated set has the cases the rules are about
    scores = [row.result.score for row in reference.rows]
    assert None in scores and len(set(s for s in scores if s is not None)) < len(scores)
    assert any(row.result.review_count >= 5 for row in reference.rows)
    per_page = 7
    pages = []
    for offset in range(0, total + per_page, per_page):
        page, page_total = ranked_table(challenge, offset=offset, limit=per_page)
        assert page_total == total
        pages += page.rows
    assert shown(whole, pages) == shown(reference)


def test_ties_the_trimmed_mean_and_its_rounding_agree(make):
    """Equal scores go to the red list, then the earlier submission, then the lower id, in
    SQL as in Python; five reviews drop the highest and lowest and round half up."""
    challenge, officer, bids = reviewing(make, n_bids=4)
    panel = accepted_panel(make, challenge, officer, n=5)
    make.red(bids[3].organization)
    for assignment, mark in zip(panel, (61, 70, 70, 71, 99)):  # (70 + 70 + 71) / 3 = 70.333 → 70.33
        for bid in bids:
            score_all(assignment, bid, mark)
    reference = officer_table(challenge)
    table, _total = ranked_table(challenge)
    assert [row.bid.id for row in table.rows] == [bids[3].id, bids[0].id, bids[1].id, bids[2].id]
    assert {str(row.result.score) for row in table.rows} == {"70.33"}
    assert all(row.result.flagged and str(row.result.spread) == "38.00" for row in table.rows)
    assert shown(table) == shown(reference)


def test_equal_scores_from_one_reviewer_give_no_spurious_z(make):
    """A reviewer who gave every bid 85.55 has no spread: z is 0, not ±1 from rounding."""
    challenge, officer, bids = reviewing(make, n_bids=3)
    [assignment] = accepted_panel(make, challenge, officer, n=1)
    for bid in bids:
        score_all(assignment, bid, 86)
    table, _total = ranked_table(challenge)
    assert {z for by_bid in table.z.values() for z in by_bid.values()} == {Decimal("0.00")}
    assert table.z == officer_table(challenge).z


def test_the_page_and_the_exports_rank_in_the_same_order(app, make):
    challenge = generated_challenge(make, 5, n_bids=12)
    db.session.execute(sa.update(ReviewAssignment).where(ReviewAssignment.challenge_id == challenge.id)
                       .values(state=AssignmentState.submitted, recusal_reason=None))
    challenge.state = ChallengeState.reviewing  # as after the real transitions
    db.session.commit()
    officer = make.user("officer")
    client = signed_in(app, officer)
    reference = [row.bid.title for row in officer_table(challenge).rows]
    response = client.get(f"/reviews/challenges/{challenge.id}/export.csv")
    assert response.status_code == 200
    body = response.data.decode("utf-8-sig")
    exported = []
    for record in list(csv.reader(io.StringIO(body)))[1:]:
        if not exported or exported[-1] != record[1]:
            exported.append(record[1])
    assert exported == reference
    html = client.get(f"/reviews/challenges/{challenge.id}/table").get_data(as_text=True)
    positions = [html.index(title) for title in reference[:len(reference)]]
    assert positions == sorted(positions)
    api = client.get(f"/api/v1/reviews/challenges/{challenge.id}/ranking",
                     headers={"Authorization": f"Bearer {make.token(officer)}"})
    assert api.status_code == 200 and [r["title"] for r in api.get_json()["rows"]] == reference
