"""Scoring arithmetic for expert review, over plain data (no database).

* A reviewer's score for a bid is the rubric-weighted mean of the criterion
  scores: Σ score × weight / 100, weights summing to 100, scores integers
  0..100; kept as a ``Decimal`` with two places (ROUND_HALF_UP).
* A bid's score is the mean of its reviewers' scores; with five or more
  reviews the single highest and single lowest are dropped first. The mean
  is taken over the two-place reviewer scores the reviewers themselves saw,
  and rounded the same way.
* A spread (highest − lowest reviewer score) above 20 points flags the bid
  for the officer.
* z-scores normalise each reviewer's scores within that reviewer's own set,
  so a harsh and a lenient reviewer can be compared; they are shown to
  officers only and never replace the official (trimmed-mean) score.
* The ranking orders by score, then red-list trust mark, then earlier
  submission, then id, so it is total and repeatable.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Hashable, Iterable, Mapping, Sequence

TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)
MIN_SCORE, MAX_SCORE = 0, 100
WEIGHT_TOTAL = 100
TRIM_FROM = 5  # reviews from which the highest and lowest are dropped
SPREAD_LIMIT = Decimal(20)  # a spread above this flags the bid


class ScoringError(ValueError):
    """Scores or weights that cannot be combined (caught by the services)."""


def quantize(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def check_weights(weights: Mapping[Hashable, int]) -> None:
    if not weights:
        raise ScoringError("the rubric has no criteria")
    for key, weight in weights.items():
        if isinstance(weight, bool) or not isinstance(weight, int) or weight <= 0:
            raise ScoringError(f"weight of {key!r} must be a positive integer")
    total = sum(weights.values())
    if total != WEIGHT_TOTAL:
        raise ScoringError(f"weights add up to {total}, not {WEIGHT_TOTAL}")


def weighted_score(scores: Mapping[Hashable, int], weights: Mapping[Hashable, int],
                   *, checked: bool = False) -> Decimal:
    """One reviewer's score for one bid, 0..100 with two places.

    ``checked=True`` skips re-validating the weights (the caller already did,
    e.g. once per rubric when aggregating many bids).
    """
    if not checked:
        check_weights(weights)
    missing = [key for key in weights if key not in scores]
    if missing:
        raise ScoringError(f"no score for criteria {missing!r}")
    extra = [key for key in scores if key not in weights]
    if extra:
        raise ScoringError(f"scores for criteria not in the rubric: {extra!r}")
    total = 0
    for key, weight in weights.items():
        score = scores[key]
        if isinstance(score, bool) or not isinstance(score, int) or not MIN_SCORE <= score <= MAX_SCORE:
            raise ScoringError(f"score of {key!r} must be an integer from 0 to 100, not {score!r}")
        total += score * weight
    # total / 100 is exact in Decimal; one rounding only.
    return quantize(Decimal(total) / HUNDRED)


def trimmed(scores: Sequence[Decimal]) -> list[Decimal]:
    """The scores that count: all, or without one highest and one lowest."""
    ordered = sorted(scores)
    if len(ordered) >= TRIM_FROM:
        return ordered[1:-1]
    return ordered


def bid_score(scores: Sequence[Decimal]) -> Decimal | None:
    """The official score of a bid from its reviewers' scores (None if none)."""
    counted = trimmed(scores)
    if not counted:
        return None
    return quantize(sum(counted, Decimal(0)) / len(counted))


def spread(scores: Sequence[Decimal]) -> Decimal:
    return (max(scores) - min(scores)) if scores else Decimal(0)


def spread_flagged(scores: Sequence[Decimal]) -> bool:
    return spread(scores) > SPREAD_LIMIT


def z_score(n: int, total, squares, value) -> Decimal:
    """``value`` as standard deviations from the mean of a set of ``n`` scores whose sum is
    ``total`` and sum of squares ``squares`` (population standard deviation), rounded half
    up to two places; 0 for a set of one or of equal scores. Exact:
    z = (n·v − Σ) / √(n·Σv² − Σ²), any common unit (points or hundredths) cancels."""
    with localcontext() as ctx:
        ctx.prec = 60
        variance = n * Decimal(squares) - Decimal(total) * Decimal(total)
        if n < 2 or variance <= 0:
            return Decimal("0.00")
        z = (n * Decimal(value) - Decimal(total)) / variance.sqrt()
    return quantize(z)


def z_scores(by_reviewer: Mapping[Hashable, Mapping[Hashable, Decimal]]
             ) -> dict[Hashable, dict[Hashable, Decimal]]:
    """Per reviewer, each bid's score as standard deviations from that
    reviewer's own mean (population standard deviation). A reviewer with one
    bid, or who gave every bid the same score, gets 0 throughout. Computed
    exactly (no binary floating point, whose rounding gave equal scores a
    spurious spread), so SQL sums give the same figures (:func:`z_score`)."""
    result: dict[Hashable, dict[Hashable, Decimal]] = {}
    for reviewer, scores in by_reviewer.items():
        n = len(scores)
        with localcontext() as ctx:
            ctx.prec = 60
            total = sum(scores.values(), Decimal(0))
            squares = sum((v * v for v in scores.values()), Decimal(0))
        result[reviewer] = {bid: z_score(n, total, squares, v) for bid, v in scores.items()}
    return result


@dataclass(frozen=True)
class BidInput:
    """What the aggregation needs to know about one bid."""

    bid_id: int
    submitted_at: datetime
    red: bool = False  # lead organisation carries a red-list trust mark
    # reviewer -> {criterion -> integer score}
    reviews: Mapping[Hashable, Mapping[Hashable, int]] | None = None


@dataclass(frozen=True)
class BidResult:
    bid_id: int
    submitted_at: datetime
    red: bool
    reviewer_scores: dict  # reviewer -> Decimal
    score: Decimal | None
    spread: Decimal
    flagged: bool
    rank: int = 0

    @property
    def review_count(self) -> int:
        return len(self.reviewer_scores)


def aggregate(bids: Iterable[BidInput], weights: Mapping[Hashable, int]) -> list[BidResult]:
    """Score every bid (unordered); see :func:`rank` for the order."""
    check_weights(weights)
    results = []
    for bid in bids:
        per_reviewer = {reviewer: weighted_score(scores, weights, checked=True)
                        for reviewer, scores in (bid.reviews or {}).items()}
        values = list(per_reviewer.values())
        results.append(BidResult(
            bid_id=bid.bid_id, submitted_at=bid.submitted_at, red=bid.red,
            reviewer_scores=per_reviewer, score=bid_score(values),
            spread=spread(values), flagged=spread_flagged(values)))
    return results


def ranking_key(result: BidResult):
    # Unscored bids last; higher score first; a red trust mark first; then the
    # earlier submission; the id makes the order total.
    has_score = result.score is not None
    return (not has_score, -(result.score or 0), not result.red, result.submitted_at, result.bid_id)


def rank(results: Iterable[BidResult]) -> list[BidResult]:
    """Results in ranking order, each with its 1-based ``rank``."""
    from dataclasses import replace

    ordered = sorted(results, key=ranking_key)
    return [replace(r, rank=i) for i, r in enumerate(ordered, start=1)]


def reviewer_matrix(results: Iterable[BidResult]) -> dict[Hashable, dict[int, Decimal]]:
    """reviewer -> {bid_id -> weighted score}: the input of :func:`z_scores`."""
    matrix: dict[Hashable, dict[int, Decimal]] = {}
    for r in results:
        for reviewer, score in r.reviewer_scores.items():
            matrix.setdefault(reviewer, {})[r.bid_id] = score
    return matrix
