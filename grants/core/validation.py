"""Field checks shared by the services of every area: field errors, whole numbers, saving an edit."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from typing import Any, Callable

from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from grants.core.errors import ChangedUnderYou, ValidationFailed
from grants.extensions import db


class Errors:
    def __init__(self):
        self.details: dict = {}

    def add(self, field: str, message) -> None:
        self.details.setdefault(field, str(message))

    def raise_if_any(self) -> None:
        if self.details:
            raise ValidationFailed(" ".join(self.details.values()), details=dict(self.details))


# A field spec cleans one field of a form or request: ``clean(errors, data, key, now)``
# returns the cleaned value and adds what is wrong to ``errors``. A service lists its
# fields as a table of specs, in the order their messages are shown.
FieldSpec = Callable[[Errors, dict, str, datetime], Any]


def clean_fields(specs: dict[str, FieldSpec], data: dict, errors: Errors, now: datetime) -> dict:
    """The cleaned value of every field ``data`` names (a partial edit changes only those)."""
    return {key: clean(errors, data, key, now) for key, clean in specs.items() if key in data}


def whole(label, **limits) -> FieldSpec:
    """Spec: a whole number within ``limits`` (see :func:`whole_number`)."""
    return lambda errors, data, key, now: whole_number(errors, data, key, label, **limits)


def optional_text(errors, data, key, now):
    """Spec: stripped text; empty is None."""
    return (data.get(key) or "").strip() or None


def flag(errors, data, key, now) -> bool:
    """Spec: a yes/no box."""
    return bool(data.get(key))


def whole_number(errors, data, key, label, *, low=None, high=None, required=False):
    value = data.get(key)
    if value in (None, ""):
        if required:
            errors.add(key, _("%(field)s is required.", field=label))
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except ValueError:
            errors.add(key, _("%(field)s must be a whole number.", field=label))
            return None
    if low is not None and value < low or high is not None and value > high:
        if high is None:
            errors.add(key, _("%(field)s must be at least %(low)s.", field=label, low=low))
        else:
            errors.add(key, _("%(field)s must be between %(low)s and %(high)s.", field=label, low=low, high=high))
        return None
    return value


@contextmanager
def saving_edit():
    """Apply and flush an edit; losing a race with another edit of the same version
    (an UPDATE or DELETE that finds no row at its version) is ChangedUnderYou."""
    try:
        yield
        db.session.flush()
    except StaleDataError:
        raise ChangedUnderYou() from None
