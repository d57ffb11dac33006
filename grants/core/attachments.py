"""PDF attachments of every area: checked by content, stored outside the web root.

A file is accepted when it is at most :data:`MAX_BYTES` and parses as a PDF
document (pikepdf: the name and the first bytes do not count; a file that
only starts like a PDF, or one locked with a password, is refused with the
reason), and its owner has fewer than :data:`MAX_PER_OWNER` files. The name
is kept without folders and without control or bidirectional-override
characters (which could make "cod.exe" read as "exe.doc"). It is stored in
``UPLOAD_FOLDER`` under a generated name (by :mod:`grants.core.files`, the one
module that touches uploaded files); the original name, size and SHA-256 go
into the database, in a table of the owning area whose model
takes its columns from :class:`AttachmentMixin`. The owner (a challenge, a
bid) lists them in its ``attachments`` relationship; :func:`attach_pdf` adds
one and :func:`find_attachment` / :func:`send_attachment` serve it.
"""
from __future__ import annotations

import hashlib
import io
import re
import secrets
from datetime import datetime
from pathlib import Path
from typing import ClassVar

import pikepdf
import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column

from grants.core import audit, clock
from grants.core.errors import ValidationFailed
from grants.core import files
from grants.core.files import path_of, upload_folder  # noqa: F401 - the areas' way to their files
from grants.extensions import db

MAX_BYTES = 20 * 1024 * 1024
MAX_PER_OWNER = 30  # files on one challenge, bid or report
# Control characters, and the bidirectional embeddings, overrides, isolates and
# marks that reorder what a name shows (U+202A-202E, U+2066-2069, U+200E/F).
UNSHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_name(filename: str | None) -> str:
    """The name to keep and show: no folders, no control or bidirectional characters."""
    name = Path(UNSHOWN.sub("", filename or "").replace("\\", "/")).name.strip()
    return name[:255] or "attachment.pdf"


def pdf_problem(data: bytes, name: str):
    """Why ``data`` is not a PDF we can keep and show, in words naming the file (None when it is one)."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) == 0:
                return _("%(name)s has no pages.", name=name)
    except pikepdf.PasswordError:
        return _("%(name)s is protected by a password; upload it without one.", name=name)
    except (pikepdf.PdfError, RecursionError, ValueError, RuntimeError):
        # Not a PDF, or one so damaged that it cannot be read (and later shown).
        return _("%(name)s is not a PDF file (only PDF documents are accepted).", name=name)
    return None


def store_pdf(stream, filename: str | None, *, field: str = "file") -> dict:
    """Validate and store one uploaded PDF; return the columns describing it."""
    data = stream.read(MAX_BYTES + 1)
    name = clean_name(filename)
    if len(data) > MAX_BYTES:
        message = _("%(name)s is larger than 20 MB.", name=name)
        raise ValidationFailed(message, details={field: message})
    message = pdf_problem(data, name)
    if message is not None:
        raise ValidationFailed(message, details={field: message})
    stored_name = secrets.token_hex(16) + ".pdf"
    files.store(stored_name, data)
    return {"original_filename": name, "stored_name": stored_name, "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest()}


def refuse_too_many(already: int, adding: int = 1, *, field: str = "file") -> None:
    """Refuse when an owner that has ``already`` files would get more than :data:`MAX_PER_OWNER`."""
    if already + adding > MAX_PER_OWNER:
        message = _("At most %(n)s files can be attached; remove one before adding another.", n=MAX_PER_OWNER)
        raise ValidationFailed(message, details={field: message})


class AttachmentMixin:
    """The columns of a stored PDF. The owning model adds its foreign key, the
    relationship back to the owner, and the page that serves the file
    (``download_endpoint`` and :attr:`download_args`)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    original_filename: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime] = mapped_column(default=clock.now)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    download_endpoint: ClassVar[str] = ""

    @property
    def download_args(self) -> dict:
        raise NotImplementedError


def _attachment_class(owner) -> type:
    return type(owner).attachments.property.mapper.class_


def attach_pdf(owner, *, actor, stream, filename: str | None):
    """Store an uploaded PDF and add it to ``owner.attachments``, with its audit event."""
    refuse_too_many(len(owner.attachments))
    stored = store_pdf(stream, filename)
    attachment = _attachment_class(owner)(uploaded_by_id=actor.id, **stored)
    owner.attachments.append(attachment)
    db.session.flush()
    audit.record(owner, "add_attachment", actor=actor, evidence=stored)
    return attachment


def find_attachment(owner, attachment_id: int):
    """One of ``owner``'s attachments by id, or None."""
    attachment = db.session.get(_attachment_class(owner), attachment_id)
    return attachment if attachment is not None and attachment in owner.attachments else None


def send_attachment(attachment):
    """The download response: the stored file under its original name."""
    return files.send_stored(attachment.stored_name, attachment.original_filename)
