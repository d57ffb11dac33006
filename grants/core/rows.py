"""Structured editors: a form's child rows (indicators, members, milestones...) as rows of
labelled fields, with add / remove / reorder.

The editor works without a script: the page shows the rows plus a few blank ones, blank rows
are ignored, and the buttons beside each row (and "add rows" below) are submit buttons named
``rows_action`` that change the rows server-side and show the form again without saving.
``static/js/rows.js`` does the same in place when scripts run. The services validate the rows
as they always did: a form only turns its rows into the plain lists of dicts they take.
"""
from __future__ import annotations

from flask import request
from wtforms import BooleanField, Field, FieldList, Form, FormField

ACTION = "rows_action"
BLANK_ROWS = 2   # blank rows under the filled ones, to type new rows into
ADDED_ROWS = 3   # rows the "add rows" button adds


class RowForm(Form):
    """One row. ``is_blank`` ignores yes/no boxes: a row with only a ticked box is blank."""

    def is_blank(self) -> bool:
        return not any((f.data or "").strip() for f in self if not isinstance(f, BooleanField))

    def values(self) -> dict:
        return {f.short_name: f.data if isinstance(f, BooleanField) else (f.data or "").strip() for f in self}


class Rows(FieldList):
    """A list of :class:`RowForm` rows, edited as a table (see the ``rows`` macro)."""

    def __init__(self, row_form: type[RowForm], label=None, *, description="", **kwargs):
        kwargs.setdefault("min_entries", BLANK_ROWS)
        super().__init__(FormField(row_form), label, description=description, **kwargs)

    def fill(self, rows: list[dict]) -> None:
        """Show ``rows`` (the saved ones), then blank rows to add to them."""
        self.entries, self.last_index = [], -1
        for row in rows:
            self.append_entry(row)
        for _ in range(BLANK_ROWS):
            self.append_entry()

    def rows(self) -> list[dict]:
        """The rows typed in, in order, blank ones left out: what the service takes."""
        return [entry.form.values() for entry in self.entries if not entry.form.is_blank()]

    def string_errors(self) -> list[str]:
        """Messages about the rows as a whole (the service's), not those of one cell."""
        return [e for e in self.errors if isinstance(e, str)]

    def change(self, verb: str, index: int | None) -> None:
        rows = [entry.form.values() for entry in self.entries]
        if verb == "add":
            rows += [{}] * ADDED_ROWS
        elif index is not None and 0 <= index < len(rows):
            if verb == "remove":
                del rows[index]
            elif verb == "up" and index > 0:
                rows[index - 1], rows[index] = rows[index], rows[index - 1]
            elif verb == "down" and index < len(rows) - 1:
                rows[index + 1], rows[index] = rows[index], rows[index + 1]
        self.entries, self.last_index = [], -1
        for row in rows or [{}]:
            self.append_entry(row or None)


def rows_changed(form) -> bool:
    """True when the posted form asked to add, remove or move a row (done here, on ``form``):
    the page shows the form again and saves nothing."""
    if request.method != "POST" or not request.form.get(ACTION):
        return False
    name, _, rest = request.form[ACTION].partition(":")
    verb, _, index = rest.partition(":")
    field: Field | None = getattr(form, name, None)
    if isinstance(field, Rows):
        field.change(verb, int(index) if index.isdigit() else None)
    return True

