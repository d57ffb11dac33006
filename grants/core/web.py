"""What every page handler does around its one service call."""
from __future__ import annotations

from typing import Any, Callable

from flask import flash
from flask_babel import gettext as _

from grants.core.errors import DomainError, ValidationFailed
from grants.extensions import db


def apply_errors(form, exc: ValidationFailed, mapping: dict | None = None) -> None:
    """Put a service's field messages on the form's fields (``mapping``: service
    field name -> form field name); what has no field is flashed."""
    placed = False
    for name, message in exc.details.items():
        field = getattr(form, (mapping or {}).get(name, name), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [message]
            placed = True
    if not placed:
        flash(str(exc), "danger")


class Outcome:
    """The result of :func:`perform`: true when it was done; ``value`` is what the call returned,
    ``error`` the refusal when it was not."""

    def __init__(self, ok: bool, value: Any = None, error: DomainError | None = None):
        self.ok, self.value, self.error = ok, value, error

    def __bool__(self) -> bool:
        return self.ok


def perform(action: Callable[[], Any], success=None, *, form=None, mapping: dict | None = None) -> Outcome:
    """Run one service call and commit the request's work.

    A refusal rolls everything back and tells the user why: field messages
    go onto ``form`` when one is given, anything else is flashed. Nothing is
    half-saved either way.
    """
    try:
        value = action()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        if form is not None and isinstance(exc, ValidationFailed):
            apply_errors(form, exc, mapping)
        else:
            flash(str(exc), "danger")
        return Outcome(False, error=exc)
    if success is not None:
        flash(success, "success")
    return Outcome(True, value)


def upload_attachment(add: Callable[..., Any]) -> Outcome:
    """The POST of an attachment form: ``add(stream=, filename=)`` stores the PDF, in one
    commit; a missing file or a refusal is flashed."""
    from grants.core.forms import AttachmentForm

    form = AttachmentForm()
    if not form.validate_on_submit():
        flash(_("Choose a PDF file to upload."), "danger")
        return Outcome(False)
    upload = form.file.data
    return perform(lambda: add(stream=upload.stream, filename=upload.filename), _("Attachment uploaded."))
