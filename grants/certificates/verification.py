"""Checking a copy of a certificate: is it byte-identical to one the bureau
issued (SHA-256), and is its signature valid and the bureau's (pyHanko)?"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from grants.certificates import signing
from grants.certificates.models import Certificate
from grants.certificates.services import certificate_by_sha256
from grants.core.errors import DomainError, ValidationFailed

MIN_BYTES = 2  # an empty or one-byte upload is certainly not a certificate


@dataclass(frozen=True)
class Verdict:
    sha256: str
    size: int
    certificate: Certificate | None  # the issued certificate with these exact bytes
    signature: signing.SignatureVerdict

    @property
    def identical(self) -> bool:
        return self.certificate is not None

    @property
    def genuine(self) -> bool:
        """Byte-identical to an issued certificate and signed by the bureau."""
        return self.identical and self.signature.by_bureau

    @property
    def in_force(self) -> bool:
        return self.genuine and self.certificate.is_valid


def check_upload(data: bytes | None) -> bytes:
    """The uploaded bytes, or ValidationFailed on the ``file`` field saying why not."""
    limit = current_app.config["CERT_VERIFY_MAX_BYTES"]
    size = len(data or b"")
    if size < MIN_BYTES:
        message = _("The file is empty or too small (%(size)s bytes) to be a certificate.", size=size)
    elif size > limit:
        message = _("The file is larger than %(limit)s MB; a certificate is far smaller.",
                    limit=limit // (1024 * 1024))
    elif not data.lstrip()[:5] == b"%PDF-":
        message = _("The file is not a PDF document.")
    else:
        return data
    raise ValidationFailed(message, details={"file": message})


def verify_pdf(data: bytes) -> Verdict:
    data = check_upload(data)
    digest = hashlib.sha256(data).hexdigest()
    try:
        key = signing.bureau_key()
    except DomainError as exc:  # no key configured: nothing can be signed by the bureau
        verdict = signing.SignatureVerdict(True, False, False, problem=str(exc))
    else:
        verdict = signing.verify_signature(data, key)
    return Verdict(digest, len(data), certificate_by_sha256(digest), verdict)
