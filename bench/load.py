"""The load test: N users at once for D seconds, then every row counted.

    SECRET_KEY=... .venv/bin/python bench/load.py \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/load [--users 50] [--duration 300]

It makes a fresh schema ``load_run`` in the database named (its own SQLite file for a
``sqlite:///`` URL), runs the migrations and ``flask demo generate --scale 0.02`` (the board has pages to read), and adds the accounts of
the run: research teams (one organisation and API token each), reviewers on the panel of
a challenge under review, and open challenges to bid on. It starts the app under gunicorn
on loopback with the production settings (``--workers`` sync workers, rate limits in Redis
db 11 and set out of the way) and runs the users, a quarter of them of each kind:

* ``reader``: the public board (a page of it) and a challenge's detail page;
* ``team`` (two quarters): the board, a challenge through the API, then a bid: draft
  (``POST /api/v1/bids``), submit, and withdraw, so that the next draft is allowed;
* ``reviewer``: the bids to review, then scores saved as a draft for one of them, and
  from time to time a review submitted (locked afterwards).

Each user sends its next request when the last one is answered (no pause). After the
run it counts the rows: every bid whose creation was answered 201 exists once and no
other bid of a team's organisation does; a bid whose submission was acknowledged has
exactly one ``submit`` event, and its state is the last acknowledged one; every review
whose saving was acknowledged is one row holding the last acknowledged score, submitted
exactly when its submission was acknowledged. It prints p50 and p99 per action, the
answers that were not the expected ones, and exits 1 on any 5xx or any mismatch.

It installs nothing and asserts no time (the figures are printed, not judged).
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.run import GUNICORN, PYTHON, ROOT, environment, machine  # noqa: E402

SCHEMA = "load_run"
REDIS_DB = 11
KINDS = ("reader", "team", "team", "reviewer")  # user i is KINDS[i % 4]


# the database and the server -------------------------------------------------------------

def fresh_url(base: str) -> str:
    url = sa.engine.make_url(base)
    if url.get_backend_name() == "postgresql":
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            conn.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
        engine.dispose()
        return url.update_query_dict({"options": f"-csearch_path={SCHEMA}"}).render_as_string(hide_password=False)
    path = Path(url.database)
    path = path.with_name(f"{path.stem}-{SCHEMA}{path.suffix or '.sqlite3'}")
    path.unlink(missing_ok=True)
    return url.set(database=str(path)).render_as_string(hide_password=False)


def server_env(url: str) -> dict:
    env = environment(url)
    env.update(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:6379/{REDIS_DB}", API_RATE_LIMIT="1000000 per minute",
               API_ADDRESS_RATE_LIMIT="1000000 per minute", FLASK_APP="wsgi")
    return env


def prepare(url: str, env: dict, users: int) -> dict:
    import subprocess

    flask = str(Path(PYTHON).with_name("flask"))
    for command in ([flask, "db", "upgrade"], [flask, "demo", "generate", "--scale", "0.02"], [PYTHON, __file__, "--seed-only", str(users)]):
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{' '.join(command[1:])} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def seed_accounts(users: int) -> dict:
    """(In a process of its own, with the server's environment.) The run's accounts and
    challenges, through the real services; prints them as one line of JSON."""
    from grants import create_app
    from grants.core import clock
    from grants.extensions import db
    from tests.factories import Factories, id_number
    from tests.reviews.helpers import accepted_panel, reviewing

    kinds = [KINDS[i % len(KINDS)] for i in range(users)]
    app = create_app()
    app.config["PASSWORD_MIN_SCORE"] = 0  # the run's accounts sign in with API tokens only
    with app.app_context():
        make = Factories()
        officer = make.user("officer")
        owner = make.user("enterprise")
        open_ids = [make.challenge(owner=owner, officer=officer, title=f"负载测试榜单 {n}").id for n in range(4)]
        teams = []
        for _ in range(kinds.count("team")):
            user = make.user("applicant")
            teams.append({"token": make.token(user), "org": user.organization_id, "lead": id_number()})
        n_reviewers = kinds.count("reviewer")
        reviewers = []
        if n_reviewers:
            challenge, panel_officer, bids = reviewing(make, n_bids=4)
            for assignment in accepted_panel(make, challenge, panel_officer, n=n_reviewers):
                reviewers.append({"token": make.token(assignment.reviewer), "assignment": assignment.id,
                                  "bids": [b.id for b in bids], "criteria": [c.id for c in challenge.rubric]})
            clock.set_now(None)
        db.session.commit()
    return {"kinds": kinds, "open": open_ids, "teams": teams, "reviewers": reviewers}


class Server:
    def __init__(self, port: int, env: dict, workers: int):
        self.port = port
        self.log = open(f"/tmp/load-server-{port}.log", "w")
        self.proc = __import__("subprocess").Popen(
            [GUNICORN, "-w", str(workers), "-k", "sync", "--no-control-socket", "-b", f"127.0.0.1:{port}",
             "--timeout", "120", "wsgi:app"], cwd=ROOT, env=env, stdout=self.log, stderr=self.log)
        for _ in range(300):
            try:
                request(port, "GET", "/")
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise SystemExit(f"the server did not start: see /tmp/load-server-{port}.log")
                time.sleep(0.1)
        raise SystemExit(f"the server did not answer on port {port}")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except Exception:
            self.proc.kill()
        self.log.close()


# the users --------------------------------------------------------------------------------

def request(port: int, method: str, path: str, token: str | None = None, body=None):
    headers = {"Accept-Language": "zh-CN"}
    data = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        return response.status, payload
    finally:
        conn.close()


class User:
    """One simulated person: sends, times and remembers what was acknowledged."""

    def __init__(self, port: int, index: int, kind: str, world: dict, until: float):
        self.port, self.index, self.kind, self.world, self.until = port, index, kind, world, until
        self.rng = random.Random(index)
        self.timings: list[tuple[str, float, int]] = []
        self.unexpected: list[str] = []
        self.acks: dict = {"created": [], "submitted": [], "withdrawn": [], "reviews": {}}

    def call(self, action: str, method: str, path: str, token=None, body=None, expect=(200,)):
        start = time.perf_counter()
        try:
            status, payload = request(self.port, method, path, token, body)
        except OSError as exc:
            status, payload = 0, str(exc).encode()
        self.timings.append((action, time.perf_counter() - start, status))
        if status not in expect:
            self.unexpected.append(f"{action} {method} {path}: {status} {payload[:200]!r}")
            return None
        try:
            return json.loads(payload) if path.startswith("/api/") else True
        except ValueError:
            return True

    def run(self):
        step = getattr(self, self.kind)
        n = 0
        while time.monotonic() < self.until:
            step(n)
            n += 1
        return self.timings, self.unexpected, self.acks

    def reader(self, n):
        self.call("board", "GET", f"/challenges/?page={1 + n % 2}")
        self.call("detail", "GET", f"/challenges/{self.rng.choice(self.world['open'])}")

    def team(self, n):
        me = self.world["teams"][self.index // 4 * 2 + (self.index % 4 == 2)]
        challenge_id = self.world["open"][n % len(self.world["open"])]
        self.call("board", "GET", "/challenges/")
        challenge = self.call("challenge_api", "GET", f"/api/v1/challenges/{challenge_id}", me["token"])
        if challenge is None:
            return
        bid = self.call("bid_draft", "POST", "/api/v1/bids", me["token"], bid_body(challenge, n, me["lead"]), expect=(201,))
        if bid is None:
            return
        self.acks["created"].append(bid["id"])
        done = self.call("bid_submit", "POST", f"/api/v1/bids/{bid['id']}/transitions/submit", me["token"],
                         {"version": bid["version"]})
        if done is None:
            return
        self.acks["submitted"].append(bid["id"])
        gone = self.call("bid_withdraw", "POST", f"/api/v1/bids/{bid['id']}/transitions/withdraw", me["token"],
                         {"version": done["version"], "comment": "负载测试：撤回后重新申报"})
        if gone is not None:
            self.acks["withdrawn"].append(bid["id"])

    def reviewer(self, n):
        me = self.world["reviewers"][self.index // 4]
        base = f"/api/v1/reviews/{me['assignment']}/bids"
        self.call("review_list", "GET", base, me["token"])
        reviews = self.acks["reviews"]
        open_bids = [b for b in me["bids"] if not reviews.get(str(b), {}).get("submitted")]
        if not open_bids:
            self.call("board", "GET", "/challenges/")
            return
        bid_id = self.rng.choice(open_bids)
        score = 60 + (n % 40)
        body = {"scores": [{"criterion_id": c, "score": score, "comment": f"第 {n} 次评分"} for c in me["criteria"]],
                "opinion": "recommend"}
        submit = n % 10 == 9
        saved = self.call("review_submit" if submit else "review_save", "POST" if submit else "PUT",
                          f"{base}/{bid_id}/{'submit' if submit else 'scores'}", me["token"], body)
        if saved is not None:
            reviews[str(bid_id)] = {"score": score, "submitted": submit}


def bid_body(challenge: dict, n: int, lead_id: str) -> dict:
    return {"challenge_id": challenge["id"], "title": f"负载测试方案 {n}", "technical_approach": "自适应控制方法。",
            "requested_fen": 400_000_00, "equipment_fen": 200_000_00, "materials_fen": 100_000_00,
            "personnel_fen": 80_000_00, "other_fen": 20_000_00, "own_cofunding_fen": 800_000_00,
            "indicators": [{"challenge_indicator_id": i["id"], "promised_value": i["target_value"]}
                           for i in challenge["indicators"]],
            "milestones": [{"month": 12, "title": "样机研制", "deliverable": "样机一台"}],
            "lead": {"name": f"负责人{lead_id[-4:]}", "id_number": lead_id}, "declaration": True}


def _run_users(args):
    port, indices, kinds, world, until = args
    users = [User(port, i, kinds[i], world, until) for i in indices]
    results = [None] * len(users)

    def go(k):
        results[k] = users[k].run()

    threads = [threading.Thread(target=go, args=(k,)) for k in range(len(users))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [(users[k].index, *results[k]) for k in range(len(users))]


# counting the rows afterwards --------------------------------------------------------------

def check_rows(url: str, world: dict, results: list) -> list[str]:
    problems = []
    created, submitted, withdrawn, reviews = set(), set(), set(), {}
    for index, _timings, _unexpected, acks in results:
        for key, into in (("created", created), ("submitted", submitted), ("withdrawn", withdrawn)):
            into.update(acks[key])
        if acks["reviews"]:
            assignment = world["reviewers"][index // 4]["assignment"]
            for bid_id, seen in acks["reviews"].items():
                reviews[(assignment, int(bid_id))] = seen
    orgs = [t["org"] for t in world["teams"]]
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, state FROM bids WHERE organization_id = ANY(:orgs)")
                            if engine.dialect.name == "postgresql" else
                            sa.text("SELECT id, state FROM bids WHERE organization_id IN :orgs")
                            .bindparams(sa.bindparam("orgs", expanding=True)), {"orgs": orgs}).all()
        states = {row.id: row.state for row in rows}
        if len(states) != len(rows) or set(states) != created:
            problems.append(f"bids: {len(created)} creations acknowledged, {len(rows)} rows "
                            f"(missing {sorted(created - set(states))[:10]}, extra {sorted(set(states) - created)[:10]})")
        events = dict(conn.execute(sa.text(
            "SELECT object_id, count(*) FROM audit_events WHERE object_type = 'bid' AND action = 'submit' "
            "GROUP BY object_id")).all())
        for bid_id in sorted(created):
            want = "withdrawn" if bid_id in withdrawn else "submitted" if bid_id in submitted else None
            if bid_id in submitted and events.get(bid_id) != 1:
                problems.append(f"bid {bid_id}: submission acknowledged, {events.get(bid_id, 0)} submit events")
            if want and states.get(bid_id) != want:
                problems.append(f"bid {bid_id}: {want} acknowledged, state {states.get(bid_id)}")
        assignments = [r["assignment"] for r in world["reviewers"]]
        stored = {}
        if assignments:
            for row in conn.execute(sa.text(
                    "SELECT r.assignment_id, r.bid_id, r.state, min(s.score) AS low, max(s.score) AS high, "
                    "count(*) AS n FROM reviews r JOIN review_scores s ON s.review_id = r.id "
                    "WHERE r.assignment_id IN :a GROUP BY r.id, r.assignment_id, r.bid_id, r.state")
                    .bindparams(sa.bindparam("a", expanding=True)), {"a": assignments}):
                key = (row.assignment_id, row.bid_id)
                if key in stored:
                    problems.append(f"review {key}: more than one row")
                stored[key] = row
        if set(stored) != set(reviews):
            problems.append(f"reviews: {len(reviews)} acknowledged, {len(stored)} rows "
                            f"(missing {sorted(set(reviews) - set(stored))[:5]}, "
                            f"extra {sorted(set(stored) - set(reviews))[:5]})")
        for key, seen in reviews.items():
            row = stored.get(key)
            if row is None:
                continue
            if not (row.low == row.high == seen["score"]):
                problems.append(f"review {key}: last acknowledged score {seen['score']}, stored {row.low}..{row.high}")
            if (row.state == "submitted") != seen["submitted"]:
                problems.append(f"review {key}: submitted acknowledged {seen['submitted']}, state {row.state}")
    engine.dispose()
    return problems


# the run ------------------------------------------------------------------------------------

def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--seed-only":
        print(json.dumps(seed_accounts(int(sys.argv[2]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="a PostgreSQL (or SQLite) URL; the run uses its own "
                                                          f"schema {SCHEMA}, made afresh")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=300, help="seconds of load")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--processes", type=int, default=5, help="client processes the users are spread over")
    args = parser.parse_args()

    import redis

    redis.Redis.from_url(f"redis://127.0.0.1:6379/{REDIS_DB}").flushdb()
    url = fresh_url(args.database)
    env = server_env(url)
    print(f"seeding {SCHEMA} ...", flush=True)
    world = prepare(url, env, args.users)
    kinds = world["kinds"]
    server = Server(args.port, env, args.workers)
    try:
        for path in ("/challenges/", f"/challenges/{world['open'][0]}"):  # warm every worker a little
            for _ in range(args.workers * 2):
                request(args.port, "GET", path)
        processes = max(1, min(args.processes, args.users))
        until = time.monotonic() + args.duration
        parts = [(args.port, list(range(p, args.users, processes)), kinds, world, until) for p in range(processes)]
        print(f"{args.users} users ({', '.join(f'{kinds.count(k)} {k}s' for k in dict.fromkeys(KINDS))}) "
              f"for {args.duration:g} s against gunicorn -w {args.workers} ...", flush=True)
        started, started_load = time.perf_counter(), os.getloadavg()[0]
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            results = [user for part in pool.map(_run_users, parts) for user in part]
        elapsed = time.perf_counter() - started
    finally:
        server.stop()

    timings = [t for _i, ts, _u, _a in results for t in ts]
    unexpected = [u for _i, _t, us, _a in results for u in us]
    server_errors = sum(1 for _a, _s, status in timings if status >= 500)
    print(f"\n{len(timings)} requests in {elapsed:.0f} s ({len(timings) / elapsed:.1f}/s), "
          f"{server_errors} server errors (5xx), {len(unexpected)} unexpected answers")
    print(f"\n| action | requests | p50 ms | p99 ms | not as expected |\n|---|---:|---:|---:|---:|")
    for action in dict.fromkeys(a for a, _s, _st in timings):
        lat = sorted(s for a, s, _st in timings if a == action)
        bad = sum(1 for u in unexpected if u.startswith(action + " "))
        print(f"| {action} | {len(lat)} | {statistics.median(lat) * 1000:.0f} | "
              f"{lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000:.0f} | {bad} |")
    for line in unexpected[:10]:
        print("  unexpected:", line)
    problems = check_rows(url, world, results)
    acked = {k: sum(len(a[k]) for *_x, a in results) for k in ("created", "submitted", "withdrawn")}
    reviews = sum(len(a["reviews"]) for *_x, a in results)
    print(f"\nrows: {acked['created']} bids created, {acked['submitted']} submitted, {acked['withdrawn']} withdrawn, "
          f"{reviews} reviews saved (acknowledged); "
          + ("every one in the database exactly once, as last acknowledged" if not problems else
             f"{len(problems)} MISMATCHES"))
    for line in problems[:20]:
        print("  mismatch:", line)
    print(f"\nmachine: {machine()}; load average {started_load:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end (other work on the machine included)")
    sys.exit(1 if server_errors or problems else 0)


if __name__ == "__main__":
    main()
