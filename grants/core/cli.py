"""Operator commands: ``flask tick``, ``flask audit verify``, ``flask demo seed``,
``flask backup`` and ``flask restore`` (and ``flask clock ...`` from :mod:`grants.core.clock_cli`)."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from grants.core import audit, clock
from grants.core.clock_cli import clock_cli
from grants.core.registry import TICK_JOBS
from grants.extensions import db

audit_cli = AppGroup("audit", help="Audit trail.")
demo_cli = AppGroup("demo", help="Demo data.")

DEMO_SEEDERS: list = []  # callables(app) -> None, in area order


class TickFailures(RuntimeError):
    def __init__(self, failures: dict[str, Exception]):
        super().__init__(", ".join(f"{name}: {exc!r}" for name, exc in failures.items()))
        self.failures = failures


def run_tick(*, raise_errors: bool = True) -> dict[str, int | Exception]:
    """Apply everything the clock makes due; each job commits on its own.

    One failing job does not hold up the others (a stuck challenge must not
    stop awards from being confirmed); its work is rolled back and it is
    reported, and tried again at the next tick.
    """
    results: dict[str, int | Exception] = {}
    failures: dict[str, Exception] = {}
    for job in TICK_JOBS:
        try:
            results[job.name] = job.run()
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            current_app.logger.exception("tick job %s failed", job.name)
            results[job.name] = failures[job.name] = exc
    if failures and raise_errors:
        raise TickFailures(failures)
    return results


def queued_tick() -> dict[str, str]:
    """``flask tick`` as a queued job (``flask tick --queue``): one at a time across
    every worker (a lock in Redis); a tick that finds another running skips."""
    from grants.core import jobs

    with jobs.exclusive("tick") as held:
        if not held:
            return {"skipped": "another tick is running"}
        return {name: str(outcome) for name, outcome in run_tick().items()}


@click.command("tick", help="Apply what the clock makes due (run from cron every minute).")
@click.option("--queue", "queued", is_flag=True,
              help="Put the tick on the job queue (JOB_QUEUE_URL) for `flask worker` instead of running it here.")
def tick_command(queued: bool):
    if queued:
        from grants.core import jobs

        if not jobs.queue_configured():
            raise click.ClickException("--queue needs JOB_QUEUE_URL (e.g. redis://127.0.0.1:6379/0); "
                                       "without it run `flask tick` itself.")
        job = jobs.enqueue(queued_tick, retries=0)
        click.echo(f"tick queued as job {job.id}")
        return
    results = run_tick(raise_errors=False)
    demo = " (demo clock, see `flask clock show`)" if clock.demo_offset() else ""
    click.echo(f"tick at {clock.now():%Y-%m-%d %H:%M:%S} UTC{demo}")
    for name, outcome in results.items():
        if isinstance(outcome, Exception):
            click.echo(f"  {name}: FAILED ({outcome!r})", err=True)
        else:
            click.echo(f"  {name}: {outcome}")
    if any(isinstance(outcome, Exception) for outcome in results.values()):
        sys.exit(1)


@audit_cli.command("verify", help="Check the audit trail: its hash chain, the signed checkpoint of its head "
                                   "(written by `flask tick`), and every object's state against its last event.")
def audit_verify():
    from grants.core.checkpoint import check_against_checkpoint

    broken = False
    report = audit.verify_chain()
    if report.ok:
        click.echo(f"audit chain intact: {report.checked} events checked")
    else:
        broken = True
        click.echo(f"audit chain BROKEN at event {report.broken_at}: {report.problem} "
                   f"({report.checked} events before it are intact)", err=True)
    problem, note = check_against_checkpoint()
    if problem:
        broken = True
        click.echo(f"audit checkpoint MISMATCH: {problem}", err=True)
    else:
        click.echo(f"audit checkpoint: {note or 'the chain still holds the signed head'}")
    mismatches = audit.reconcile_states()
    for mismatch in mismatches:
        click.echo(f"state MISMATCH: {mismatch}", err=True)
    if mismatches:
        broken = True
    else:
        click.echo("object states agree with their last recorded events")
    if broken:
        sys.exit(1)


@demo_cli.command("seed", help="Create demo accounts and data (only on an empty database).")
def demo_seed():
    from grants.core.demo import seed

    seed()


@demo_cli.command("generate", help="Fill the database with synthetic data for measuring "
                                   "(scale 1.0: 10,000 challenges, 200,000 bids, 1,000,000 audit events).")
@click.option("--scale", type=click.FloatRange(min=0.0001, max=10.0), default=0.1, show_default=True,
              help="Fraction of the full size.")
@click.option("--seed", type=int, default=15, show_default=True, help="Seed of the random choices.")
def demo_generate(scale: float, seed: int):
    import time

    from grants.core.generate import OFFICER_EMAIL, PASSWORD, generate

    start = time.perf_counter()
    counts = generate(scale, seed=seed)
    for table, n in counts.items():
        click.echo(f"  {table}: {n}")
    click.echo(f"generated at scale {scale} in {time.perf_counter() - start:.1f} s; "
               f"officer: {OFFICER_EMAIL} / {PASSWORD}")


@click.command("worker", help="Run the jobs of the queue at JOB_QUEUE_URL: certificate rendering, "
                               "e-mail, queued ticks (run one or more per deployment).")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool):
    from grants.core import jobs

    if not jobs.queue_configured():
        raise click.ClickException("JOB_QUEUE_URL is not set (e.g. redis://127.0.0.1:6379/0): without a queue "
                                   "the work runs inline and no worker is needed.")
    jobs.start_worker(current_app._get_current_object(), burst=burst)


def _said(summary) -> str:
    return (f"{summary.tables} tables, {summary.rows} rows, {summary.audit_events} audit events, "
            f"schema revision {summary.revision or 'none'}")


@click.command("backup", help="Write a consistent copy of the whole database to PATH (SQLite: its online "
                              "backup; PostgreSQL: pg_dump's custom format). See docs/backup.md.")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def backup_command(path: str, force: bool):
    from grants.core.backup import BackupError, backup

    try:
        summary = backup(path, force=force)
    except BackupError as exc:
        raise click.ClickException(f"backup refused: {exc}") from None
    click.echo(f"backup written to {path}: {_said(summary)}")


@click.command("restore", help="Replace the database's content with the copy at PATH written by `flask backup`; "
                               "refuses a database that holds data unless --force. See docs/backup.md.")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore_command(path: str, force: bool):
    from grants.core.backup import BackupError, restore

    try:
        summary = restore(path, force=force)
    except BackupError as exc:
        raise click.ClickException(f"restore refused: {exc}") from None
    click.echo(f"restored from {path}: {_said(summary)}")
    click.echo("next: `flask db upgrade` (when the code is newer than the copy), then `flask audit verify`; "
               "if the copy is older than the audit checkpoint file, verify reports the events it lacks "
               "(docs/backup.md).")


def register(app: Flask) -> None:
    app.cli.add_command(tick_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(audit_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(clock_cli)
