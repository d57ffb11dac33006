"""The one integrity check every workflow guard calls.

Given the subjects involved in an action (organisations by credit code,
persons by resident ID number) and a day, it returns the black and red
entries in force, in one query however long the lists are. Subjects match
by code, never by name.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable

import sqlalchemy as sa
from flask_babel import gettext as _

from grants.core import clock
from grants.extensions import db
from grants.integrity.models import IntegrityEntry, ListKind, SubjectType, in_force_clause


@dataclass(frozen=True)
class Subject:
    type: SubjectType
    code: str
    name: str
    role: str = ""  # e.g. "owner", "lead", "member", "partner", "reviewer"


def org_subject(org, role: str = "organization") -> Subject:
    return Subject(SubjectType.organization, org.credit_code, org.name, role)


def person_subject(person, role: str = "person") -> Subject:
    return Subject(SubjectType.person, person.id_number, person.name, role)


@dataclass
class Finding:
    subject: Subject
    entry: IntegrityEntry


@dataclass
class CheckResult:
    on: date
    subjects: list[Subject]
    black: list[Finding] = field(default_factory=list)
    red: list[Finding] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return bool(self.black)

    def message(self, action) -> str | None:
        """The refusal in words, naming subject, list, basis and end date."""
        if not self.black:
            return None
        parts = []
        for finding in self.black:
            entry = finding.entry
            until = (_("until %(day)s", day=entry.end_on.isoformat()) if entry.end_on
                     else _("indefinitely"))
            kind = _("Organisation") if finding.subject.type == SubjectType.organization else _("Person")
            parts.append(_("%(kind)s %(name)s is on the research-integrity black list "
                           "(basis %(basis)s, %(until)s)",
                           kind=kind, name=finding.subject.name, basis=entry.basis, until=until))
        return _("%(findings)s, and may not %(action)s.", findings="; ".join(parts), action=action)

    def evidence(self) -> dict[str, Any]:
        """What was checked and found, for the audit event."""
        def found(f: Finding) -> dict:
            return {"entry_id": f.entry.id, "list": f.entry.list.value, "code": f.entry.subject_code,
                    "role": f.subject.role, "basis": f.entry.basis,
                    "end_on": f.entry.end_on.isoformat() if f.entry.end_on else None}

        return {
            "checked_on": self.on.isoformat(),
            "subjects": [{"type": s.type.value, "code": s.code, "name": s.name, "role": s.role}
                         for s in self.subjects],
            "black": [found(f) for f in self.black],
            "red": [found(f) for f in self.red],
        }


def check(subjects: Iterable[Subject], on: date | None = None) -> CheckResult:
    subjects = list(dict.fromkeys(subjects))
    on = on or clock.today()
    result = CheckResult(on, subjects)
    keys = {(s.type, s.code) for s in subjects}
    if not keys:
        return result
    entries = db.session.scalars(
        sa.select(IntegrityEntry)
        .where(IntegrityEntry.subject_code.in_({code for _t, code in keys}), in_force_clause(on))
        .order_by(IntegrityEntry.start_on, IntegrityEntry.id)
    ).all()
    for entry in entries:
        for subject in subjects:
            if subject.type == entry.subject_type and subject.code == entry.subject_code:
                target = result.black if entry.list == ListKind.black else result.red
                target.append(Finding(subject, entry))
    return result


def integrity_guard(subjects_of: Callable[[Any], Iterable[Subject]], action) -> Callable:
    """A workflow guard refusing when a subject of the object is black-listed.

    ``subjects_of(attempt)`` names the subjects; ``action`` is the lazy verb
    phrase used in the refusal ("submit a bid"). The check's findings go into
    the audit event as evidence, whether it passes or not.
    """

    def guard(attempt):
        result = check(subjects_of(attempt), on=clock.to_local(attempt.now).date())
        attempt.evidence["integrity"] = result.evidence()
        return result.message(action)

    guard.__name__ = f"integrity_guard_{getattr(subjects_of, '__name__', 'subjects')}"
    return guard


def red_codes(codes: Iterable[str], on: date | None = None) -> set[str]:
    """Which of ``codes`` carry a red-list trust mark in force (one query)."""
    codes = {c for c in codes if c}
    if not codes:
        return set()
    on = on or clock.today()
    return set(db.session.scalars(
        sa.select(IntegrityEntry.subject_code).where(
            IntegrityEntry.subject_code.in_(codes), IntegrityEntry.list == ListKind.red,
            in_force_clause(on))
    ).all())


def listed_clause(on: date, *, organization_code=None, person_code=None, list_kind: ListKind = ListKind.black):
    """The SQL form of :func:`check` for a list of rows: EXISTS an entry of ``list_kind`` in
    force on ``on`` naming the organisation whose credit code is ``organization_code`` or the
    person whose ID number is ``person_code`` (columns or scalar subqueries of the enclosing
    query), so that a list answers it for every row within its own query."""
    named = []
    if organization_code is not None:
        named.append(sa.and_(IntegrityEntry.subject_type == SubjectType.organization,
                             IntegrityEntry.subject_code == organization_code))
    if person_code is not None:
        named.append(sa.and_(IntegrityEntry.subject_type == SubjectType.person,
                             IntegrityEntry.subject_code == person_code))
    if not named:
        return sa.false()
    return sa.exists().where(IntegrityEntry.list == list_kind, in_force_clause(on), sa.or_(*named))
