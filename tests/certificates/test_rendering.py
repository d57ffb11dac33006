"""With a job queue, issuing returns before the PDF exists: the number and contents are fixed,
the pages say the PDF is being prepared, and the worker (or the tick's catch-up) signs it.
Without a queue the PDF is made inside the issue (tests/certificates/test_issue.py).

The queue itself runs in tests/scaleout/test_two_processes.py (Redis, two processes)."""
from datetime import timedelta

import pytest

from grants.certificates import services
from grants.certificates.models import Certificate
from grants.core import audit, clock, jobs
from grants.core.cli import run_tick
from grants.extensions import db
from tests.api.documented import documented_api as api  # noqa: F401
from tests.api.helpers import error_of
from tests.certificates.conftest import reached_values


@pytest.fixture
def queued(app):
    """JOB_QUEUE_URL set: the issue queues the rendering for after the commit."""
    app.config["JOB_QUEUE_URL"] = "redis://127.0.0.1:6379/9"
    yield
    app.config["JOB_QUEUE_URL"] = None


def issue_queued(project, officer) -> Certificate:
    certificate = services.issue_certificate(project, officer, conclusion="通过验收", reached=reached_values(project))
    pending = db.session.info.pop("grants_pending_jobs")  # what would go to Redis at the commit
    assert ("grants.certificates.services:render_job", (certificate.id,), 3) in pending
    db.session.commit()
    return certificate


def test_a_queued_certificate_has_its_number_at_once_and_its_pdf_later(app, queued, project, officer):
    certificate = issue_queued(project, officer)
    assert certificate.number == "XN-JB-2026-0001" and certificate.contents["project_title"] == project.title
    assert not certificate.is_rendered and certificate.pdf is None
    [event] = audit.history(certificate)
    assert event.action == "issue" and "pdf_sha256" not in event.evidence

    assert services.render_job(certificate.id) == certificate.pdf_sha256  # what the worker runs
    db.session.commit()
    assert certificate.is_rendered and certificate.pdf.startswith(b"%PDF-")
    assert [e.action for e in audit.history(certificate)] == ["issue", "render"]
    assert audit.history(certificate)[1].evidence["pdf_sha256"] == certificate.pdf_sha256
    again = certificate.pdf_sha256
    assert services.render_job(certificate.id) == again  # a second run signs nothing again
    assert len(audit.history(certificate)) == 2


def test_pages_and_api_say_the_pdf_is_being_prepared(app, queued, login, client, api, make, project, officer):
    certificate = issue_queued(project, officer)
    login(officer)
    page = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert "证书 PDF 正在生成" in page and "下载 PDF" not in page
    download = client.get(f"/certificates/{certificate.id}/certificate.pdf", follow_redirects=True)
    assert "正在生成" in download.get_data(as_text=True) and download.mimetype == "text/html"
    assert client.get(f"/verify/{certificate.number}").status_code == 200

    token = api(make.token(officer))
    body = token.get(f"/certificates/{certificate.id}").get_json()
    assert body["pdf_ready"] is False and body["pdf_sha256"] is None
    refused = token.get(f"/certificates/{certificate.id}/pdf")
    assert refused.status_code == 409 and "正在生成" in error_of(refused)["message"]

    services.render_job(certificate.id)
    db.session.commit()
    assert token.get(f"/certificates/{certificate.id}").get_json()["pdf_ready"] is True
    assert client.get(f"/certificates/{certificate.id}/certificate.pdf").data == certificate.pdf


def test_the_tick_renders_a_certificate_the_queue_left_behind(app, queued, project, officer):
    certificate = issue_queued(project, officer)
    app.config["JOB_QUEUE_URL"] = None  # Redis was away: the job never ran
    assert run_tick()["certificates_render"] == 0  # not yet: the worker may still be at it
    clock.set_now(clock.now() + timedelta(minutes=11))
    assert run_tick()["certificates_render"] == 1
    db.session.refresh(certificate)
    assert certificate.is_rendered
    assert run_tick()["certificates_render"] == 0


def test_without_a_queue_nothing_waits_for_later(project, officer):
    assert not jobs.queue_configured()
    certificate = services.issue_certificate(project, officer, conclusion="通过验收", reached={})
    assert certificate.is_rendered and "grants_pending_jobs" not in db.session.info
