"""Where the signing key comes from, and what production refuses."""
import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from grants.certificates import signing
from grants.certificates.models import Certificate
from grants.certificates.services import issue_certificate
from grants.certificates.verification import verify_pdf
from grants.core.errors import Refused
from grants.extensions import db


def bureau_key_files(folder, passphrase: bytes):
    """A key as the bureau would have it: passphrase-protected, not marked for development."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "市科学技术局"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "市科学技术局电子印章")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.KeyUsage(True, True, False, False, False, True, False, False, False), critical=True)
            .sign(key, hashes.SHA256()))
    key_path, cert_path = folder / "bureau-key.pem", folder / "bureau-cert.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.BestAvailableEncryption(passphrase)))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@pytest.fixture
def configure(app):
    saved = dict(app.config)

    def _configure(**values):
        app.config.update(values)

    yield _configure
    app.config.clear()
    app.config.update(saved)


def test_outside_production_the_development_key_is_used(app, configure):
    configure(CERT_SIGNING_KEY=None, CERT_SIGNING_CERT=None)
    key = signing.signing_key()
    assert key.development and "development" in key.name


def test_production_refuses_to_issue_without_a_key(configure, project, officer):
    configure(ENV_NAME="production", CERT_SIGNING_KEY=None, CERT_SIGNING_CERT=None)
    with pytest.raises(Refused, match="未配置签名私钥：签发证书前请设置 CERT_SIGNING_KEY"):
        issue_certificate(project, officer, conclusion="通过", reached={})
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 0


def test_production_refuses_the_development_key(app, configure, project, officer):
    key_path, cert_path = signing.dev_key_paths(app.instance_path)
    signing.bureau_key()  # makes it if missing
    configure(ENV_NAME="production", CERT_SIGNING_KEY=str(key_path), CERT_SIGNING_CERT=str(cert_path))
    with pytest.raises(Refused, match="自签名的开发用密钥，生产环境不得用它签发证书"):
        issue_certificate(project, officer, conclusion="通过", reached={})


def test_production_signs_with_the_configured_key_and_its_passphrase(configure, project, officer, tmp_path):
    key_path, cert_path = bureau_key_files(tmp_path, b"correct horse")
    configure(ENV_NAME="production", CERT_SIGNING_KEY=str(key_path), CERT_SIGNING_CERT=str(cert_path),
              CERT_SIGNING_PASSPHRASE="correct horse")
    certificate = issue_certificate(project, officer, conclusion="通过", reached={})
    assert certificate.signer == "市科学技术局电子印章"
    verdict = verify_pdf(certificate.pdf)
    assert verdict.genuine and verdict.signature.signer == "市科学技术局电子印章"


def test_a_wrong_passphrase_or_missing_file_is_refused_in_words(configure, tmp_path):
    key_path, cert_path = bureau_key_files(tmp_path, b"correct horse")
    configure(CERT_SIGNING_KEY=str(key_path), CERT_SIGNING_CERT=str(cert_path), CERT_SIGNING_PASSPHRASE="wrong")
    with pytest.raises(Refused, match="无法读取签名私钥或其证书"):
        signing.signing_key()
    configure(CERT_SIGNING_KEY=str(tmp_path / "missing.pem"))
    with pytest.raises(Refused, match="签名私钥或证书文件不存在"):
        signing.signing_key()


def test_init_key_makes_a_development_key_under_instance(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    result = app.test_cli_runner().invoke(args=["certificates", "init-key"])
    assert result.exit_code == 0, result.output
    key_path, cert_path = signing.dev_key_paths(tmp_path)
    assert str(key_path) in result.output and key_path.exists() and cert_path.exists()
    assert oct(key_path.stat().st_mode & 0o777) == "0o600"
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    assert signing.DEV_MARKER in cert.subject.rfc4514_string()


def test_init_key_is_refused_in_production(app, configure):
    configure(ENV_NAME="production")
    result = app.test_cli_runner().invoke(args=["certificates", "init-key"])
    assert result.exit_code != 0 and "production" in result.output
