"""PDF attachments of every area: checked by content, stored outside the web root.

A file is accepted when its first bytes are the PDF magic ``%PDF-`` (the
name does not count) and it is at most :data:`MAX_BYTES`. It is stored in
``UPLOAD_FOLDER`` under a generated name; the original name, size and
SHA-256 go into the database, in a table of the owning area whose model
takes its columns from :class:`AttachmentMixin`. The owner (a challenge, a
bid) lists them in its ``attachments`` relationship; :func:`attach_pdf` adds
one and :func:`find_attachment` / :func:`send_attachment` serve it.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from pathlib import Path
from typing import ClassVar

import sqlalchemy as sa
from flask import current_app, send_file
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column

from grants.core import audit, clock
from grants.core.errors import ValidationFailed
from grants.core.files import write_file
from grants.extensions import db

MAX_BYTES = 20 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


def upload_folder(area: str = "") -> Path:
    """``UPLOAD_FOLDER``, or an area's folder inside it; made when missing."""
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / area
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _clean_name(filename: str | None) -> str:
    name = Path((filename or "").replace("\\", "/")).name.strip()
    return name[:255] or "attachment.pdf"


def store_pdf(stream, filename: str | None, *, field: str = "file") -> dict:
    """Validate and store one uploaded PDF; return the columns describing it."""
    data = stream.read(MAX_BYTES + 1)
    name = _clean_name(filename)
    if len(data) > MAX_BYTES:
        message = _("%(name)s is larger than 20 MB.", name=name)
        raise ValidationFailed(message, details={field: message})
    if not data.startswith(PDF_MAGIC):
        message = _("%(name)s is not a PDF file (only PDF documents are accepted).", name=name)
        raise ValidationFailed(message, details={field: message})
    stored_name = secrets.token_hex(16) + ".pdf"
    write_file(upload_folder() / stored_name, data)
    return {"original_filename": name, "stored_name": stored_name, "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest()}


def path_of(stored_name: str) -> Path:
    return upload_folder() / stored_name


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
    return send_file(path_of(attachment.stored_name), mimetype="application/pdf", as_attachment=True,
                     download_name=attachment.original_filename)
