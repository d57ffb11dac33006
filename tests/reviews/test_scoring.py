"""Worked examples of the review arithmetic (no database)."""
from datetime import datetime
from decimal import Decimal as D

import pytest

from grants.reviews.scoring import (
    BidInput, ScoringError, aggregate, bid_score, rank, reviewer_matrix, spread_flagged, weighted_score,
    z_scores,
)

WEIGHTS = {"innovation": 60, "feasibility": 40}
T0 = datetime(2026, 3, 1, 8, 0)


def review(innovation, feasibility):
    return {"innovation": innovation, "feasibility": feasibility}


def test_weighted_score_is_the_rubric_weighted_mean_with_two_places():
    # 95×60 + 82×40 = 8980 → 89.80
    assert weighted_score(review(95, 82), WEIGHTS) == D("89.80")
    weights = {"a": 30, "b": 25, "c": 20, "d": 15, "e": 10}
    # 81×30 + 70×25 + 90×20 + 60×15 + 85×10 = 7730 → 77.30
    assert weighted_score({"a": 81, "b": 70, "c": 90, "d": 60, "e": 85}, weights) == D("77.30")
    assert weighted_score(review(100, 100), WEIGHTS) == D("100.00")
    assert weighted_score(review(0, 0), WEIGHTS) == D("0.00")


@pytest.mark.parametrize("scores, weights, problem", [
    (review(101, 50), WEIGHTS, "integer from 0 to 100"),
    (review(-1, 50), WEIGHTS, "integer from 0 to 100"),
    (review(50.5, 50), WEIGHTS, "integer from 0 to 100"),
    ({"innovation": 80}, WEIGHTS, "no score for criteria"),
    ({**review(80, 80), "other": 3}, WEIGHTS, "not in the rubric"),
    (review(80, 80), {"innovation": 60, "feasibility": 30}, "add up to 90"),
    (review(80, 80), {"innovation": 100, "feasibility": 0}, "positive integer"),
])
def test_bad_scores_or_weights_are_refused(scores, weights, problem):
    with pytest.raises(ScoringError, match=problem):
        weighted_score(scores, weights)


def test_six_reviewers_drop_the_highest_and_the_lowest():
    bid = BidInput(1, T0, reviews={
        "r1": review(95, 82),  # 89.80  highest, dropped
        "r2": review(60, 55),  # 58.00  lowest, dropped
        "r3": review(75, 80),  # 77.00
        "r4": review(81, 77),  # 79.40
        "r5": review(70, 66),  # 68.40
        "r6": review(88, 71),  # 81.20
    })
    [result] = aggregate([bid], WEIGHTS)
    assert result.reviewer_scores["r1"] == D("89.80") and result.reviewer_scores["r2"] == D("58.00")
    # (77.00 + 79.40 + 68.40 + 81.20) / 4 = 76.50; the plain mean would be 75.63
    assert result.score == D("76.50")
    assert result.spread == D("31.80") and result.flagged


def test_five_reviewers_are_trimmed_too_and_four_are_not():
    five = [D("50"), D("60"), D("70"), D("80"), D("95")]
    assert bid_score(five) == D("70.00")  # (60 + 70 + 80) / 3
    assert bid_score(five[1:]) == D("76.25")  # (60 + 70 + 80 + 95) / 4, plain


def test_three_reviewers_plain_mean():
    bid = BidInput(2, T0, reviews={
        "r1": review(80, 70),  # 76.00
        "r2": review(85, 91),  # 87.40
        "r3": review(73, 79),  # 75.40
    })
    [result] = aggregate([bid], WEIGHTS)
    assert result.score == D("79.60")  # 238.80 / 3
    assert result.spread == D("12.00") and not result.flagged


def test_the_mean_rounds_half_up():
    assert bid_score([D("70.00"), D("70.01")]) == D("70.01")  # 70.005 → 70.01 (not banker's 70.00)
    assert bid_score([D("70.00"), D("70.00"), D("70.01")]) == D("70.00")  # 70.0033
    assert bid_score([]) is None


def test_spread_over_twenty_points_flags_the_bid():
    assert not spread_flagged([D("60.00"), D("80.00")])  # exactly 20: not over
    assert spread_flagged([D("60.00"), D("80.01")])
    assert not spread_flagged([D("75.00")])
    assert not spread_flagged([])


def test_ranking_puts_red_trust_mark_first_then_earlier_submission():
    same = {"r1": review(80, 80)}  # 80.00 each
    bids = [
        BidInput(1, datetime(2026, 3, 1, 9, 0), red=False, reviews=same),
        BidInput(2, datetime(2026, 3, 1, 12, 0), red=True, reviews=same),  # later but red
        BidInput(3, datetime(2026, 3, 1, 8, 0), red=False, reviews=same),  # earliest, not red
        BidInput(4, datetime(2026, 3, 1, 10, 0), red=False, reviews={"r1": review(90, 90)}),
        BidInput(5, datetime(2026, 3, 1, 8, 0), red=False, reviews=same),  # same time as 3: id decides
        BidInput(6, datetime(2026, 3, 1, 7, 0), red=True, reviews={}),  # no reviews: last
    ]
    ranked = rank(aggregate(bids, WEIGHTS))
    assert [r.bid_id for r in ranked] == [4, 2, 3, 5, 1, 6]
    assert [r.rank for r in ranked] == [1, 2, 3, 4, 5, 6]
    assert ranked[-1].score is None


def test_z_scores_normalise_each_reviewer_within_their_own_set():
    results = aggregate([
        BidInput(1, T0, reviews={"harsh": review(50, 50), "lenient": review(90, 90), "once": review(70, 70)}),
        BidInput(2, T0, reviews={"harsh": review(60, 60), "lenient": review(95, 95), "flat": review(80, 80)}),
        BidInput(3, T0, reviews={"harsh": review(70, 70), "lenient": review(100, 100), "flat": review(80, 80)}),
    ], WEIGHTS)
    z = z_scores(reviewer_matrix(results))
    # harsh: 50, 60, 70 (mean 60, population std 8.165) → -1.22, 0, 1.22; lenient the same shape
    assert z["harsh"] == {1: D("-1.22"), 2: D("0.00"), 3: D("1.22")}
    assert z["lenient"] == z["harsh"]
    assert z["once"] == {1: D("0.00")}  # one bid
    assert z["flat"] == {2: D("0.00"), 3: D("0.00")}  # zero standard deviation
