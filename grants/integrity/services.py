"""Operations on list entries, shared by the pages, the import, the CLI and the API."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants.core import audit, clock
from grants.core.codes import credit_code_error, id_number_error, normalize_code
from grants.core.errors import Refused, ValidationFailed
from grants.extensions import db
from grants.integrity.effects import apply_black_effects
from grants.integrity.models import IntegrityEntry, ListKind, SubjectType


def _fail(field: str, label, problem) -> None:
    message = _("%(field)s %(problem)s", field=label, problem=problem)
    raise ValidationFailed(message, details={field: message})


def validate_entry(*, list_kind, subject_type, code, name, reason, basis, authority,
                   start_on, end_on) -> dict:
    """Check every field; return the cleaned values or raise ValidationFailed."""
    try:
        list_kind = ListKind(list_kind)
    except ValueError:
        _fail("list", _l("List"), _l("must be “black” or “red”"))
    try:
        subject_type = SubjectType(subject_type)
    except ValueError:
        _fail("subject_type", _l("Subject type"), _l("must be “person” or “organization”"))
    code = normalize_code(code)
    if subject_type == SubjectType.organization:
        problem = credit_code_error(code)
        if problem:
            _fail("code", _l("Unified social credit code"), problem)
    else:
        problem = id_number_error(code)
        if problem:
            _fail("code", _l("Resident ID number"), problem)
    cleaned = {}
    for field, label, value, limit in (
        ("name", _l("Name"), name, 200),
        ("reason", _l("Reason"), reason, 5000),
        ("basis", _l("Basis (document number)"), basis, 200),
        ("authority", _l("Issuing authority"), authority, 200),
    ):
        value = (value or "").strip()
        if not value:
            _fail(field, label, _l("is required"))
        if len(value) > limit:
            _fail(field, label, _l("is longer than %(n)s characters", n=limit))
        cleaned[field] = value
    if not isinstance(start_on, date):
        _fail("start_on", _l("Start date"), _l("is required"))
    if end_on is not None and end_on < start_on:
        _fail("end_on", _l("End date"), _l("is before the start date"))
    return dict(list=list_kind, subject_type=subject_type, subject_code=code,
                subject_name=cleaned["name"], reason=cleaned["reason"], basis=cleaned["basis"],
                authority=cleaned["authority"], start_on=start_on, end_on=end_on)


def find_same(values: dict) -> IntegrityEntry | None:
    return db.session.scalar(sa.select(IntegrityEntry).where(
        IntegrityEntry.list == values["list"], IntegrityEntry.subject_type == values["subject_type"],
        IntegrityEntry.subject_code == values["subject_code"], IntegrityEntry.basis == values["basis"],
        IntegrityEntry.start_on == values["start_on"]))


def add_entry(*, actor, list_kind, subject_type, code, name, reason, basis, authority,
              start_on: date, end_on: date | None = None, source: str = "form") -> IntegrityEntry:
    values = validate_entry(list_kind=list_kind, subject_type=subject_type, code=code, name=name,
                            reason=reason, basis=basis, authority=authority,
                            start_on=start_on, end_on=end_on)
    if find_same(values):
        raise ValidationFailed(_("This entry (same list, subject, basis and start date) already exists."))
    entry = IntegrityEntry(**values, created_by_id=getattr(actor, "id", None))
    db.session.add(entry)
    db.session.flush()
    audit.record(entry, "add", actor=actor, to_state=entry.status(clock.today()).value,
                 evidence={"source": source, "list": entry.list.value, "code": entry.subject_code,
                           "basis": entry.basis})
    apply_if_due(entry, actor)
    return entry


def apply_if_due(entry: IntegrityEntry, actor=None) -> dict[str, int] | None:
    """Apply a black entry's effects on live work once it is in force."""
    if entry.list != ListKind.black or entry.effects_applied_at is not None:
        return None
    if not entry.in_force(clock.today()):
        return None
    entry.effects_applied_at = clock.now()
    touched = apply_black_effects(entry, actor)
    audit.record(entry, "apply_effects", actor=actor, evidence={"touched": touched})
    return touched


def revoke_entry(entry: IntegrityEntry, *, actor, reason: str) -> IntegrityEntry:
    reason = (reason or "").strip()
    if not reason:
        _fail("reason", _l("Reason for revocation"), _l("is required"))
    if entry.revoked_at is not None:
        raise Refused(_("This entry was already revoked on %(day)s.",
                        day=clock.to_local(entry.revoked_at).date().isoformat()))
    previous = entry.status(clock.today()).value
    entry.revoked_at = clock.now()
    entry.revoked_by_id = getattr(actor, "id", None)
    entry.revocation_reason = reason
    db.session.flush()
    audit.record(entry, "revoke", actor=actor, from_state=previous, to_state="revoked", comment=reason)
    return entry
