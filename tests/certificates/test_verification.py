"""Verification: by number (the QR code's page) and by uploaded file; revocation."""
import io

import pytest

from grants.certificates import signing
from grants.certificates.services import revoke_certificate
from grants.certificates.verification import verify_pdf
from grants.core import clock
from grants.core.errors import ValidationFailed
from grants.extensions import db


def tampered(data: bytes) -> bytes:
    """One byte changed inside the signed part (the producer's name in the metadata)."""
    at = data.index(b"WeasyPrint") + 1
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def test_the_genuine_pdf_matches_its_hash_and_carries_the_bureaus_valid_signature(project, issue):
    certificate = issue(project)
    verdict = verify_pdf(certificate.pdf)
    assert verdict.identical and verdict.certificate.id == certificate.id
    assert verdict.signature.valid and verdict.signature.by_bureau
    assert verdict.in_force


def test_the_signature_validates_with_pyhankos_validator_and_the_bureau_as_trust_root(project, issue):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    certificate = issue(project)
    [signature] = PdfFileReader(io.BytesIO(certificate.pdf)).embedded_signatures
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[signing.bureau_key().certificate]))
    assert status.bottom_line and status.intact and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"


def test_a_pdf_with_one_byte_changed_fails_both_checks(project, issue):
    verdict = verify_pdf(tampered(issue(project).pdf))
    assert not verdict.identical and verdict.certificate is None
    assert verdict.signature.present and not verdict.signature.valid and not verdict.signature.by_bureau
    assert not verdict.genuine


def test_a_pdf_signed_with_another_key_is_not_the_bureaus(app, project, issue, tmp_path):
    other_key, other_cert = signing.create_dev_key(tmp_path, "某冒充机构")
    from grants.certificates import pdf

    other = signing._load(other_key, other_cert, None)
    forged = signing.sign_pdf(pdf.render_pdf(issue(project).contents), other)
    verdict = verify_pdf(forged)
    assert not verdict.identical
    assert verdict.signature.valid and not verdict.signature.by_bureau  # sound, but not the bureau's key


@pytest.mark.parametrize("data, message", [
    (b"", "文件为空或过小（0 字节）"),
    (b"%", "文件为空或过小（1 字节）"),
    (b"PK\x03\x04 not a pdf", "该文件不是 PDF 文档"),
])
def test_uploads_that_cannot_be_certificates_are_refused(data, message):
    with pytest.raises(ValidationFailed, match=message):
        verify_pdf(data)


def test_an_oversized_upload_is_refused(app):
    limit = app.config["CERT_VERIFY_MAX_BYTES"]
    with pytest.raises(ValidationFailed, match="文件超过 20 MB"):
        verify_pdf(b"%PDF-" + b"0" * limit)


def test_the_verification_page_shows_a_valid_certificate(client, project, issue):
    certificate = issue(project)
    html = client.get(f"/verify/{certificate.number}").get_data(as_text=True)
    assert f"证书 {certificate.number} 有效" in html
    assert project.title in html and project.lead_person.name in html and certificate.pdf_sha256 in html


def test_an_unknown_number_is_not_found(client):
    response = client.get("/verify/XN-JB-2026-9999")
    assert response.status_code == 404
    assert "未签发过编号为 XN-JB-2026-9999 的证书" in response.get_data(as_text=True)


def test_a_revoked_certificate_says_so_with_date_and_reason(client, project, issue, officer):
    certificate = issue(project)
    revoke_certificate(certificate, officer, reason="发现数据造假")
    db.session.commit()
    html = client.get(f"/verify/{certificate.number}").get_data(as_text=True)
    day = clock.to_local(certificate.revoked_at).strftime("%Y-%m-%d %H:%M")
    assert f"证书 {certificate.number} 已于 {day} 撤销。原因：发现数据造假" in html
    verdict = verify_pdf(certificate.pdf)
    assert verdict.genuine and not verdict.in_force
    html = client.post("/verify", data={"file": (io.BytesIO(certificate.pdf), "c.pdf")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert f"但该证书已于 {day} 撤销" in html


def test_the_upload_form_says_genuine_or_altered(client, project, issue):
    certificate = issue(project)
    ok = client.post("/verify", data={"file": (io.BytesIO(certificate.pdf), "c.pdf")},
                     content_type="multipart/form-data")
    assert ok.status_code == 200
    assert f"该文件是证书 {certificate.number} 的真实文件，证书有效" in ok.get_data(as_text=True)
    bad = client.post("/verify", data={"file": (io.BytesIO(tampered(certificate.pdf)), "c.pdf")},
                      content_type="multipart/form-data").get_data(as_text=True)
    assert "该文件不是科技局签发的证书，或已被篡改" in bad
    assert "与任何已签发的证书都不一致" in bad and "签名无效或不是科技局的签名" in bad


@pytest.mark.parametrize("data, message", [(b"x", "文件为空或过小（1 字节）"), (b"", "文件为空或过小（0 字节）")])
def test_the_upload_form_refuses_tiny_files_in_words(client, data, message):
    response = client.post("/verify", data={"file": (io.BytesIO(data), "c.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_the_number_form_leads_to_the_certificates_page(client):
    response = client.get("/verify?number=xn-jb-2026-0001")
    assert response.status_code == 302 and response.headers["Location"].endswith("/verify/XN-JB-2026-0001")


def test_uploads_are_rate_limited(app, client):
    app.config["CERT_VERIFY_RATE_LIMIT"] = "2 per minute"
    try:
        codes = [client.post("/verify", data={"file": (io.BytesIO(b"%PDF-1.7 x"), "c.pdf")},
                             content_type="multipart/form-data").status_code for _ in range(3)]
    finally:
        app.config["CERT_VERIFY_RATE_LIMIT"] = "10 per minute;100 per hour"
    assert codes[:2] == [200, 200] and codes[2] == 429
