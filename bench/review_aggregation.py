"""How long the officer's ranking table takes to compute.

    python bench/review_aggregation.py [--bids 1000] [--reviewers 7] [--criteria 6] [--repeat 7]

Generates bids × reviewers × criteria integer scores, then times the
aggregation (weighted score per reviewer, trimmed mean, spread flag) plus
the ranking and the per-reviewer z-scores. The machine running this is
shared and noisy, so the same run also times a baseline, a plain Python sum
over the same nested data, and prints the ratio; compare ratios between
runs, not seconds. Each figure is the best of ``--repeat`` runs.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grants.reviews.scoring import BidInput, aggregate, rank, reviewer_matrix, z_scores  # noqa: E402


def make_data(bids: int, reviewers: int, criteria: int, seed: int = 20260302):
    rng = random.Random(seed)
    names = [f"c{i}" for i in range(criteria)]
    base, rest = divmod(100, criteria)
    weights = {name: base + (1 if i < rest else 0) for i, name in enumerate(names)}
    t0 = datetime(2026, 3, 1, 8, 0)
    data = [
        BidInput(
            bid_id=b,
            submitted_at=t0 + timedelta(seconds=rng.randrange(86400)),
            red=rng.random() < 0.05,
            reviews={f"r{r}": {name: rng.randint(40, 100) for name in names} for r in range(reviewers)},
        )
        for b in range(1, bids + 1)
    ]
    return data, weights


def baseline(data) -> int:
    return sum(sum(sum(scores.values()) for scores in bid.reviews.values()) for bid in data)


def officer_table(data, weights):
    results = rank(aggregate(data, weights))
    return results, z_scores(reviewer_matrix(results))


def best_of(repeat: int, fn, *args) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - started)
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bids", type=int, default=1000)
    parser.add_argument("--reviewers", type=int, default=7)
    parser.add_argument("--criteria", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--budget", type=float, default=1.0, help="seconds the table may take")
    args = parser.parse_args(argv)

    data, weights = make_data(args.bids, args.reviewers, args.criteria)
    cells = args.bids * args.reviewers * args.criteria
    base = best_of(args.repeat, baseline, data)
    table = best_of(args.repeat, officer_table, data, weights)
    results, _z = officer_table(data, weights)
    assert len(results) == args.bids and results[0].rank == 1

    print(f"{args.bids} bids × {args.reviewers} reviewers × {args.criteria} criteria = {cells} scores")
    print(f"baseline (plain sum):        {base * 1000:8.2f} ms")
    print(f"aggregate + rank + z-scores: {table * 1000:8.2f} ms   ratio {table / base:6.1f}× baseline")
    ok = table < args.budget
    print(f"budget {args.budget:.2f} s: {'OK' if ok else 'EXCEEDED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
