"""Operations on list entries, shared by the pages, the import, the CLI and the API."""
from __future__ import annotations

import hashlib
import uuid
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import joinedload
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants.core import attachments, audit, clock
from grants.core.codes import credit_code_error, id_number_error, normalize_code
from grants.core import files as stored_files
from grants.core.errors import DomainError, Forbidden, Refused, ValidationFailed
from grants.core.permissions import Role
from grants.core.permissions import reason as refusal_of, require
from grants.extensions import db
from grants.auth.models import Organization, Person
from grants.auth.services import active_users
from grants.core.search import contains
from grants.notifications.services import link_for, notify, settle
from grants.core.registry import tick_job
from grants.core.workflow import fire
from grants.integrity.effects import BLACK_EFFECTS, apply_black_effects, effects_that_may_hit
from grants.integrity.permissions import can_see_entry as _see_entry_refusal
from grants.integrity.permissions import is_subject_of, subject_keys_of  # noqa: F401  (the pages and API use them)
from grants.integrity.models import (EntryStatus, IntegrityEntry, IntegrityObjection, ListKind, ObjectionFile,
                                     ObjectionState, SubjectType, WORDS, in_force_clause, search_pieces,
                                     status_clause)


def _fail(field: str, label, problem) -> None:
    message = _("%(field)s %(problem)s", field=label, problem=problem)
    raise ValidationFailed(message, details={field: message})


def _member(enum_cls, value):
    """``value`` as a member of ``enum_cls``, or None when it is not one (a filter left out)."""
    return enum_cls(value) if value in enum_cls.__members__.values() else None


def search_entries(*, q: str = "", code: str | None = None, list_kind: str | None = None,
                   subject_type: str | None = None, status: str | None = None,
                   expiring_within_days: int | None = None, on: date | None = None):
    """The lists' query, newest first (the officers' page and the API): ``q`` is the start of
    a code (or all of it), or part of the name or basis (see :func:`text_clause`); an exact code; the list; the kind of subject; the status on ``on``
    (today by default); in force and ending within so many days. A filter whose value
    is not one of its choices is left out."""
    on = on or clock.today()
    query = sa.select(IntegrityEntry).order_by(IntegrityEntry.id.desc())
    q = (q or "").strip()
    if q:
        query = query.where(text_clause(q))
    if code:
        query = query.where(IntegrityEntry.subject_code == normalize_code(code))
    list_kind, subject_type, status = (_member(ListKind, list_kind), _member(SubjectType, subject_type),
                                       _member(EntryStatus, status))
    if list_kind:
        query = query.where(IntegrityEntry.list == list_kind)
    if subject_type:
        query = query.where(IntegrityEntry.subject_type == subject_type)
    if status:
        query = query.where(status_clause(status, on))
    if expiring_within_days is not None:
        query = query.where(in_force_clause(on), IntegrityEntry.end_on <= on + timedelta(days=expiring_within_days))
    return query


def pieces(q: str) -> list[str]:
    """What the words index is asked for: the term's two-character pieces, or its
    characters when it has none (one character, or words of one character)."""
    found = search_pieces(q)
    pairs = [p for p in found if len(p) == 2]
    return pairs or found


def text_clause(q: str):
    """An entry whose code starts with ``q`` (an index range scan), or whose name or basis
    contains it. On PostgreSQL the containment is first narrowed by the GIN index of one-
    and two-character pieces (``ix_integrity_entries_words``, over ``search_words``), which serves the one- and
    two-character Chinese names that trigram indexes cannot; ILIKE then checks the rows
    found. A code is matched from its start, never in its middle."""
    by_code = IntegrityEntry.subject_code.startswith(normalize_code(q), autoescape=True)
    by_words = sa.or_(IntegrityEntry.subject_name.icontains(q, autoescape=True),
                      IntegrityEntry.basis.icontains(q, autoescape=True))
    if db.session.get_bind().dialect.name == "postgresql":
        wanted = sa.cast(sa.literal(pieces(q), ARRAY(sa.Text)), ARRAY(sa.Text))
        by_words = sa.and_(WORDS.op("@>")(wanted), by_words)
    return sa.or_(by_code, by_words)


TEXT_FIELDS = (  # name, label, longest allowed
    ("name", _l("Name"), 200),
    ("reason", _l("Reason"), 5000),
    ("basis", _l("Basis (document number)"), 200),
    ("authority", _l("Issuing authority"), 200),
)


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
    for (field, label, limit), value in zip(TEXT_FIELDS, (name, reason, basis, authority)):
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
    if actor is not None:  # None: the system (a command, the demo seed)
        require("integrity.add_entry", actor)
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
    """Apply a black entry's effects on live work once it is in force.

    Runs once per entry. The entry's own audit event is written only when
    some live work was touched (each effect also records events on what it
    touched), so that importing a long list that hits nothing stays cheap.
    """
    if entry.list != ListKind.black or entry.effects_applied_at is not None:
        return None
    if not entry.in_force(clock.today()):
        return None
    entry.effects_applied_at = clock.now()
    touched = apply_black_effects(entry, actor)
    if any(touched.values()):
        audit.record(entry, "apply_effects", actor=actor, evidence={"touched": touched})
    else:
        db.session.flush()
    return touched


def due_for_effects_query(on: date):
    """Black entries in force whose effects on live work were not applied yet."""
    return (sa.select(IntegrityEntry)
            .where(IntegrityEntry.list == ListKind.black, IntegrityEntry.effects_applied_at.is_(None),
                   in_force_clause(on))
            .order_by(IntegrityEntry.id))


EFFECTS_BATCH = 500


def apply_due_effects(actor=None, *, import_id: int | None = None) -> int:
    """Apply the effects of every black entry that has come into force; count them."""
    query = due_for_effects_query(clock.today())
    if import_id is not None:
        query = query.where(IntegrityEntry.import_id == import_id)
    now = clock.now()
    if not BLACK_EFFECTS:
        # Nothing to run: mark them all applied in one statement.
        count = db.session.execute(
            sa.update(IntegrityEntry).where(query.whereclause)
            .values(effects_applied_at=now).execution_options(synchronize_session=False)
        ).rowcount
        _expire_loaded_entries()
        return count
    due = db.session.execute(sa.select(IntegrityEntry.id, IntegrityEntry.subject_type, IntegrityEntry.subject_code)
                             .where(query.whereclause).order_by(IntegrityEntry.id)).all()
    for i in range(0, len(due), EFFECTS_BATCH):
        batch = due[i:i + EFFECTS_BATCH]
        wanted = effects_that_may_hit(batch)
        hit = [row.id for row in batch if wanted[row.id]]
        if hit:
            # Only entries that may hit live work are loaded, and let go
            # afterwards: a session holding tens of thousands of objects
            # makes every flush slow.
            known = set(db.session.identity_map.keys())
            entries = db.session.scalars(sa.select(IntegrityEntry).where(IntegrityEntry.id.in_(hit))).all()
            for entry in entries:
                touched = apply_black_effects(entry, actor, only=wanted[entry.id])
                if any(touched.values()):
                    audit.record(entry, "apply_effects", actor=actor, evidence={"touched": touched})
            db.session.flush()
            for entry in entries:
                if sa.inspect(entry).key not in known:
                    db.session.expunge(entry)
        db.session.execute(sa.update(IntegrityEntry).where(IntegrityEntry.id.in_([row.id for row in batch]))
                           .values(effects_applied_at=now).execution_options(synchronize_session=False))
    _expire_loaded_entries()
    return len(due)


def _expire_loaded_entries() -> None:
    """Entries already in the session reload what the bulk update changed."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, IntegrityEntry):
            db.session.expire(obj, ["effects_applied_at"])


@tick_job("integrity_effects")
def integrity_effects_job() -> int:
    """Black entries whose start date has been reached hit live work now."""
    return apply_due_effects(None)


def revoke_entry(entry: IntegrityEntry, *, actor, reason: str) -> IntegrityEntry:
    if actor is not None:  # None: the system
        require("integrity.revoke_entry", actor, entry)
    reason = (reason or "").strip()
    if not reason:
        _fail("reason", _l("Reason for revocation"), _l("is required"))
    if entry.revoked_at is not None:
        raise Refused(_("This entry was already revoked on %(day)s.",
                        day=clock.to_local(entry.revoked_at).date().isoformat()))
    previous = entry.status(clock.today()).value
    actor_id = getattr(actor, "id", None)  # may load the actor: before the entry is half-changed
    entry.revoked_at, entry.revoked_by_id, entry.revocation_reason = clock.now(), actor_id, reason
    db.session.flush()
    audit.record(entry, "revoke", actor=actor, from_state=previous, to_state="revoked", comment=reason)
    return entry


# objections -----------------------------------------------------------------

MAX_ATTACHMENT_BYTES = attachments.MAX_BYTES  # the one limit for every uploaded PDF


def count_open_objections() -> int:
    """Objections to integrity entries still waiting for the bureau's answer."""
    return db.session.scalar(sa.select(sa.func.count(IntegrityObjection.id))
                             .where(IntegrityObjection.state == ObjectionState.open))
def can_see_entry(user, entry: IntegrityEntry) -> bool:
    """``integrity.see_entry`` as a yes or no (the loaders answer 404 otherwise)."""
    return _see_entry_refusal(user, entry) is None


def can_see_objection(user, objection: IntegrityObjection) -> bool:
    """Who sees an entry sees the objections to it (``integrity.see_objection``)."""
    return can_see_entry(user, objection.entry)


def _subject_clause(user):
    keys = subject_keys_of(user)
    if not keys:
        return None
    return sa.or_(*[sa.and_(IntegrityEntry.subject_type == t, IntegrityEntry.subject_code == c) for t, c in keys])


def subject_record(user) -> tuple[list[IntegrityEntry], list[IntegrityObjection]]:
    """The entries about ``user`` (or their organisation), newest first, and the objections to them."""
    match = _subject_clause(user)
    if match is None:
        return [], []
    entries = db.session.scalars(sa.select(IntegrityEntry).where(match)
                                 .order_by(IntegrityEntry.start_on.desc(), IntegrityEntry.id.desc())).all()
    objections = db.session.scalars(sa.select(IntegrityObjection).join(IntegrityEntry).where(match)
                                    .order_by(IntegrityObjection.id.desc())).all()
    return entries, objections


def objections_query(state: str | None = None):
    """Objections for the bureau, newest first, optionally in one state."""
    query = (sa.select(IntegrityObjection)
             .options(joinedload(IntegrityObjection.entry), joinedload(IntegrityObjection.filed_by))
             .order_by(IntegrityObjection.id.desc()))
    if state in ObjectionState.__members__:
        query = query.where(IntegrityObjection.state == ObjectionState(state))
    return query


def objections_to(entry: IntegrityEntry) -> list[IntegrityObjection]:
    return db.session.scalars(sa.select(IntegrityObjection).where(IntegrityObjection.entry_id == entry.id)
                              .order_by(IntegrityObjection.id)).all()


def objection_refusal(user, entry: IntegrityEntry) -> DomainError | None:
    """Why ``user`` may not object to ``entry`` now (the error to raise), or None."""
    forbidden = refusal_of("integrity.object", entry, user)
    if forbidden is not None:
        return Forbidden(forbidden)
    if entry.revoked_at is not None:
        return Refused(_("This entry has been revoked; there is nothing to object to."))
    pending = db.session.scalar(sa.select(IntegrityObjection.id).where(
        IntegrityObjection.entry_id == entry.id, IntegrityObjection.state == ObjectionState.open))
    if pending:
        return Refused(_("An objection to this entry is already open; wait for the answer."))
    return None


def file_objection(entry: IntegrityEntry, *, actor, reasons: str, files=()) -> IntegrityObjection:
    """The subject of ``entry`` contests it; ``files`` are (filename, stream) pairs of PDFs."""
    refusal = objection_refusal(actor, entry)
    if refusal is not None:
        raise refusal
    reasons = (reasons or "").strip()
    if not reasons:
        _fail("reasons", _l("Reasons"), _l("is required"))
    if len(reasons) > 10000:
        _fail("reasons", _l("Reasons"), _l("is longer than %(n)s characters", n=10000))
    files = list(files)
    attachments.refuse_too_many(0, len(files), field="files")
    contents = []
    for filename, stream in files:
        data = stream.read(MAX_ATTACHMENT_BYTES + 1)
        name = attachments.clean_name(filename)
        if len(data) > MAX_ATTACHMENT_BYTES:
            _fail("files", _l("Attachment %(name)s", name=name), _l("is larger than 20 MB"))
        if attachments.pdf_problem(data, name) is not None:
            _fail("files", _l("Attachment %(name)s", name=name), _l("is not a PDF file"))
        contents.append((name, data))
    objection = IntegrityObjection(entry=entry, reasons=reasons, filed_by_id=actor.id,
                                   state=ObjectionState.open)
    db.session.add(objection)
    for name, data in contents:
        stored = f"{uuid.uuid4().hex}.pdf"
        stored_files.store(stored, data, area=ATTACHMENT_AREA)
        objection.files.append(ObjectionFile(original_name=name, stored_name=stored, size=len(data),
                                             sha256=hashlib.sha256(data).hexdigest()))
    db.session.flush()
    audit.record(objection, "file", actor=actor, to_state=ObjectionState.open.value,
                 evidence={"entry_id": entry.id, "files": [f.original_name for f in objection.files]})
    notify(active_users(roles=Role.BUREAU), "integrity.objection_filed",
           link=link_for("integrity.objection", objection_id=objection.id), about=objection,
           subject=entry.subject_name)
    return objection


ATTACHMENT_AREA = "integrity"  # the objections' folder inside UPLOAD_FOLDER


def decide_objection(objection: IntegrityObjection, decision: str, *, actor, answer: str,
                     expected_version=None):
    """``decision`` is "uphold" (revokes the entry) or "dismiss"; the answer is required."""
    decided = fire(objection, decision, actor, comment=answer, expected_version=expected_version)
    settle(objection)  # answered: no longer waiting in any officer's inbox
    return decided


def objection_file(objection: IntegrityObjection, file_id: int) -> ObjectionFile | None:
    """An attachment of ``objection`` whose file is stored, or None if there is no such file."""
    stored = db.session.get(ObjectionFile, file_id)
    if stored is None or stored.objection_id != objection.id:
        return None
    return stored if stored_files.exists(stored.stored_name, ATTACHMENT_AREA) else None


def send_objection_file(stored: ObjectionFile):
    return stored_files.send_stored(stored.stored_name, stored.original_name, area=ATTACHMENT_AREA)


# figures for charts ------------------------------------------------------------------

def entries_changing_by_month(months: list[str]) -> tuple[list[int], list[int]]:
    """(coming into force, going out of force) entries in each of ``months`` ("YYYY-MM"):
    an entry comes into force on its start date and goes out on its end date (revoked entries
    are left out). One query."""
    from grants.core.months import by_month

    live = IntegrityEntry.revoked_at.is_(None)
    starts = (sa.select(sa.literal("in").label("kind"), IntegrityEntry.start_on.label("day"),
                        sa.func.count().label("n")).where(live).group_by(IntegrityEntry.start_on))
    ends = (sa.select(sa.literal("out").label("kind"), IntegrityEntry.end_on.label("day"),
                      sa.func.count().label("n")).where(live, IntegrityEntry.end_on.is_not(None))
            .group_by(IntegrityEntry.end_on))
    rows = db.session.execute(sa.union_all(starts, ends)).all()
    return (by_month([(r.day, r.n) for r in rows if r.kind == "in"], months),
            by_month([(r.day, r.n) for r in rows if r.kind == "out"], months))


# finding a subject -------------------------------------------------------------------

def subject_search(q: str) -> sa.Select:
    """Subjects (organisations and persons) whose name or code contains ``q``: those with list
    entries and those registered on the platform, once each, by name. Rows of (type, code,
    name, entries); one query, to paginate."""
    code = q.upper()
    as_type = sa.String(20)
    listed = (sa.select(sa.cast(IntegrityEntry.subject_type, as_type).label("type"),
                        IntegrityEntry.subject_code.label("code"), IntegrityEntry.subject_name.label("name"),
                        sa.literal(1).label("listed"))
              .where(sa.or_(contains(IntegrityEntry.subject_name, q), contains(IntegrityEntry.subject_code, code))))
    organisations = (sa.select(sa.literal(SubjectType.organization.value, as_type), Organization.credit_code,
                               Organization.name, sa.literal(0))
                     .where(Organization.credit_code.is_not(None),
                            sa.or_(contains(Organization.name, q), contains(Organization.credit_code, code))))
    persons = (sa.select(sa.literal(SubjectType.person.value, as_type), Person.id_number, Person.name, sa.literal(0))
               .where(Person.id_number.is_not(None),
                      sa.or_(contains(Person.name, q), contains(Person.id_number, code))))
    found = sa.union_all(listed, organisations, persons).subquery()
    # The name on the lists first (as entered there), else the registered one.
    name = sa.func.coalesce(sa.func.max(sa.case((found.c.listed == 1, found.c.name))), sa.func.max(found.c.name))
    return (sa.select(found.c.type, found.c.code, name.label("name"),
                      sa.func.sum(found.c.listed).label("entries"))
            .group_by(found.c.type, found.c.code).order_by(name, found.c.type, found.c.code))
