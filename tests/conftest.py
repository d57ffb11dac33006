"""Test fixtures.

The database comes from ``TEST_DATABASE_URL`` (PostgreSQL in CI) or a fresh
SQLite file. The schema is built once per run by the migrations, so every
run also checks that ``flask db upgrade`` works from empty. Each test runs
inside a transaction that is rolled back afterwards (the session joins it
with SAVEPOINTs, so a commit in the code under test only releases one; test
requests share the test's app context and so its session); tests marked
``postgres`` (concurrency) commit for real and clean up after themselves; tests marked
``browser`` drive Chromium against a server of their own (tests/browser).
"""
from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

_tmp = tempfile.mkdtemp(prefix="grants-test-")
if not os.environ.get("TEST_DATABASE_URL"):
    os.environ["TEST_DATABASE_URL"] = f"sqlite:///{Path(_tmp) / 'test.sqlite3'}"
os.environ.setdefault("UPLOAD_FOLDER", str(Path(_tmp) / "uploads"))
os.environ["GRANTS_ENV"] = "testing"

from config import TestingConfig  # noqa: E402
from grants import create_app  # noqa: E402
from grants.core import clock  # noqa: E402
from grants.extensions import db, limiter  # noqa: E402

from tests.factories import Factories  # noqa: E402

IS_POSTGRES = os.environ["TEST_DATABASE_URL"].startswith("postgresql")


class Config(TestingConfig):
    SQLALCHEMY_DATABASE_URI = os.environ["TEST_DATABASE_URL"]
    UPLOAD_FOLDER = os.environ["UPLOAD_FOLDER"]
    AUDIT_CHECKPOINT_FILE = str(Path(_tmp) / "audit-checkpoint.json")


def _reset_schema(engine: sa.Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    else:
        meta = sa.MetaData()
        meta.reflect(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for table in reversed(meta.sorted_tables):
                conn.execute(sa.text(f'DROP TABLE IF EXISTS "{table.name}"'))
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


@pytest.fixture(scope="session")
def app():
    from flask_migrate import upgrade

    app = create_app(Config)
    with app.app_context():
        _reset_schema(db.engine)
        upgrade()
    yield app


@pytest.fixture(autouse=True)
def _isolated(request, app):
    """Every test in a rolled-back transaction, with a fresh clock and limiter."""
    if request.node.get_closest_marker("browser"):
        # Its own app, database and server (tests/browser/conftest.py), on the demo clock.
        if IS_POSTGRES:
            pytest.skip("browser tests run on SQLite only (their own database, not the one under test)")
        yield
        return
    clock.set_now(datetime(2026, 3, 2, 2, 0, 0))  # 10:00 Beijing time
    Path(app.config["AUDIT_CHECKPOINT_FILE"]).unlink(missing_ok=True)  # each test anchors its own chain
    with app.app_context():
        limiter.reset()
        if request.node.get_closest_marker("postgres"):
            if not IS_POSTGRES:
                pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
            yield
            _truncate_all()
            return
        engines = db._app_engines[app]
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection  # the session and db.engine now use this connection
        db.session.remove()
        original = db.session
        db.session = db._make_scoped_session({"join_transaction_mode": "create_savepoint"})
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            engines[None] = engine
            outer.rollback()
            connection.close()
    clock.set_now(None)


def _truncate_all() -> None:
    db.session.remove()
    tables = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make(app) -> Factories:
    return Factories()


@pytest.fixture
def login(client):
    def _login(user, password: str = "password123"):
        client.post("/logout")  # /login redirects whoever is already signed in
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return _login
