"""The demo data reaches the end of the line through the real workflow: an active project with
one milestone approved and paid, and a project that passed acceptance with its certificate."""
import sqlalchemy as sa

from grants.certificates.models import Certificate, CertificateState
from grants.certificates.verification import verify_pdf
from grants.core.demo import seed
from grants.extensions import db
from grants.projects.models import MilestoneState, Project, ProjectState, TrancheState


def test_demo_data_has_an_active_project_and_a_certified_one(app):
    seed()
    active, accepted = db.session.scalars(sa.select(Project).order_by(Project.id)).all()
    assert active.state == ProjectState.active
    assert [m.state for m in active.milestones] == [MilestoneState.approved, MilestoneState.pending]
    assert [t.state for t in active.tranches].count(TrancheState.released) == 1
    assert accepted.state == ProjectState.accepted
    certificate = db.session.scalars(sa.select(Certificate)).one()
    assert certificate.project_id == accepted.id and certificate.state == CertificateState.issued
    verdict = verify_pdf(certificate.pdf)
    assert verdict.certificate == certificate and verdict.signature.by_bureau
