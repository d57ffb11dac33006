"""``flask integrity import FILE.csv`` and ``flask integrity export [FILE]``."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from grants.core.errors import DomainError
from grants.extensions import db

integrity_cli = AppGroup("integrity", help="Research-integrity red and black lists.")

SHOWN_ERRORS = 200


def _tqdm(total: int, desc: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="row", file=sys.stderr, disable=total < 1000, leave=False)


@integrity_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the good rows even if some rows are bad.")
def import_command(path: Path, skip_invalid: bool):
    """Import list entries from a CSV file (see docs/integrity-import.md)."""
    from grants.integrity.imports import import_entries

    try:
        report = import_entries(path.read_bytes(), file_name=path.name, skip_invalid=skip_invalid,
                                progress=_tqdm)
        if report.written:
            db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    for error in report.errors[:SHOWN_ERRORS]:
        click.echo(str(error), err=True)
    if len(report.errors) > SHOWN_ERRORS:
        click.echo(f"... and {len(report.errors) - SHOWN_ERRORS} more bad rows", err=True)
    if not report.written:
        click.echo(f"error: {len(report.errors)} bad rows; nothing was imported "
                   "(fix them, or use --skip-invalid to import the good rows)", err=True)
        sys.exit(1)
    click.echo(f"{report.rows} rows: {report.added} added, {report.already_present} already present, "
               f"{report.skipped_invalid} invalid skipped (sha256 {report.sha256})")


@integrity_cli.command("export")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--include-revoked", is_flag=True, help="Also write revoked entries.")
def export_command(path: Path | None, include_revoked: bool):
    """Write the entries as CSV (UTF-8) to FILE, or to standard output."""
    from grants.integrity.imports import export_entries

    if path is None:
        export_entries(sys.stdout, include_revoked=include_revoked)
        return
    with path.open("w", encoding="utf-8", newline="") as out:
        count = export_entries(out, include_revoked=include_revoked)
    click.echo(f"{count} entries written to {path}", err=True)


def register(app: Flask) -> None:
    app.cli.add_command(integrity_cli)
