"""PDF attachments of every area: checked by content, stored outside the web root.

A file is accepted when its first bytes are the PDF magic ``%PDF-`` (the
name does not count) and it is at most :data:`MAX_BYTES`. It is stored in
``UPLOAD_FOLDER`` under a generated name; the original name, size and
SHA-256 go into the database.
"""
from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from grants.core.errors import ValidationFailed
from grants.core.files import write_file

MAX_BYTES = 20 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
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
