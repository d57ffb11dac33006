"""CSV and XLSX files for spreadsheet programs: every export goes through here.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (and tab or carriage return can hide such a start), so text from
users (a challenge's title, an organisation's name, a reason on the integrity
list) could run as a formula on an officer's machine ("CSV injection"). Each
cell is written through :func:`safe_cell`: such text gets a leading
apostrophe, which spreadsheets show as text; numbers stay numbers. In XLSX,
text cells are also stored with the string type, so nothing becomes a
formula whatever it starts with. :func:`unneutralised` reverses the
apostrophe for files read back in (the integrity list's import).
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
BOM = "\ufeff"  # spreadsheet programs read a CSV as UTF-8 only with it


def safe_cell(value: Any) -> Any:
    """``value`` for a cell: text that a spreadsheet would run is prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def unneutralised(text: str) -> str:
    """A cell read back from one of our files: without the apostrophe :func:`safe_cell` added."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def write_csv(out: TextIO, header: Iterable | None, rows: Iterable[Iterable], **writer_options) -> int:
    """Write ``header`` and ``rows`` as CSV to ``out``, each cell made safe; returns the row count."""
    writer = csv.writer(out, **writer_options)
    if header is not None:
        writer.writerow([safe_cell(v) for v in header])
    count = 0
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
        count += 1
    return count


def csv_bytes(header: Iterable | None, rows: Iterable[Iterable]) -> bytes:
    """A whole CSV file (UTF-8 with BOM)."""
    buffer = io.StringIO()
    buffer.write(BOM)
    write_csv(buffer, header, rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(sheet_title: str, rows: Iterable[Iterable], *, header: Iterable | None = None) -> bytes:
    """A one-sheet workbook: numbers as numbers, everything else as string cells."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING

    book = Workbook()
    sheet = book.active
    sheet.title = str(sheet_title)[:31] or "Sheet1"
    all_rows = ([header] if header is not None else []) + [list(r) for r in rows]
    for r, row in enumerate(all_rows, start=1):
        for c, value in enumerate(row, start=1):
            value = safe_cell(value)
            if isinstance(value, Decimal):
                value = float(value)
            cell = sheet.cell(row=r, column=c)
            cell.value = value
            if isinstance(value, str):
                cell.value = value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters
                cell.data_type = TYPE_STRING  # never a formula, whatever openpyxl guessed
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
