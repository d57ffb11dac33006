"""How long the officer's ranking table takes to compute.

    python bench/review_aggregation.py [--bids 1000] [--reviewers 7] [--criteria 6] [--repeat 7]
                                       [--db] [--database-url URL]

Generates bids × reviewers × criteria integer scores, then times the
aggregation (weighted score per reviewer, trimmed mean, spread flag) plus
the ranking and the per-reviewer z-scores. The machine running this is
shared and noisy, so the same run also times a baseline, a plain Python sum
over the same nested data, and prints the ratio; compare ratios between
runs, not seconds. Each figure is the best of ``--repeat`` runs.

``--db`` also times the officer's table as the page builds it
(:func:`grants.reviews.tables.officer_table`): the same scores stored in a
database (a fresh SQLite file, or ``--database-url``, whose schema is
dropped and rebuilt by the migrations, so never point it at real data),
loaded in a fixed number of queries, aggregated and ranked; it reports the
number of queries too.
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


def time_database(args, data, weights):
    """Store the generated scores, then time officer_table(challenge) (best of --repeat)."""
    import os
    import tempfile

    os.environ.setdefault("GRANTS_ENV", "testing")
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='grants-bench-')}/bench.sqlite3"

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from config import TestingConfig
    from grants import create_app
    from grants.extensions import db
    from tests.conftest import _reset_schema

    class BenchConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(BenchConfig)
    with app.app_context():
        _reset_schema(db.engine)
        upgrade()
        challenge_id = _store(db, sa, data, weights, args.reviewers)
        from grants.challenges.models import Challenge
        from grants.reviews.tables import officer_table

        counter = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a, **k: counter.append(1))
        best = float("inf")
        for _ in range(args.repeat):
            db.session.expunge_all()
            challenge = db.session.get(Challenge, challenge_id)
            counter.clear()
            started = time.perf_counter()
            table = officer_table(challenge)
            best = min(best, time.perf_counter() - started)
            queries = len(counter)
        assert len(table.rows) == len(data)
        db.session.remove()
    return best, queries


def _store(db, sa, data, weights, reviewers: int) -> int:
    """Bench data written straight to the tables (not through the workflow)."""
    from grants.auth.models import Organization, User
    from grants.bids.models import Bid
    from grants.challenges.models import Challenge, RubricCriterion
    from grants.reviews.models import Review, ReviewAssignment, ReviewScore
    from tests.factories import credit_code

    now = datetime(2026, 3, 2, 2, 0)
    conn = db.session.connection()
    conn.execute(sa.insert(Organization), [
        {"id": i, "name": f"单位{i}", "kind": "university", "credit_code": credit_code(900000 + i)}
        for i in range(1, len(data) + 2)])
    owner = len(data) + 1
    conn.execute(sa.insert(User), [
        {"id": r, "email": f"r{r}@bench.cn", "display_name": f"专家{r}", "password_hash": "-", "role": "reviewer"}
        for r in range(1, reviewers + 1)])
    conn.execute(sa.insert(Challenge), [{"id": 1, "state": "reviewing", "owner_org_id": owner, "title": "bench",
                                         "published_at": now, "closed_at": now}])
    criteria = {name: i for i, name in enumerate(weights, start=1)}
    conn.execute(sa.insert(RubricCriterion), [
        {"id": cid, "challenge_id": 1, "position": cid, "name": name, "weight": weights[name]}
        for name, cid in criteria.items()])
    conn.execute(sa.insert(Bid), [
        {"id": bid.bid_id, "state": "under_review", "challenge_id": 1, "organization_id": bid.bid_id,
         "title": f"申报{bid.bid_id}", "submitted_at": bid.submitted_at} for bid in data])
    conn.execute(sa.insert(ReviewAssignment), [
        {"id": r, "state": "submitted", "challenge_id": 1, "reviewer_id": r, "declared_at": now,
         "submitted_at": now, "due_on": now.date()} for r in range(1, reviewers + 1)])
    reviews, scores = [], []
    for bid in data:
        for r, (reviewer, marks) in enumerate(bid.reviews.items(), start=1):
            review_id = len(reviews) + 1
            reviews.append({"id": review_id, "state": "submitted", "assignment_id": r, "bid_id": bid.bid_id,
                            "opinion": "recommend", "submitted_at": now})
            scores += [{"review_id": review_id, "criterion_id": criteria[name], "score": mark, "comment": ""}
                       for name, mark in marks.items()]
    conn.execute(sa.insert(Review), reviews)
    conn.execute(sa.insert(ReviewScore), scores)
    db.session.commit()
    return 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bids", type=int, default=1000)
    parser.add_argument("--reviewers", type=int, default=7)
    parser.add_argument("--criteria", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--budget", type=float, default=1.0, help="seconds the table may take")
    parser.add_argument("--db", action="store_true", help="also time the database-backed officer table")
    parser.add_argument("--database-url", help="a scratch database (default: a temporary SQLite file)")
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
    if args.db:
        db_time, queries = time_database(args, data, weights)
        print(f"officer_table from the database: {db_time * 1000:8.2f} ms   ratio {db_time / base:6.1f}× baseline"
              f"   {queries} queries")
        ok = ok and db_time < args.budget
    print(f"budget {args.budget:.2f} s: {'OK' if ok else 'EXCEEDED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
