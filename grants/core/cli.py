"""Operator commands: ``flask tick``, ``flask audit verify``, ``flask demo seed``."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from grants.core import audit, clock
from grants.core.registry import TICK_JOBS
from grants.extensions import db

audit_cli = AppGroup("audit", help="Audit trail.")
demo_cli = AppGroup("demo", help="Demo data.")

DEMO_SEEDERS: list = []  # callables(app) -> None, in area order


def run_tick() -> dict[str, int]:
    """Apply everything the clock makes due; each job commits on its own."""
    results: dict[str, int] = {}
    for job in TICK_JOBS:
        try:
            results[job.name] = job.run()
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return results


@click.command("tick", help="Apply what the clock makes due (run from cron every minute).")
def tick_command():
    results = run_tick()
    click.echo(f"tick at {clock.now():%Y-%m-%d %H:%M:%S} UTC")
    for name, count in results.items():
        click.echo(f"  {name}: {count}")


@audit_cli.command("verify", help="Check the hash chain of the audit trail.")
def audit_verify():
    report = audit.verify_chain()
    if report.ok:
        click.echo(f"audit chain intact: {report.checked} events checked")
        return
    click.echo(f"audit chain BROKEN at event {report.broken_at}: {report.problem} "
               f"({report.checked} events before it are intact)", err=True)
    sys.exit(1)


@demo_cli.command("seed", help="Create demo accounts and data (only on an empty database).")
def demo_seed():
    from grants.core.demo import seed

    seed()


def register(app: Flask) -> None:
    app.cli.add_command(tick_command)
    app.cli.add_command(audit_cli)
    app.cli.add_command(demo_cli)
