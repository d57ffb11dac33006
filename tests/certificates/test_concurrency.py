"""Certificates issued at the same moment get consecutive numbers, none twice, none skipped."""
import threading

import pytest
import sqlalchemy as sa

from grants.certificates import signing
from grants.certificates.models import Certificate, CertificateCounter
from grants.certificates.services import issue_certificate
from grants.extensions import db
from grants.projects.models import Project
from tests.certificates.conftest import accepted_project


@pytest.mark.postgres
def test_concurrent_issues_are_numbered_1_to_n_without_gaps_or_repeats(app, make):
    n = 5
    with app.app_context():
        officer = make.user("officer")
        projects = [accepted_project(make) for _ in range(n)]
        signing.bureau_key()  # the development key exists before the race
        officer_id, project_ids = officer.id, [p.id for p in projects]
    db.session.remove()

    barrier = threading.Barrier(n)
    errors = []

    def issue(project_id):
        with app.app_context():
            from grants.auth.models import User

            try:
                project = db.session.get(Project, project_id)
                actor = db.session.get(User, officer_id)
                barrier.wait()
                issue_certificate(project, actor, conclusion="通过验收", reached={})
                db.session.commit()
            except Exception as exc:  # reported below with the thread's project
                db.session.rollback()
                errors.append((project_id, repr(exc)))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue, args=(pid,)) for pid in project_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        rows = db.session.execute(sa.select(Certificate.sequence, Certificate.number, Certificate.project_id)
                                  .order_by(Certificate.sequence)).all()
        assert [r.sequence for r in rows] == list(range(1, n + 1))
        assert [r.number for r in rows] == [f"XN-JB-2026-{i:04d}" for i in range(1, n + 1)]
        assert sorted(r.project_id for r in rows) == sorted(project_ids)
        assert db.session.get(CertificateCounter, 2026).last_sequence == n


@pytest.mark.postgres
def test_a_concurrent_issue_that_fails_after_taking_a_number_leaves_no_gap(app, make, monkeypatch):
    from grants.certificates import services

    n = 4
    with app.app_context():
        officer = make.user("officer")
        projects = [accepted_project(make) for _ in range(n)]
        signing.bureau_key()
        officer_id, project_ids = officer.id, [p.id for p in projects]
    db.session.remove()
    failing = project_ids[1]
    render = services.pdf.render_pdf

    def render_or_fail(values):
        if values["project_id"] == failing:
            raise RuntimeError("the renderer failed")
        return render(values)

    monkeypatch.setattr(services.pdf, "render_pdf", render_or_fail)
    barrier = threading.Barrier(n)
    failed = []

    def issue(project_id):
        with app.app_context():
            from grants.auth.models import User

            try:
                project = db.session.get(Project, project_id)
                actor = db.session.get(User, officer_id)
                barrier.wait()
                issue_certificate(project, actor, conclusion="通过验收", reached={})
                db.session.commit()
            except RuntimeError:
                db.session.rollback()
                failed.append(project_id)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue, args=(pid,)) for pid in project_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failed == [failing]
    with app.app_context():
        sequences = db.session.scalars(sa.select(Certificate.sequence).order_by(Certificate.sequence)).all()
        assert sequences == list(range(1, n))
        assert db.session.get(CertificateCounter, 2026).last_sequence == n - 1
