"""Field checks shared by the services of every area: field errors, whole numbers, saving an edit."""
from __future__ import annotations

from contextlib import contextmanager

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
