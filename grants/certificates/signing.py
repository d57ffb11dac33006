"""The bureau's digital signature on certificates (PAdES, with pyHanko).

Key material comes from configuration: ``CERT_SIGNING_KEY`` and
``CERT_SIGNING_CERT`` are PEM files, ``CERT_SIGNING_PASSPHRASE`` (from the
environment) unlocks the key. Outside production, when none is configured,
a self-signed development key under ``instance/certificate-signing/`` is used
(and made on first use, or by ``flask certificates init-key``), so a trial
works out of the box. Its certificate carries :data:`DEV_MARKER` in its
organisational unit; production refuses to sign with it, and without a key.

The signature is invisible to the layout: the certificate's printed seal
area names the signer and the time, and the PDF reader's signature panel
shows the signature itself (a stamp drawn by pyHanko would need the CJK font
a second time for a Chinese signer name).
"""
from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from grants.core.errors import Refused

DEV_MARKER = "Development only - not for production"
FIELD_NAME = "BureauSeal"


@dataclass(frozen=True)
class BureauKey:
    signer: object  # pyhanko SimpleSigner
    certificate: asn1_x509.Certificate
    name: str
    development: bool


def dev_key_paths(instance_path: str | Path) -> tuple[Path, Path]:
    folder = Path(instance_path) / "certificate-signing"
    return folder / "development-key.pem", folder / "development-cert.pem"


def create_dev_key(instance_path: str | Path, issuer: str, *, overwrite: bool = False) -> tuple[Path, Path]:
    """A self-signed EC P-256 key and certificate for development and tests."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key_path, cert_path = dev_key_paths(instance_path)
    if cert_path.exists() and key_path.exists() and not overwrite:
        return key_path, cert_path
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, issuer),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEV_MARKER),
        x509.NameAttribute(NameOID.COMMON_NAME, f"{issuer} (development)"),
    ])
    now = dt.datetime.now(dt.timezone.utc)  # crypto validity is real time, never the app clock
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    _write_atomically(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()), mode=0o600)
    _write_atomically(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def _write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_bytes(data)
    temporary.chmod(mode)
    os.replace(temporary, path)


_cache: dict[tuple, BureauKey] = {}


def _load(key_path: Path, cert_path: Path, passphrase: str | None) -> BureauKey:
    from pyhanko.sign import signers

    stamp = (str(key_path), str(cert_path), key_path.stat().st_mtime_ns, cert_path.stat().st_mtime_ns)
    if stamp not in _cache:
        signer = signers.SimpleSigner.load(str(key_path), str(cert_path),
                                           key_passphrase=passphrase.encode() if passphrase else None)
        if signer is None:
            raise Refused(_("The signing key or its certificate could not be read (check the files and "
                            "CERT_SIGNING_PASSPHRASE)."))
        cert = signer.signing_cert
        units = cert.subject.native.get("organizational_unit_name") or []
        units = [units] if isinstance(units, str) else units
        name = cert.subject.native.get("common_name") or cert.subject.human_friendly
        _cache[stamp] = BureauKey(signer, cert, name, DEV_MARKER in units)
    return _cache[stamp]


def bureau_key() -> BureauKey:
    """The configured key, or outside production the development key (made if missing)."""
    config = current_app.config
    production = config.get("ENV_NAME") == "production"
    if config.get("CERT_SIGNING_KEY") and config.get("CERT_SIGNING_CERT"):
        key_path, cert_path = Path(config["CERT_SIGNING_KEY"]), Path(config["CERT_SIGNING_CERT"])
        if not (key_path.is_file() and cert_path.is_file()):
            raise Refused(_("The signing key or certificate file named in CERT_SIGNING_KEY / "
                            "CERT_SIGNING_CERT does not exist."))
        return _load(key_path, cert_path, config.get("CERT_SIGNING_PASSPHRASE"))
    if production:
        raise Refused(_("No signing key is configured: set CERT_SIGNING_KEY, CERT_SIGNING_CERT and "
                        "CERT_SIGNING_PASSPHRASE before issuing certificates."))
    key_path, cert_path = create_dev_key(current_app.instance_path, config["CERT_ISSUER_NAME"])
    return _load(key_path, cert_path, None)


def signing_key() -> BureauKey:
    """The key that may sign now: production refuses the development key."""
    key = bureau_key()
    if key.development and current_app.config.get("ENV_NAME") == "production":
        raise Refused(_("The configured signing key is the self-signed development key; production does "
                        "not issue certificates with it. Configure the bureau's own key."))
    return key


def sign_pdf(pdf: bytes, key: BureauKey) -> bytes:
    """The PDF with the bureau's PAdES signature over the whole file."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    with force_locale("zh_CN"):
        reason = _("Acceptance certificate issued")
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason, location=current_app.config["CERT_ISSUER_NAME"])
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    return signers.sign_pdf(writer, metadata, signer=key.signer, bytes_reserved=_reserved_bytes(key)).getvalue()


def _reserved_bytes(key: BureauKey) -> int:
    """Room for the CMS signature: the certificates it carries, the signature
    and attributes. Given up front, pyHanko skips its dry-run signature."""
    certificates = [key.certificate, *getattr(key.signer, "cert_registry", ())]
    needed = 4096 + sum(len(c.dump()) for c in certificates)
    return needed + needed % 2  # pyHanko wants an even number


@dataclass(frozen=True)
class SignatureVerdict:
    present: bool
    valid: bool  # intact, cryptographically sound, and covering the whole file
    by_bureau: bool  # made by the bureau's key (trusted with it as the only root)
    signer: str | None = None
    problem: str | None = None


def verify_signature(pdf: bytes, key: BureauKey) -> SignatureVerdict:
    """Check the PDF's signature with pyHanko's validator, the bureau's certificate as trust root."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
        if not signatures:
            return SignatureVerdict(False, False, False, problem="no signature")
        context = ValidationContext(trust_roots=[key.certificate], allow_fetching=False)
        status = validate_pdf_signature(signatures[-1], context)
    except Exception as exc:  # a damaged file is an invalid signature, not a server error
        return SignatureVerdict(True, False, False, problem=f"{type(exc).__name__}: {exc}"[:300])
    valid = bool(status.intact and status.valid and status.coverage == SignatureCoverageLevel.ENTIRE_FILE)
    cert = status.signing_cert
    by_bureau = valid and bool(status.trusted) and cert.dump() == key.certificate.dump()
    signer = cert.subject.native.get("common_name") if cert is not None else None
    return SignatureVerdict(True, valid, by_bureau, signer, None if by_bureau else status.summary())
