"""Two application processes on one PostgreSQL database and one Redis, as several
hosts behind nginx run (docs/deployment.md): what one process counts, stores or
queues, the other sees.

Each process is gunicorn with the production settings (a secret key, a signing
key of the bureau, Redis for rate limits and the job queue, one shared upload
folder, X-Forwarded-For from one trusted proxy), on its own loopback port; a
``flask worker --burst`` process runs the queued jobs. Redis db 9 is used and
flushed (only it). Skipped with the reason when Redis cannot be reached.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import socket
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from grants.certificates.models import Certificate
from grants.core.audit import AuditEvent
from grants.extensions import db
from grants.notifications.models import OutboundEmail
from tests.certificates.conftest import accepted_project
from tests.factories import pdf_bytes

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/9"
PASSWORD = "password123"


def _redis():
    from redis import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except RedisError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({exc}): the two-process test needs it")
    return client


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bureau_key(folder: Path) -> tuple[Path, Path]:
    """A signing key that is not the development one (production refuses that)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "市科学技术局"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "市科学技术局 验收证书签章")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    key_path, cert_path = folder / "bureau-key.pem", folder / "bureau-cert.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.BestAvailableEncryption(b"key-passphrase")))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


class MailSink(socketserver.ThreadingTCPServer):
    """The least SMTP server that accepts mail on loopback and keeps each message's recipients."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.received: list[str] = []
        super().__init__(("127.0.0.1", 0), SmtpSession)
        threading.Thread(target=self.serve_forever, daemon=True).start()


class SmtpSession(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 sink\r\n")
        recipients = []
        for raw in self.rfile:
            command = raw.decode("utf-8", "replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250 sink\r\n")
            elif command.startswith("RCPT TO:"):
                recipients.append(raw.decode().strip()[8:].strip(" <>"))
                self.wfile.write(b"250 ok\r\n")
            elif command == "DATA":
                self.wfile.write(b"354 go on\r\n")
                for line in self.rfile:
                    if line in (b".\r\n", b".\n"):
                        break
                self.server.received.extend(recipients)
                recipients = []
                self.wfile.write(b"250 queued\r\n")
            elif command == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:  # MAIL FROM, RSET, NOOP
                self.wfile.write(b"250 ok\r\n")


def _environment(tmp_path: Path) -> dict[str, str]:
    key_path, cert_path = _bureau_key(tmp_path)
    url = sa.engine.make_url(os.environ["TEST_DATABASE_URL"]).render_as_string(hide_password=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "GRANTS_", "WEB_"))}
    env.update({
        "GRANTS_ENV": "production", "SECRET_KEY": "two-process-test-secret-" + "x" * 32,
        "SESSION_COOKIE_SECURE": "0",  # plain HTTP on loopback; nginx terminates TLS in production
        "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "JOB_QUEUE_URL": REDIS_URL,
        "UPLOAD_FOLDER": str(tmp_path / "shared-uploads"), "TRUSTED_PROXIES": "1", "WEB_CONCURRENCY": "1",
        "CERT_SIGNING_KEY": str(key_path), "CERT_SIGNING_CERT": str(cert_path),
        "CERT_SIGNING_PASSPHRASE": "key-passphrase", "PUBLIC_BASE_URL": "https://grants.example.org",
        "LOGIN_RATE_LIMIT": "5 per minute", "PYTHONUNBUFFERED": "1",
        "MAIL_SERVER": "127.0.0.1", "MAIL_USE_TLS": "0", "MAIL_SENDER": "noreply@grants.example.org",
        "AUDIT_CHECKPOINT_FILE": str(tmp_path / "worker-checkpoint.json"),
    })
    return env


class Host:
    """One gunicorn process of the app on a loopback port."""

    def __init__(self, env: dict, log: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{self.port}",
             "--no-control-socket", "--graceful-timeout", "2", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)

    def wait(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the app on port {self.port} exited:\n{self.log.read_text()[-3000:]}")
            try:
                requests.get(self.url + "/login", timeout=5)
                return
            except requests.RequestException:  # not listening yet, or still loading the app
                time.sleep(0.2)
        pytest.fail(f"the app on port {self.port} did not answer in time:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Browser(requests.Session):
    """A user's cookies, sent to whichever host: the load balancer's choice."""

    def __init__(self, client_address: str):
        super().__init__()
        self.headers["X-Forwarded-For"] = client_address

    def token(self, url: str) -> str:
        response = self.get(url, timeout=10)
        assert response.status_code == 200, (url, response.status_code)
        return CSRF.search(response.text).group(1)

    def sign_in(self, host: Host, email: str, password: str = PASSWORD) -> requests.Response:
        return self.post(host.url + "/login", data={"email": email, "password": password,
                                                    "csrf_token": self.token(host.url + "/login")},
                         allow_redirects=False, timeout=10)


@pytest.fixture
def hosts(app, tmp_path):
    redis = _redis()
    redis.flushdb()
    sink = MailSink()
    env = _environment(tmp_path)
    env["MAIL_PORT"] = str(sink.server_address[1])
    started = [Host(env, tmp_path / "a.log"), Host(env, tmp_path / "b.log")]
    try:
        deadline = time.monotonic() + 120  # both load the app at once, on a busy machine too
        for host in started:
            host.wait(deadline)
        yield started, env, sink
    finally:
        for host in started:
            host.stop()
        sink.shutdown()
        sink.server_close()
        redis.flushdb()


def test_two_app_processes_share_limits_uploads_numbers_and_the_job_queue(app, make, hosts, tmp_path):
    (a, b), env, sink = hosts

    # (a) the sign-in limit (5 failures a minute per client address) counts across both processes
    stranger = Browser("198.51.100.23")
    statuses = [stranger.sign_in(host, "nobody@example.org", "wrong").status_code
                for host in (a, b, a, b, a, b)]
    assert statuses == [200] * 5 + [429]
    assert stranger.sign_in(a, "nobody@example.org", "wrong").status_code == 429
    assert Browser("198.51.100.24").sign_in(b, "nobody@example.org", "wrong").status_code == 200

    # (b) a file uploaded through one process is served by the other
    draft = make.challenge(state="draft")
    owner = make.user("enterprise", org=draft.owner_org)
    enterprise = Browser("203.0.113.10")
    assert enterprise.sign_in(a, owner.email).status_code == 302
    document = pdf_bytes("shared storage")
    response = enterprise.post(f"{a.url}/challenges/{draft.id}/attachments", timeout=10,
                               data={"csrf_token": enterprise.token(f"{a.url}/challenges/{draft.id}")},
                               files={"file": ("需求说明.pdf", document, "application/pdf")}, allow_redirects=False)
    assert response.status_code == 302
    db.session.remove()
    [attachment] = db.session.get(type(draft), draft.id).attachments
    served = enterprise.get(f"{b.url}/challenges/{draft.id}/attachments/{attachment.id}", timeout=10)
    assert served.status_code == 200 and served.content == document

    # (c) certificates issued alternately through both are numbered without gaps or repeats;
    # each request returns at once with the PDF being prepared
    officer = make.user("officer")
    projects = [accepted_project(make) for _ in range(4)]
    project_ids = [p.id for p in projects]
    bureau = Browser("203.0.113.20")
    assert bureau.sign_in(b, officer.email).status_code == 302
    pages = []
    for project_id, host in zip(project_ids, (a, b, a, b)):
        response = bureau.post(f"{host.url}/certificates/issue/{project_id}", timeout=30, data={
            "csrf_token": bureau.token(f"{host.url}/certificates"), "conclusion": "项目全面完成任务书规定的各项指标，同意通过验收。"},
                               allow_redirects=False)
        assert response.status_code == 302, response.text[-2000:]
        pages.append(response.headers["Location"])
    db.session.remove()
    rows = db.session.execute(sa.select(Certificate.project_id, Certificate.number, Certificate.sequence,
                                        Certificate.pdf_sha256).order_by(Certificate.sequence)).all()
    year = rows[0].number.split("-")[2]
    assert [r.number for r in rows] == [f"XN-JB-{year}-{i:04d}" for i in (1, 2, 3, 4)]
    assert [r.project_id for r in rows] == project_ids
    assert all(r.pdf_sha256 is None for r in rows)  # nobody waited for rendering
    queued = db.session.scalars(sa.select(OutboundEmail.to_address).order_by(OutboundEmail.id)).all()
    assert queued and not sink.received  # the certificate notices wait in the outbox for the worker
    first = bureau.get(a.url + pages[0], timeout=10)
    assert "pdf-pending" in first.text

    # (d) the jobs queued by both processes, and a tick queued from the timer's command, are run
    # by a worker process
    app.config["JOB_QUEUE_URL"] = REDIS_URL
    try:
        queued_tick = app.test_cli_runner().invoke(args=["tick", "--queue"])
    finally:
        app.config["JOB_QUEUE_URL"] = None
    assert queued_tick.exit_code == 0 and "tick queued as job" in queued_tick.output
    checkpoint = Path(env["AUDIT_CHECKPOINT_FILE"])
    assert not checkpoint.exists()
    worker = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert worker.returncode == 0, worker.stdout[-2000:] + worker.stderr[-3000:]
    assert checkpoint.exists()  # the tick ran in the worker: its last job signs the audit chain's head
    db.session.remove()
    certificates = db.session.scalars(sa.select(Certificate).order_by(Certificate.sequence)).all()
    assert all(c.is_rendered and c.pdf.startswith(b"%PDF-") for c in certificates)
    rendered = db.session.scalars(sa.select(AuditEvent.object_id).where(AuditEvent.action == "render")
                                  .order_by(AuditEvent.object_id)).all()
    assert rendered == [c.id for c in certificates]
    outbox = db.session.execute(sa.select(OutboundEmail.to_address, OutboundEmail.sent_at)).all()
    assert all(sent_at is not None for _, sent_at in outbox) and set(queued) <= {to for to, _ in outbox}
    assert sorted(sink.received) == sorted(to for to, _ in outbox)  # every e-mail went out, each once
    for certificate, host in zip(certificates, (b, a, b, a)):  # each served by the other process
        download = bureau.get(f"{host.url}/certificates/{certificate.id}/certificate.pdf", timeout=10)
        assert download.status_code == 200 and download.content == certificate.pdf
