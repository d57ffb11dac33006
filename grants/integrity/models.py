"""Research-integrity red and black list entries (科研诚信红黑名单)."""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core import clock
from grants.core.history import add_state_labels
from grants.core.models import OBJECTION_STATE_LABELS, ObjectionState, Timestamps, Versioned, enum_type
from grants.extensions import db
from grants.integrity.workflow import OBJECTION_WORKFLOW


class ListKind(enum.StrEnum):
    black = "black"
    red = "red"


class SubjectType(enum.StrEnum):
    person = "person"
    organization = "organization"


class EntryStatus(enum.StrEnum):
    pending = "pending"  # start date not reached yet
    in_force = "in_force"
    expired = "expired"
    revoked = "revoked"


LIST_LABELS = {ListKind.black: _l("black list"), ListKind.red: _l("red list")}
SUBJECT_LABELS = {SubjectType.person: _l("Person"), SubjectType.organization: _l("Organisation")}
STATUS_LABELS = {
    EntryStatus.pending: _l("not yet in force"),
    EntryStatus.in_force: _l("in force"),
    EntryStatus.expired: _l("expired"),
    EntryStatus.revoked: _l("revoked"),
}


def search_pieces(text: str) -> list[str]:
    """The one- and two-character pieces of ``text``, lower-cased, none with a space:
    张伟 -> 伟 张 张伟. A search term's pieces are all among an entry's when the entry
    contains the term; Chinese names of one or two characters have no trigrams, so a
    trigram index cannot find them, and this can."""
    text = (text or "").lower()
    found = {text[i:i + n] for n in (1, 2) for i in range(len(text) - n + 1)}
    return sorted(p for p in found if not any(ch.isspace() for ch in p))


def _search_words(context) -> str:
    row = context.get_current_parameters()
    return " ".join(search_pieces(f"{row.get('subject_name') or ''} {row.get('basis') or ''}"))


class IntegrityEntry(Timestamps, db.Model):
    """One listing of a subject. Never deleted or edited: corrected by revoking."""

    __tablename__ = "integrity_entries"
    __audit_type__ = "integrity_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    list: Mapped[ListKind] = mapped_column(enum_type(ListKind, 10))
    subject_type: Mapped[SubjectType] = mapped_column(enum_type(SubjectType, 20))
    subject_code: Mapped[str] = mapped_column(sa.String(18))
    subject_name: Mapped[str] = mapped_column(sa.String(200))
    reason: Mapped[str] = mapped_column(sa.Text)
    basis: Mapped[str] = mapped_column(sa.String(200))
    authority: Mapped[str] = mapped_column(sa.String(200))
    # The pieces of the name and the basis, for the search index (see ``search_pieces``);
    # set on insert, by the ORM and by bulk inserts alike (neither changes afterwards).
    search_words: Mapped[str | None] = mapped_column(sa.Text, default=_search_words)
    start_on: Mapped[date]
    end_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    revocation_reason: Mapped[str | None] = mapped_column(sa.Text)
    # When the effects of a black entry coming into force were applied to
    # live work (bids, projects, review assignments); set once.
    effects_applied_at: Mapped[datetime | None]
    # The import batch that brought the entry in (None: added by hand).
    import_id: Mapped[int | None] = mapped_column(sa.ForeignKey("integrity_imports.id"), index=True)

    created_by = relationship("User", foreign_keys=[created_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])

    __table_args__ = (
        # Re-importing the same file adds nothing twice.
        sa.UniqueConstraint("list", "subject_type", "subject_code", "basis", "start_on",
                            name="uq_integrity_entries_identity"),
        sa.CheckConstraint("end_on IS NULL OR end_on >= start_on", name="end_after_start"),
        sa.CheckConstraint(
            "(revoked_at IS NULL AND revocation_reason IS NULL) OR "
            "(revoked_at IS NOT NULL AND revocation_reason IS NOT NULL)",
            name="revocation_has_reason",
        ),
        sa.Index("ix_integrity_entries_lookup", "subject_code", "list", "start_on"),
        sa.Index("ix_integrity_entries_end_on", "end_on"),
        # The name and the basis by their pieces (PostgreSQL; see WORDS below). The expression
        # is written as PostgreSQL prints it back, so that the migration and the models compare equal.
        sa.Index("ix_integrity_entries_words", sa.text("string_to_array(search_words, ' '::text)"),
                 postgresql_using="gin").ddl_if(dialect="postgresql"),
    )

    def status(self, on: date) -> EntryStatus:
        if self.revoked_at is not None:
            return EntryStatus.revoked
        if on < self.start_on:
            return EntryStatus.pending
        if self.end_on is not None and on > self.end_on:
            return EntryStatus.expired
        return EntryStatus.in_force

    def in_force(self, on: date) -> bool:
        return self.status(on) == EntryStatus.in_force

    @property
    def list_label(self) -> str:
        return str(LIST_LABELS[self.list])

    @property
    def subject_label(self) -> str:
        return str(SUBJECT_LABELS[self.subject_type])

    def __repr__(self) -> str:
        return f"<IntegrityEntry {self.id} {self.list} {self.subject_code}>"


def in_force_clause(on: date):
    """SQL condition: the entry is in force on ``on``."""
    return sa.and_(
        IntegrityEntry.revoked_at.is_(None),
        IntegrityEntry.start_on <= on,
        sa.or_(IntegrityEntry.end_on.is_(None), IntegrityEntry.end_on >= on),
    )


def status_clause(status: EntryStatus, on: date):
    """SQL condition: the entry has ``status`` on ``on``."""
    live = IntegrityEntry.revoked_at.is_(None)
    if status == EntryStatus.revoked:
        return IntegrityEntry.revoked_at.is_not(None)
    if status == EntryStatus.pending:
        return sa.and_(live, IntegrityEntry.start_on > on)
    if status == EntryStatus.expired:
        return sa.and_(live, IntegrityEntry.end_on.is_not(None), IntegrityEntry.end_on < on)
    return in_force_clause(on)


# Search (see ``services.text_clause``): codes by prefix (a range scan of this index), names
# and document numbers by their pieces (GIN, PostgreSQL).
WORDS = sa.func.string_to_array(IntegrityEntry.search_words, sa.literal_column("' '"))
sa.Index("ix_integrity_entries_code_prefix", IntegrityEntry.subject_code,
         postgresql_ops={"subject_code": "varchar_pattern_ops"})


class IntegrityImport(db.Model):
    """One CSV file imported into the lists: what it was and what it added."""

    __tablename__ = "integrity_imports"
    __audit_type__ = "integrity_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(sa.String(255))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    rows: Mapped[int]
    added: Mapped[int]
    already_present: Mapped[int]
    skipped_invalid: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    created_by = relationship("User")


class IntegrityObjection(Versioned, Timestamps, db.Model):
    """The listed subject contests an entry (异议); the officer upholds or dismisses."""

    __tablename__ = "integrity_objections"
    __audit_type__ = "integrity_objection"
    __workflow__ = OBJECTION_WORKFLOW

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("integrity_entries.id"), index=True)
    state: Mapped[ObjectionState] = mapped_column(enum_type(ObjectionState, 20),
                                                  default=ObjectionState.open)
    reasons: Mapped[str] = mapped_column(sa.Text)
    filed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    answer: Mapped[str | None] = mapped_column(sa.Text)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]

    entry: Mapped[IntegrityEntry] = relationship()
    filed_by = relationship("User", foreign_keys=[filed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    files: Mapped[list["ObjectionFile"]] = relationship(order_by="ObjectionFile.id",
                                                        back_populates="objection")

    __table_args__ = (
        sa.CheckConstraint("(state = 'open') = (answer IS NULL)", name="answer_once_decided"),
        # At most one open objection per entry.
        sa.Index("uq_integrity_objections_one_open", "entry_id", unique=True,
                 sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'")),
    )

    @property
    def state_label(self) -> str:
        return str(OBJECTION_STATE_LABELS[self.state])


class ObjectionFile(db.Model):
    """A PDF attached to an objection, stored under UPLOAD_FOLDER with a generated name."""

    __tablename__ = "integrity_objection_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(sa.ForeignKey("integrity_objections.id"), index=True)
    original_name: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    objection: Mapped[IntegrityObjection] = relationship(back_populates="files")


add_state_labels(IntegrityEntry.__audit_type__, STATUS_LABELS)
