"""Import and export of list entries as CSV.

The format (see docs/integrity-import.md)::

    list,subject_type,code,name,reason,basis,authority,start_on,end_on

A file is read whole, every row is validated, and only then is anything
written, in one bulk insert: a file with a bad row adds nothing (unless the
caller asks to skip bad rows). Entries already present (same list, subject,
basis and start date) are counted and not added again, so re-importing a
file is harmless. One audit event records the batch, naming the file's
SHA-256 and the counts.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable, TextIO

import sqlalchemy as sa
from flask_babel import gettext as _
from psycopg.errors import UniqueViolation

from grants.core import audit, clock, exports
from grants.core.errors import DomainError, Refused, ValidationFailed
from grants.core.permissions import require
from grants.extensions import db
from grants.integrity.effects import BLACK_EFFECTS
from grants.integrity.models import IntegrityEntry, IntegrityImport, ListKind
from grants.integrity.services import apply_due_effects, validate_entry

COLUMNS = ("list", "subject_type", "code", "name", "reason", "basis", "authority", "start_on", "end_on")
MAX_ROWS = 200_000
MAX_FIELD_CHARS = 10_000  # no field of the format is longer (reason: 5,000)
INSERT_BATCH = 5_000
CODE_BATCH = 500
WHOLE_TABLE_ABOVE = 2_000  # codes in a file
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Progress = Callable[[int, str], object]  # (total, description) -> object with update(n), close()


class FileRefused(DomainError):
    """The file as a whole cannot be imported (encoding, header, size)."""

    status = 422
    code = "validation_failed"


@dataclass
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return _("line %(line)s: %(message)s", line=self.line, message=self.message)


@dataclass
class ImportReport:
    file_name: str
    sha256: str
    rows: int = 0
    added: int = 0
    already_present: int = 0
    skipped_invalid: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False
    batch: IntegrityImport | None = None

    def summary(self) -> str:
        return _("%(rows)s rows: %(added)s added, %(present)s already present, %(skipped)s invalid skipped.",
                 rows=self.rows, added=self.added, present=self.already_present, skipped=self.skipped_invalid)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) or GBK; anything else is refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("gbk")
        except UnicodeDecodeError:
            raise FileRefused(_("The file is neither UTF-8 nor GBK text. Save it as CSV (UTF-8) and try again.")) from None
    if "\x00" in text:
        raise FileRefused(_("The file is neither UTF-8 nor GBK text. Save it as CSV (UTF-8) and try again."))
    return text


def read_rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the data rows with their line numbers; file-level problems raise."""
    if not text.strip():
        raise FileRefused(_("The file is empty."))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    header = None
    try:
        for row in reader:
            if header is None:
                header = [c.strip().lower() for c in row]
                _check_header(header)
                continue
            if not "".join(row).strip():
                continue  # blank line
            rows.append((reader.line_num, [exports.unneutralised(cell) for cell in row]))
            if len(rows) > MAX_ROWS:
                raise FileRefused(_("The file has more than %(n)s rows. Split it into smaller files; "
                                    "nothing was imported.", n=format(MAX_ROWS, ",")))
    except csv.Error as exc:
        raise FileRefused(_("line %(line)s: the CSV cannot be read (%(problem)s); nothing was imported.",
                            line=reader.line_num, problem=str(exc))) from None
    if not rows:
        raise FileRefused(_("The file has a header but no entries."))
    return header, rows


def _check_header(header: list[str]) -> None:
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        raise FileRefused(_("The first line must name the columns %(expected)s; missing: %(missing)s; "
                            "unknown: %(unknown)s.", expected=",".join(COLUMNS),
                            missing=",".join(missing) or "—", unknown=",".join(unknown) or "—"))


def _parse_date(value: str, label: str, required: bool) -> date | None:
    value = value.strip()
    if not value:
        if required:
            raise ValidationFailed(_("%(field)s is required", field=label))
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("%(field)s “%(value)s” is not a date written YYYY-MM-DD",
                                 field=label, value=value[:20])) from None


def validate_row(header: list[str], row: list[str]) -> dict:
    if len(row) != len(header):
        raise ValidationFailed(_("has %(got)s fields, the header has %(want)s", got=len(row), want=len(header)))
    cells = dict(zip(header, row))
    for name, value in cells.items():
        if len(value) > MAX_FIELD_CHARS:
            raise ValidationFailed(_("column %(name)s is longer than %(n)s characters", name=name, n=MAX_FIELD_CHARS))
    return validate_entry(
        list_kind=cells["list"].strip().lower(), subject_type=cells["subject_type"].strip().lower(),
        code=cells["code"], name=cells["name"], reason=cells["reason"], basis=cells["basis"],
        authority=cells["authority"],
        start_on=_parse_date(cells["start_on"], "start_on", True),
        end_on=_parse_date(cells["end_on"], "end_on", False),
    )


def _identity(values: dict) -> tuple:
    return (values["list"].value, values["subject_type"].value, values["subject_code"], values["basis"],
            values["start_on"])


def _existing_identities(codes: Iterable[str]) -> set[tuple]:
    """Identities of the entries already stored for ``codes``.

    A large file is compared with the whole table in one streamed scan (the
    lists are a few hundred thousand entries at most); a small one is looked
    up by code. Many IN-list lookups against a table just filled by a bulk
    insert are slow on PostgreSQL, whose planner has no statistics for it yet.
    """
    codes = sorted(set(codes))
    table = IntegrityEntry.__table__
    identity = sa.select(table.c.list, table.c.subject_type, table.c.subject_code, table.c.basis,
                         table.c.start_on)
    if len(codes) > WHOLE_TABLE_ABOVE:
        wanted = set(codes)
        return {(str(r[0]), str(r[1]), r[2], r[3], r[4])
                for r in db.session.execute(identity.execution_options(yield_per=10_000))
                if r[2] in wanted}
    found = set()
    for i in range(0, len(codes), CODE_BATCH):
        for r in db.session.execute(identity.where(table.c.subject_code.in_(codes[i:i + CODE_BATCH]))):
            found.add((str(r[0]), str(r[1]), r[2], r[3], r[4]))
    return found


def _progress(progress: Progress | None, total: int, desc: str):
    class _Silent:
        def update(self, n):
            pass

        def close(self):
            pass

    return progress(total, desc) if progress else _Silent()


def import_entries(data: bytes, *, file_name: str, actor=None, skip_invalid: bool = False,
                   progress: Progress | None = None) -> ImportReport:
    """Validate a whole file, then add its new entries in bulk (flushes, never commits).

    Returns the report; ``report.written`` is False when bad rows stopped the
    import. File-level problems raise :class:`FileRefused`.
    """
    if actor is not None:  # None: the system (``flask integrity import``)
        require("integrity.add_entry", actor)
    report = ImportReport(file_name=file_name[:255], sha256=hashlib.sha256(data).hexdigest())
    header, rows = read_rows(decode(data))
    report.rows = len(rows)
    valid = _validate_rows(header, rows, report, progress)
    if report.errors and not skip_invalid:
        return report
    report.skipped_invalid = len(report.errors)

    now = clock.now()
    actor_id = getattr(actor, "id", None)
    new_rows = _new_rows(valid, report, {"created_by_id": actor_id, "created_at": now, "updated_at": now})
    batch = IntegrityImport(file_name=report.file_name, sha256=report.sha256, rows=report.rows,
                            added=report.added, already_present=report.already_present,
                            skipped_invalid=report.skipped_invalid, created_by_id=actor_id, created_at=now)
    db.session.add(batch)
    db.session.flush()
    black_in_force = _link_to_batch(new_rows, batch, now)
    _insert(new_rows, progress)
    applied = apply_due_effects(actor, import_id=batch.id) if black_in_force and BLACK_EFFECTS else 0
    audit.record(batch, "import", actor=actor, evidence={
        "file_name": report.file_name, "sha256": report.sha256, "rows": report.rows, "added": report.added,
        "already_present": report.already_present, "skipped_invalid": report.skipped_invalid,
        "black_in_force_added": black_in_force, "effects_applied": applied,
        "invalid_lines": [e.line for e in report.errors][:1000],
    })
    report.written = True
    report.batch = batch
    return report


def _validate_rows(header, rows, report: ImportReport, progress: Progress | None) -> list[tuple[int, dict]]:
    """The valid rows, cleaned, with their line numbers; each bad row goes into the report."""
    valid: list[tuple[int, dict]] = []
    bar = _progress(progress, len(rows), "validate")
    for line, row in rows:
        try:
            valid.append((line, validate_row(header, row)))
        except ValidationFailed as exc:
            report.errors.append(RowError(line, str(exc)))
        bar.update(1)
    bar.close()
    return valid


def _new_rows(valid: list[tuple[int, dict]], report: ImportReport, stamps: dict) -> list[dict]:
    """The rows not stored yet (nor repeated earlier in the file), counted in the report."""
    existing = _existing_identities(values["subject_code"] for _line, values in valid)
    new_rows = []
    for _line, values in valid:
        key = _identity(values)
        if key in existing:
            report.already_present += 1
            continue
        existing.add(key)
        new_rows.append({**values, **stamps})
    report.added = len(new_rows)
    return new_rows


def _link_to_batch(new_rows: list[dict], batch: IntegrityImport, now) -> int:
    """Point the rows at their batch; return how many are black entries in force today
    (their effects are applied after the insert, unless no effect is registered)."""
    today = clock.today()
    black_in_force = 0
    for r in new_rows:
        r["import_id"] = batch.id
        r["effects_applied_at"] = None
        if r["list"] == ListKind.black and r["start_on"] <= today and (r["end_on"] is None or r["end_on"] >= today):
            black_in_force += 1
            if not BLACK_EFFECTS:
                r["effects_applied_at"] = now  # nothing to apply
    return black_in_force


def _insert(new_rows: list[dict], progress: Progress | None) -> None:
    bar = _progress(progress, len(new_rows), "insert")
    try:
        with db.session.begin_nested():
            _bulk_insert(new_rows, bar)
    except (sa.exc.IntegrityError, UniqueViolation):
        raise Refused(_("Some of these entries were added by someone else at the same time. "
                        "Nothing was imported; import the file again.")) from None
    finally:
        bar.close()
    if len(new_rows) > 10_000 and db.session.get_bind().dialect.name == "postgresql":
        # Fresh statistics, so that the check's lookups use the index at once.
        db.session.execute(sa.text("ANALYZE integrity_entries"))


INSERT_COLUMNS = ("list", "subject_type", "subject_code", "subject_name", "reason", "basis", "authority",
                  "start_on", "end_on", "created_by_id", "created_at", "updated_at", "import_id",
                  "effects_applied_at")


def _bulk_insert(rows: list[dict], bar) -> None:
    """COPY on PostgreSQL (several times faster than INSERT); executemany elsewhere."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY integrity_entries ({', '.join(INSERT_COLUMNS)}) FROM STDIN") as copy:
            for i, r in enumerate(rows, 1):
                copy.write_row([r["list"].value, r["subject_type"].value] + [r[c] for c in INSERT_COLUMNS[2:]])
                if i % INSERT_BATCH == 0:
                    bar.update(INSERT_BATCH)
        bar.update(len(rows) % INSERT_BATCH)
        return
    table = IntegrityEntry.__table__
    for i in range(0, len(rows), INSERT_BATCH):
        chunk = rows[i:i + INSERT_BATCH]
        connection.execute(sa.insert(table), chunk)
        bar.update(len(chunk))


def export_entries(out: TextIO, *, include_revoked: bool = False) -> int:
    """Write entries in the import format; revoked ones only if asked. Returns the count."""
    table = IntegrityEntry.__table__
    query = sa.select(table.c.list, table.c.subject_type, table.c.subject_code, table.c.subject_name,
                      table.c.reason, table.c.basis, table.c.authority, table.c.start_on,
                      table.c.end_on).order_by(table.c.id)
    if not include_revoked:
        query = query.where(table.c.revoked_at.is_(None))
    rows = ([str(row.list), str(row.subject_type), row.subject_code, row.subject_name, row.reason,
             row.basis, row.authority, row.start_on, row.end_on]
            for row in db.session.execute(query.execution_options(yield_per=2000)))
    return exports.write_csv(out, COLUMNS, rows, lineterminator="\n")
