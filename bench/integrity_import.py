"""How fast does a 100,000-row list import?

    python bench/integrity_import.py [ROWS]

Generates a valid CSV (unique credit codes and ID numbers with correct check
characters), imports it into a fresh SQLite database in a temporary file, and
prints rows per second. The machine may be busy with other work, so the same
run also measures a baseline, a raw DB-API ``executemany`` of the same rows
into the same table (no parsing, no validation, no duplicate check), and
prints the ratio import time / baseline time.

With ``BENCH_DATABASE_URL=postgresql+psycopg://...`` it does the same on
PostgreSQL too. THAT DATABASE IS WIPED (schema ``public`` dropped).
With ``BENCH_EFFECT=1`` a stand-in black-entry effect with a ``live_codes``
prefilter (one SELECT per batch of codes) is registered, to see what effects
on live work cost; ``BENCH_EFFECT=per-entry`` registers it without the
prefilter (one SELECT per black entry in force).

Requirement: 100,000 rows in under 30 seconds on both databases.
"""
from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import logging

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import DevelopmentConfig  # noqa: E402
from grants.core.codes import complete_credit_code, complete_id_number  # noqa: E402

COLUMNS = ("list", "subject_type", "code", "name", "reason", "basis", "authority", "start_on", "end_on")
LIMIT_SECONDS = 30


def generate(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    start = date(2025, 1, 1)
    for i in range(rows):
        on = start + timedelta(days=i % 700)
        end = "" if i % 5 == 0 else (on + timedelta(days=365 * (1 + i % 3))).isoformat()
        if i % 2:
            code = complete_credit_code(f"91{610100 + i % 90000:06d}MA{i:07d}")
            subject_type, name = "organization", f"基准测试科技有限公司{i}"
        else:
            code = complete_id_number(f"{610102 + i // 1000 % 300:06d}{1960 + i % 40:04d}0{1 + i % 9}1{i % 9}{i % 1000:03d}")
            subject_type, name = "person", f"测试人员{i}"
        writer.writerow(["black" if i % 3 else "red", subject_type, code, name,
                         "申报材料弄虚作假，骗取财政科研经费（基准测试数据）",
                         f"咸科技发〔{2020 + i % 6}〕{i}号", "市科学技术局", on.isoformat(), end])
    return out.getvalue().encode("utf-8")


def make_app(url: str):
    from grants import create_app

    class BenchConfig(DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = url

    return create_app(BenchConfig)


def fresh_schema(app) -> None:
    from flask_migrate import upgrade

    from grants.extensions import db

    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    else:
        db.session.remove()
        engine.dispose()
        path = Path(engine.url.database)
        if path.exists():
            path.unlink()
    upgrade(directory=str(ROOT / "migrations"))
    logging.disable(logging.INFO)


def baseline(app, data: bytes) -> float:
    """Raw executemany of the same rows into integrity_entries (after a fresh schema)."""
    from grants.core import clock
    from grants.extensions import db

    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    next(reader)
    now = clock.now()
    params = [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], date.fromisoformat(r[7]),
               date.fromisoformat(r[8]) if r[8] else None, now, now) for r in reader]
    raw = db.engine.raw_connection()
    try:
        style = "?" if db.engine.dialect.name == "sqlite" else "%s"
        sql = ("INSERT INTO integrity_entries (list, subject_type, subject_code, subject_name, reason, basis, "
               "authority, start_on, end_on, created_at, updated_at) VALUES (" + ", ".join([style] * 11) + ")")
        started = time.perf_counter()
        cursor = raw.cursor()
        if db.engine.dialect.name == "sqlite":
            cursor.execute("BEGIN")
        cursor.executemany(sql, params)
        raw.commit()
        return time.perf_counter() - started
    finally:
        raw.close()


def run(url: str, data: bytes, rows: int) -> bool:
    from grants.extensions import db
    from grants.integrity.imports import import_entries
    from grants.integrity.models import IntegrityEntry

    app = make_app(url)
    with app.app_context():
        dialect = db.engine.dialect.name
        if os.environ.get("BENCH_EFFECT"):
            from grants.integrity.effects import on_black_entry

            def live_codes(subject_type, codes):  # one query per batch, finds no live work
                return db.session.scalars(sa.select(IntegrityEntry.subject_code).where(
                    IntegrityEntry.subject_code.in_(codes), IntegrityEntry.subject_code == "")).all()

            prefilter = None if os.environ["BENCH_EFFECT"] == "per-entry" else live_codes

            @on_black_entry("bench_lookup", live_codes=prefilter)
            def lookup(entry, actor):
                db.session.execute(sa.select(sa.literal(1)).where(sa.literal(entry.subject_code) != ""))
                return 0

        fresh_schema(app)
        base = baseline(app, data)
        fresh_schema(app)
        started = time.perf_counter()
        report = import_entries(data, file_name="bench.csv")
        db.session.commit()
        took = time.perf_counter() - started
        stored = db.session.scalar(sa.select(sa.func.count(IntegrityEntry.id)))
        assert report.added == rows == stored, (report.added, rows, stored)
        started = time.perf_counter()
        again = import_entries(data, file_name="bench.csv")
        db.session.commit()
        reimport = time.perf_counter() - started
        assert again.added == 0 and again.already_present == rows
        fresh_schema(app) if dialect == "postgresql" else None
    ok = took < LIMIT_SECONDS
    print(f"{dialect:<10} import {rows:,} rows: {took:6.2f} s = {rows / took:9,.0f} rows/s "
          f"({'OK' if ok else 'TOO SLOW'}, limit {LIMIT_SECONDS} s); "
          f"baseline executemany {base:5.2f} s = {rows / base:9,.0f} rows/s; ratio {took / base:4.1f}x; "
          f"re-import (all already present) {reimport:5.2f} s")
    return ok


def main() -> int:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    os.environ.setdefault("GRANTS_ENV", "development")
    logging.disable(logging.INFO)  # migration chatter
    started = time.perf_counter()
    data = generate(rows)
    print(f"generated {rows:,} rows ({len(data) / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
    ok = True
    with tempfile.TemporaryDirectory(prefix="grants-bench-") as tmp:
        ok &= run(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", data, rows)
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        ok &= run(url, data, rows)
    else:
        print("postgresql skipped (set BENCH_DATABASE_URL to a database that may be wiped)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
