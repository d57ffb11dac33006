"""``flask backup`` and ``flask restore``: a copy of demo data put back into an empty
database holds every row and every audit event, and the audit trail verifies."""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from grants.core.models import AuditEvent
from grants.extensions import db

from tests.conftest import IS_POSTGRES, Config


class _Databases:
    """Databases of their own (not the test's rolled-back one): files on SQLite, databases
    created on the test server on PostgreSQL, dropped afterwards."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.created: list[str] = []
        self.server = sa.engine.make_url(os.environ["TEST_DATABASE_URL"])

    def new_url(self) -> str:
        name = f"t_backup_{uuid.uuid4().hex[:10]}"
        if not IS_POSTGRES:
            return f"sqlite:///{self.folder / (name + '.sqlite3')}"
        self._admin(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.server.set(database=name).render_as_string(hide_password=False)

    def _admin(self, sql: str) -> None:
        engine = sa.create_engine(self.server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(sql)
        finally:
            engine.dispose()

    def drop_all(self) -> None:
        for name in self.created:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def databases(tmp_path):
    if IS_POSTGRES and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore (PostgreSQL's client programs) are not installed on this machine")
    found = _Databases(tmp_path)
    yield found
    found.drop_all()


def app_on(url: str):
    from grants import create_app

    class OwnConfig(Config):
        SQLALCHEMY_DATABASE_URI = url

    return create_app(OwnConfig)


def snapshot(app) -> tuple[dict[str, int], list[tuple]]:
    from grants.core.backup import table_counts

    with app.app_context():
        counts = table_counts()
        columns = [c for c in AuditEvent.__table__.columns]
        with db.engine.connect() as conn:
            events = [tuple(row) for row in conn.execute(sa.select(*columns).order_by(AuditEvent.id))]
        db.engine.dispose()
    return counts, events


def run(app, *args):
    with app.app_context():  # the command's app, not the test's (whose context is already pushed)
        result = app.test_cli_runner().invoke(args=list(args))
        db.session.remove()
        db.engine.dispose()
    return result


def test_a_backup_restored_into_an_empty_database_holds_everything(databases, tmp_path):
    from flask_migrate import upgrade

    from grants.core.demo import seed

    source = app_on(databases.new_url())
    with source.app_context():
        upgrade()
        seed()
        from grants.core.checkpoint import write_checkpoint

        write_checkpoint()  # the restored chain is checked against the source's signed head
        db.session.commit()
    before = snapshot(source)
    assert before[0]["users"] > 0 and before[0]["challenges"] > 0 and len(before[1]) > 20

    copy = tmp_path / "grants.backup"
    done = run(source, "backup", str(copy))
    assert done.exit_code == 0, done.output
    assert f"backup written to {copy}" in done.output and f"{len(before[1])} audit events" in done.output

    target = app_on(databases.new_url())
    restored = run(target, "restore", str(copy))
    assert restored.exit_code == 0, restored.output
    after = snapshot(target)
    assert after[0] == before[0]  # every table, the same number of rows
    assert after[1] == before[1]  # every audit event, field by field

    verified = run(target, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert f"audit chain intact: {len(before[1])} events checked" in verified.output
    assert "MISMATCH" not in verified.output

    # The restored database carries on: the next row gets a fresh id.
    with target.app_context():
        from grants.auth import services

        user = services.create_user(email="after@example.cn", display_name="After", password="password123",
                                    role="officer")
        db.session.commit()
        assert user.id > before[0]["users"]
        db.session.remove()
        db.engine.dispose()
    with source.app_context():
        db.engine.dispose()


def test_a_restore_refuses_a_database_with_data_unless_forced(databases, tmp_path):
    from flask_migrate import upgrade

    from grants.core.demo import seed

    source = app_on(databases.new_url())
    with source.app_context():
        upgrade()
        seed()
    copy = tmp_path / "grants.backup"
    assert run(source, "backup", str(copy)).exit_code == 0
    again = run(source, "backup", str(copy))
    assert again.exit_code != 0 and "already exists; choose another name, or add --force" in again.output
    assert run(source, "backup", str(copy), "--force").exit_code == 0

    backed_up = snapshot(source)
    with source.app_context():
        from grants.auth import services

        services.create_user(email="later@example.cn", display_name="Later", password="password123",
                             role="officer")
        db.session.commit()
        db.session.remove()

    refused = run(source, "restore", str(copy))
    assert refused.exit_code != 0
    assert "the database already holds data; a restore would replace all of it" in refused.output
    forced = run(source, "restore", str(copy), "--force")
    assert forced.exit_code == 0, forced.output
    assert snapshot(source) == backed_up  # the account made after the backup is gone


def test_a_restore_refuses_a_file_that_is_not_a_backup(databases, tmp_path):
    target = app_on(databases.new_url())
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    refused = run(target, "restore", str(junk))
    assert refused.exit_code != 0 and "neither a SQLite database nor a pg_dump archive" in refused.output
    missing = run(target, "restore", str(tmp_path / "nothing.backup"))
    assert missing.exit_code != 0 and "does not exist" in missing.output
    other = tmp_path / "other.backup"
    other.write_bytes((b"SQLite format 3\x00" if IS_POSTGRES else b"PGDMP") + b"\x00" * 100)
    wrong = run(target, "restore", str(other))
    assert wrong.exit_code != 0 and "backup and this database is" in wrong.output
    with target.app_context():
        db.engine.dispose()


def test_without_pg_dump_the_command_says_so(app, monkeypatch):
    from grants.core.backup import BackupError, _pg_program

    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(BackupError, match="pg_dump is not installed on this machine.*postgresql-client"):
        _pg_program("pg_dump")
