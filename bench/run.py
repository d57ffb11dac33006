"""The performance benchmark: key pages as ratios to a bare Flask hello-world.

One command:

    SECRET_KEY=... .venv/bin/python bench/run.py --scale 1.0 \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/bench

For each scale (the one given, then a tenth of it) it makes sure the data is there
(``flask db upgrade`` and ``flask demo generate --scale S`` into its own PostgreSQL schema,
``scale_<S>``, or its own SQLite file), starts the app under gunicorn on loopback with the
production settings (2 sync workers, ``SECRET_KEY`` from the environment) and a bare Flask
hello-world under the same settings, warms both up, and measures requests/s, p50 and p99
of each key page with a load generator on loopback: ``wrk`` when it is installed, else
the Python one here (processes opening a connection per request, as gunicorn's sync
workers close it). Each figure is printed as a ratio to the hello-world measured in the
same run. It then sends N requests to a mix of pages and records the workers' resident
memory after 1,000 and after N. ``--write docs/performance.md`` puts the table there with
the machine and the command.

It installs nothing and asserts no time; the ports are ``--port`` and ``--port + 10``.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import http.client
import multiprocessing
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
OFFICER = ("officer@bench.example", "bench-password")

# Targets of issue 15, as ratios to hello-world.
TARGETS = {"home": 0.5, "board": 0.10, "board_last": 0.10, "api_list": 0.10, "api_last": 0.10,
           "integrity_search": 0.10, "detail": 0.15, "eligibility": 0.05, "ranking": 0.05,
           "assignment": 0.05, "monitoring": 0.05}


@dataclass
class Page:
    key: str
    label: str
    path: str
    officer: bool = False
    post: dict | None = None


@dataclass
class Result:
    rps: float
    p50: float
    p99: float
    errors: int
    size: int = 0
    statuses: dict = field(default_factory=dict)


# load generation --------------------------------------------------------------------

def _one(port: int, method: str, path: str, headers: dict, body: bytes | None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, len(data), response
    finally:
        conn.close()


def _worker(args):
    port, method, path, headers, body, seconds = args
    latencies, statuses, size = [], {}, 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        try:
            status, size, _ = _one(port, method, path, headers, body)
        except OSError:
            status = 0
        latencies.append(time.perf_counter() - start)
        statuses[status] = statuses.get(status, 0) + 1
    return latencies, statuses, size


def load(pool, port: int, method: str, path: str, headers: dict, body: bytes | None, seconds: float,
         concurrency: int) -> Result:
    started = time.perf_counter()
    parts = pool.map(_worker, [(port, method, path, headers, body, seconds)] * concurrency)
    elapsed = time.perf_counter() - started
    latencies = sorted(x for lat, _, _ in parts for x in lat)
    statuses: dict = {}
    for _, st, _ in parts:
        for k, v in st.items():
            statuses[k] = statuses.get(k, 0) + v
    ok = sum(v for k, v in statuses.items() if 200 <= k < 400)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return Result(rps=len(latencies) / elapsed, p50=statistics.median(latencies) * 1000, p99=p99 * 1000,
                  errors=len(latencies) - ok, size=parts[0][2], statuses=statuses)


def load_wrk(port: int, path: str, headers: dict, seconds: float, concurrency: int) -> Result:
    args = ["wrk", "-t2", f"-c{concurrency}", f"-d{int(seconds)}s", "--latency"]
    for k, v in headers.items():
        args += ["-H", f"{k}: {v}"]
    out = subprocess.run(args + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True).stdout

    def ms(label):
        m = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Result(rps=rps, p50=ms("50"), p99=ms("99"), errors=int(errors.group(1)) if errors else 0)


# servers ----------------------------------------------------------------------------

class Server:
    def __init__(self, name: str, app: str, port: int, env: dict):
        self.name, self.port = name, port
        self.log = open(f"/tmp/bench-{name}-{port}.log", "w")
        self.proc = subprocess.Popen(
            [GUNICORN, "-w", "2", "-k", "sync", "--no-control-socket", "-b", f"127.0.0.1:{port}", "--access-logfile", "-",
             "--access-logformat", "%(s)s", app],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log)
        for _ in range(200):
            try:
                _one(port, "GET", "/", {}, None)
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise SystemExit(f"{name} did not start: see /tmp/bench-{name}-{port}.log")
                time.sleep(0.1)
        raise SystemExit(f"{name} did not answer on port {port}")

    def worker_rss_mb(self) -> list[float]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        sizes = []
        for pid in children:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def environment(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_DEBUG",)}
    env.update(GRANTS_ENV="production", DATABASE_URL=database_url, SESSION_COOKIE_SECURE="0",
               LOGIN_RATE_LIMIT="100000 per minute", PYTHONPATH=str(ROOT))
    env.setdefault("SECRET_KEY", secrets.token_hex(32))
    # The generated data's checkpoint, away from the one of the instance's own database.
    checkpoint = f"bench-{hashlib.sha256(database_url.encode()).hexdigest()[:12]}-audit-checkpoint.json"
    env["AUDIT_CHECKPOINT_FILE"] = str(ROOT / "instance" / checkpoint)
    return env


# data ---------------------------------------------------------------------------------

def scale_url(base: str, scale: float) -> str:
    tag = f"scale_{scale:g}".replace(".", "_")
    url = sa.engine.make_url(base)
    if url.get_backend_name() == "postgresql":
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {tag}"))
        engine.dispose()
        return url.update_query_dict({"options": f"-csearch_path={tag}"}).render_as_string(hide_password=False)
    path = Path(url.database)
    return url.set(database=str(path.with_name(f"{path.stem}-{tag}{path.suffix or '.sqlite3'}"))).render_as_string(
        hide_password=False)


def ensure_data(url: str, scale: float, env: dict) -> None:
    flask = str(Path(PYTHON).with_name("flask"))
    run_env = {**env, "DATABASE_URL": url, "FLASK_APP": "wsgi"}
    subprocess.run([flask, "db", "upgrade"], cwd=ROOT, env=run_env, check=True, capture_output=True)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        present = conn.scalar(sa.text("SELECT count(*) FROM challenges"))
    engine.dispose()
    if not present:
        print(f"generating data at scale {scale} ...", flush=True)
        subprocess.run([flask, "demo", "generate", "--scale", str(scale)], cwd=ROOT, env=run_env, check=True)


def api_token(url: str, env: dict) -> str:
    """A personal API token of the generated officer, for the API's officer lists."""
    flask = str(Path(PYTHON).with_name("flask"))
    done = subprocess.run([flask, "tokens", "create", "--email", OFFICER[0], "--days", "1"], cwd=ROOT,
                          env={**env, "DATABASE_URL": url, "FLASK_APP": "wsgi"}, check=True, capture_output=True,
                          text=True)
    return done.stdout.strip().splitlines()[-1]


def key_pages(url: str) -> list[Page]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        public = conn.scalar(sa.text("SELECT count(*) FROM challenges WHERE state IN "
                                     "('published','closed','reviewing','notice','awarded','failed')"))
        published = conn.scalar(sa.text("SELECT id FROM challenges WHERE state = 'published' ORDER BY id LIMIT 1"))
        big = conn.scalar(sa.text("SELECT challenge_id FROM bids GROUP BY challenge_id ORDER BY count(*) DESC LIMIT 1"))
        bids = conn.scalar(sa.text("SELECT count(*) FROM bids WHERE challenge_id = :c"), {"c": big})
        # (none in data generated before the generator made projects: the page is then left out)
        project = conn.scalar(sa.text("SELECT id FROM projects WHERE state = 'active' ORDER BY id LIMIT 1"))
    engine.dispose()
    last = max(1, -(-public // 50))
    api_last = max(1, -(-public // 10))
    pages = [
        Page("home", "`/` (no SQL)", "/"),
        Page("board", "public board, page 1", "/challenges/"),
        Page("board_last", f"public board, last page ({last})", f"/challenges/?page={last}"),
        Page("detail", "anonymous challenge detail", f"/challenges/{published}"),
        Page("api_list", "`/api/v1/challenges`, page 1", "/api/v1/challenges"),
        Page("api_last", f"`/api/v1/challenges`, last page ({api_last})", f"/api/v1/challenges?page={api_last}"),
        Page("verify", "certificate verification (form)", "/verify"),
        Page("integrity_search", "integrity list search `?q=张伟`", "/integrity/?q=" + urllib.parse.quote("张伟"),
             officer=True),
        Page("integrity_code", "integrity list, code prefix `?q=9161`", "/integrity/?q=9161", officer=True),
        Page("api_bids", "`/api/v1/bids` (officer)", "/api/v1/bids", officer=True),
        Page("eligibility", f"eligibility page ({bids} bids)", f"/bids/eligibility/{big}", officer=True),
        Page("ranking", f"officer ranking table ({bids} bids)", f"/reviews/challenges/{big}/table", officer=True),
        Page("assignment", f"reviewer assignment ({bids} bids)", f"/reviews/challenges/{big}", officer=True),
        Page("monitoring", "project monitoring", "/projects/monitor", officer=True),
        Page("project", "project page (an active project)", f"/projects/{project}", officer=True),
        Page("login", "login POST", "/login", post={}),
    ]
    return [page for page in pages if page.key != "project" or project is not None]


def sign_in(port: int) -> tuple[str, dict]:
    """The officer's session cookie, and a (cookie, form) pair for the login POST."""
    status, _, response = _one(port, "GET", "/login", {}, None)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    conn.close()
    token = html.unescape(re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1))
    form = urllib.parse.urlencode({"csrf_token": token, "email": OFFICER[0], "password": OFFICER[1]}).encode()
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/login", body=form, headers=headers)
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise SystemExit(f"could not sign in as the officer (HTTP {response.status})")
    session = response.getheader("Set-Cookie").split(";")[0]
    conn.close()
    return session, {"headers": headers, "body": form}


# the run ------------------------------------------------------------------------------------

def measure_scale(pool, args, scale: float) -> dict:
    url = scale_url(args.database, scale)
    env = environment(url)
    ensure_data(url, scale, env)
    pages = [p for p in key_pages(url) if not args.only or p.key in args.only]
    token = api_token(url, env)
    hello = Server("hello", "bench.hello:app", args.port + 10, env)
    app = Server("app", "wsgi:app", args.port, env)
    try:
        session, login = sign_in(app.port)
        use_wrk = shutil.which("wrk") is not None and not args.python_client

        def run(server, page: Page | None, seconds):
            path = page.path if page else "/"
            if page and page.post is not None:
                return load(pool, server.port, "POST", path, login["headers"], login["body"], seconds,
                            args.concurrency)
            headers = {}
            if page and page.officer:
                headers = {"Authorization": f"Bearer {token}"} if page.path.startswith("/api/") else {"Cookie": session}
            if use_wrk:
                return load_wrk(server.port, path, headers, seconds, args.concurrency)
            return load(pool, server.port, "GET", path, headers, None, seconds, args.concurrency)

        run(hello, None, args.warmup)
        for page in pages:
            run(app, page, args.warmup)
        rows = {}
        for page in pages:
            # hello-world next to each page, so that load from elsewhere falls on both alike
            base = run(hello, None, args.duration)
            result = run(app, page, args.duration)
            rows[page.key] = (page, result, base)
            print(f"  scale {scale:<6g} {page.label:<48} {result.rps:8.1f} req/s  p50 {result.p50:7.1f} ms  "
                  f"p99 {result.p99:7.1f} ms  {result.rps / base.rps:6.3f}x hello  "
                  f"{'errors ' + str(result.statuses) if result.errors else ''}", flush=True)
        memory = None
        if args.memory_requests:
            memory = memory_growth(pool, app, pages, session, args.memory_requests, args.concurrency)
            print(f"  worker memory after 1,000 / {args.memory_requests:,} requests: "
                  f"{memory[0]:.1f} / {memory[1]:.1f} MB", flush=True)
        return {"rows": rows, "memory": memory, "pages": pages, "client": "wrk" if use_wrk else "python"}
    finally:
        app.stop()
        hello.stop()


def _requests(args):
    port, paths, session = args
    for path, officer in paths:
        try:
            _one(port, "GET", path, {"Cookie": session} if officer else {}, None)
        except OSError:
            pass


def memory_growth(pool, app: Server, pages: list[Page], session: str, total: int, concurrency: int):
    """Workers' resident memory (both together) after 1,000 and after ``total`` requests,
    sent to a mix of the GET pages by ``concurrency`` clients."""
    gets = [(p.path, p.officer) for p in pages if p.post is None]
    mix = [gets[i % len(gets)] for i in range(total)]

    def send(batch):
        pool.map(_requests, [(app.port, batch[i::concurrency], session) for i in range(concurrency)])

    send(mix[:1000])
    after_1000 = sum(app.worker_rss_mb())
    send(mix[1000:])
    return after_1000, sum(app.worker_rss_mb())


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))) / 2**20
    return (f"{platform.node()}: {os.cpu_count()} CPU ({cpu}), {mem:.1f} GB RAM, Linux {platform.release()}, "
            f"Python {platform.python_version()}")


def table(results: dict, big: float, small: float) -> str:
    growth_head = f" scale {big:g} vs {small:g} (time per request) |" if small else ""
    lines = ["| page | req/s | p50 ms | p99 ms | ratio to hello-world | target |" + growth_head,
             "|---|---|---|---|---|---|" + ("---|" if small else "")]
    for key, (page, result, base) in results[big]["rows"].items():
        ratio = result.rps / base.rps
        target = TARGETS.get(key)
        met = "" if target is None else (f"{target} ✓" if ratio >= target else f"{target} ✗")
        other = results.get(small, {}).get("rows", {}).get(key) if small else None
        growth = ""
        if other:
            # time per request relative to hello-world, full over the tenth
            growth = f"{(other[1].rps / other[2].rps) / ratio:.2f}×"
        lines.append(f"| {page.label} | {result.rps:.1f} | {result.p50:.1f} | {result.p99:.1f} | {ratio:.3f} | "
                     f"{met} |" + (f" {growth} |" if small else ""))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="data size (1.0 = the issue's full size); "
                        "the run repeats at a tenth of it")
    parser.add_argument("--database", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench"))
    parser.add_argument("--port", type=int, default=5105)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per page")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--memory-requests", type=int, default=10_000)
    parser.add_argument("--python-client", action="store_true", help="use the Python load generator even "
                        "when wrk is installed")
    parser.add_argument("--only", type=lambda text: set(text.split(",")), default=None, metavar="KEYS",
                        help="measure only these pages, by key (e.g. monitoring,board_last); not with --write")
    parser.add_argument("--write", metavar="FILE", help="write the table into this Markdown file, between "
                        "the markers <!-- bench:start --> and <!-- bench:end -->")
    args = parser.parse_args()
    if args.only and args.write:
        parser.error("--only measures part of the table: it cannot --write it")

    scales = [args.scale, args.scale / 10]
    results = {}
    with multiprocessing.Pool(args.concurrency) as pool:
        for scale in scales:
            print(f"scale {scale:g}", flush=True)
            results[scale] = measure_scale(pool, args, scale)
    text = report(args, results, scales)
    print(text)
    if args.write:
        path = ROOT / args.write
        old = path.read_text() if path.exists() else "<!-- bench:start -->\n<!-- bench:end -->\n"
        start, end = old.index("<!-- bench:start -->"), old.index("<!-- bench:end -->")
        path.write_text(old[:start] + "<!-- bench:start -->\n" + text + "\n" + old[end:])


def report(args, results, scales) -> str:
    big, small = scales
    command = "python bench/run.py " + " ".join(sys.argv[1:])
    first = results[big]
    lines = [f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}.",
             f"Command: `{command}` (load generator: {first['client']}, {args.concurrency} concurrent "
             f"connections, {args.duration:g} s per page, hello-world measured next to each page).", ""]
    lines.append(table(results, big, small))
    lines.append("")
    lines.append(f"At scale {small:g}:")
    lines.append("")
    lines.append(table({small: results[small]}, small, None))
    for scale in scales:
        memory = results[scale]["memory"]
        if memory:
            growth = (memory[1] - memory[0]) / memory[0] * 100
            lines.append("")
            lines.append(f"Worker memory at scale {scale:g} (two workers together): {memory[0]:.1f} MB after 1,000 "
                         f"requests, {memory[1]:.1f} MB after {args.memory_requests:,} ({growth:+.1f}%).")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
