"""``flask backup PATH`` and ``flask restore PATH``: a consistent copy of the whole
database, and putting one back (docs/backup.md).

On SQLite the copy is SQLite's online backup (``sqlite3.Connection.backup``):
pages copied under the database's own locking, so the copy is one moment's
state even while the application writes. On PostgreSQL it is ``pg_dump
--format=custom`` (one snapshot, in a single transaction) and ``pg_restore
--single-transaction``, the client programs of PostgreSQL, which must be
installed on the machine that runs the command (package ``postgresql-client``
of the server's major version or newer).

A copy is written to a temporary file beside ``PATH`` and renamed only when
complete, so a failed backup leaves no half file. A restore refuses a database
that holds data unless told ``--force``; on PostgreSQL it runs in one
transaction, so a failure leaves the database as it was.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from grants.extensions import db

PG_DUMP_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead, with the reason in words."""


@dataclass
class Summary:
    tables: int
    rows: int
    audit_events: int
    revision: str | None


def dialect() -> str:
    return db.engine.dialect.name


def table_counts(engine: sa.Engine | None = None) -> dict[str, int]:
    """Rows in every table of the database (the application's and Alembic's)."""
    engine = engine or db.engine
    names = sa.inspect(engine).get_table_names()
    with engine.connect() as conn:
        return {name: conn.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in sorted(names)}


def summary(engine: sa.Engine | None = None) -> Summary:
    counts = table_counts(engine)
    revision = None
    if "alembic_version" in counts:
        with (engine or db.engine).connect() as conn:
            revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    return Summary(tables=len(counts), rows=sum(n for name, n in counts.items() if name != "alembic_version"),
                   audit_events=counts.get("audit_events", 0), revision=revision)


def has_data() -> bool:
    """Any row in any table but Alembic's: a database someone has used."""
    return any(n for name, n in table_counts().items() if name != "alembic_version")


def _temporary_beside(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.partial")


def _check_target(path: Path, force: bool) -> None:
    if path.is_dir():
        raise BackupError(f"{path} is a folder; give the name of the file to write.")
    if not path.parent.is_dir():
        raise BackupError(f"the folder {path.parent} does not exist.")
    if path.exists() and not force:
        raise BackupError(f"{path} already exists; choose another name, or add --force to replace it.")


def backup(path: str | os.PathLike, *, force: bool = False) -> Summary:
    """Write a consistent copy of the database to ``path``; what it holds."""
    path = Path(path)
    _check_target(path, force)
    partial = _temporary_beside(path)
    partial.unlink(missing_ok=True)
    try:
        if dialect() == "sqlite":
            _sqlite_backup(partial)
        elif dialect() == "postgresql":
            _pg_dump(partial)
        else:
            raise BackupError(f"backups of {dialect()} databases are not supported (SQLite and PostgreSQL are).")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return summary()


def _sqlite_backup(target: Path) -> None:
    db.session.remove()
    raw = db.engine.raw_connection()
    try:
        copy = sqlite3.connect(target)
        try:
            raw.driver_connection.backup(copy)
            problem = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
    finally:
        raw.close()
    if problem != "ok":
        raise BackupError(f"the copy failed SQLite's integrity check: {problem}")


def _pg_program(name: str) -> str:
    program = shutil.which(name)
    if program is None:
        raise BackupError(
            f"{name} is not installed on this machine, and a PostgreSQL database is copied with it. "
            f"Install PostgreSQL's client programs of the server's major version or newer "
            f"(Debian: apt-get install postgresql-client) and run the command again.")
    return program


def _pg_connection() -> tuple[list[str], dict[str, str]]:
    """libpq's arguments for the application's database; the password goes in the
    environment, never on a command line others can read."""
    url = db.engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    args = ["--dbname", url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)]
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{what} failed (exit {done.returncode}): {done.stderr.strip() or done.stdout.strip()}")


def _pg_dump(target: Path) -> None:
    program = _pg_program("pg_dump")
    args, env = _pg_connection()
    db.session.remove()
    _run([program, "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), *args],
         env, "pg_dump")


def kind_of(path: Path) -> str:
    """``sqlite`` or ``postgresql``: what made the file, read from its first bytes."""
    with path.open("rb") as f:
        head = f.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither a SQLite database nor a pg_dump archive (custom format); "
                      "give a file written by `flask backup`.")


def restore(path: str | os.PathLike, *, force: bool = False) -> Summary:
    """Put the copy at ``path`` in place of the database's content; what it now holds."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file.")
    kind = kind_of(path)
    if kind != dialect():
        raise BackupError(f"{path} is a {kind} backup and this database is {dialect()}; "
                          f"restore it into a {kind} database.")
    if has_data() and not force:
        raise BackupError("the database already holds data; a restore would replace all of it. "
                          "Restore into an empty database, or add --force to replace it.")
    if kind == "sqlite":
        _sqlite_restore(path)
    else:
        _pg_restore(path)
    db.engine.dispose()  # no pooled connection keeps the old content's state
    return summary()


def _sqlite_restore(source: Path) -> None:
    copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        problem = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if problem != "ok":
            raise BackupError(f"{source} fails SQLite's integrity check ({problem}); nothing was restored.")
        db.session.remove()
        raw = db.engine.raw_connection()
        try:
            copy.backup(raw.driver_connection)
        finally:
            raw.close()
    finally:
        copy.close()


def _pg_restore(source: Path) -> None:
    program = _pg_program("pg_restore")
    args, env = _pg_connection()
    db.session.remove()
    db.engine.dispose()  # our own idle connections must not hold locks on what is dropped
    _run([program, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", *args, str(source)], env, "pg_restore")
