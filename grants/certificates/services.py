"""Certificate operations: they validate, flush and write audit events, never commit."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants.certificates import pdf, signing
from grants.certificates.contents import certificate_contents, format_number
from grants.certificates.models import Certificate, CertificateCounter, CertificateState
from grants.core import audit, clock, jobs
from grants.core.errors import Refused, ValidationFailed
from grants.core.permissions import Role, has_role, require
from grants.core.registry import tick_job
from grants.core.workflow import fire
from grants.extensions import db
from grants.integrity.check import check, org_subject, person_subject
from grants.notifications.services import link_for, notify
from grants.projects import notices

MAX_REACHED_LENGTH = 100
MAX_CONCLUSION_LENGTH = 4000


def next_sequence(year: int) -> int:
    """The next number of ``year``, from its counter row locked until the
    transaction ends (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite locks
    the whole database for a writer anyway). A rollback gives the number
    back, so issued numbers have no gaps; a commit keeps it, so none repeats."""
    _ensure_counter(year)
    counter = db.session.scalars(
        sa.select(CertificateCounter).where(CertificateCounter.year == year).with_for_update()
        .execution_options(populate_existing=True)).one()
    counter.last_sequence += 1
    db.session.flush()
    return counter.last_sequence


def _ensure_counter(year: int) -> None:
    """Create the year's counter row unless it exists; concurrent creators do not collide."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only the two supported databases
        raise RuntimeError(f"unsupported database {dialect}")
    db.session.execute(insert(CertificateCounter).values(year=year, last_sequence=0)
                       .on_conflict_do_nothing(index_elements=["year"]))


def certificate_subjects(project):
    """Whose black entry blocks a certificate: the team lead and the lead organisation."""
    subjects = [org_subject(project.lead_org, "organization")]
    if project.lead_person is not None:
        subjects.append(person_subject(project.lead_person, "lead"))
    return subjects


def _refuse_unless_issuable(project) -> None:
    from grants.projects.models import ProjectState

    if project.state != ProjectState.accepted:
        raise Refused(_("A certificate is issued only for a project that passed acceptance; "
                        "“%(project)s” is %(state)s.", project=project.title, state=project.state_label))
    if certificate_in_force(project) is not None:
        raise Refused(_("Project “%(project)s” already has certificate %(number)s in force.",
                        project=project.title, number=certificate_in_force(project).number))


def _clean_inputs(project, conclusion: str | None, reached: dict | None) -> tuple[str, dict[int, str]]:
    errors = {}
    conclusion = (conclusion or "").strip()
    if not conclusion:
        errors["conclusion"] = _("Give the acceptance panel's conclusion.")
    elif len(conclusion) > MAX_CONCLUSION_LENGTH:
        errors["conclusion"] = _("At most %(n)s characters.", n=MAX_CONCLUSION_LENGTH)
    known = {promise.challenge_indicator_id for promise in project.bid.indicators}
    values = {}
    for key, value in (reached or {}).items():
        try:
            indicator_id = int(key)
        except (TypeError, ValueError):
            indicator_id = None
        if indicator_id not in known:
            errors[f"reached-{key}"] = _("This project has no indicator %(id)s.", id=key)
            continue
        value = "" if value is None else str(value).strip()
        if len(value) > MAX_REACHED_LENGTH:
            errors[f"reached-{key}"] = _("At most %(n)s characters.", n=MAX_REACHED_LENGTH)
        values[indicator_id] = value
    if errors:
        raise ValidationFailed(" ".join(str(m) for m in errors.values()), details=errors)
    return conclusion, values


def issue_certificate(project, actor, *, conclusion: str, reached: dict | None = None) -> Certificate:
    """Issue the acceptance certificate of a project that passed acceptance.

    ``reached`` maps a challenge indicator's id to the value the project
    reached (the acceptance step supplies it). Refused while a black entry is
    in force against the lead or the lead organisation. The number and the
    contents are fixed here; the PDF is rendered and signed once by
    :func:`render_certificate`, here and now without a job queue, or by the
    worker right after this transaction commits with one (``JOB_QUEUE_URL``).
    """
    require("certificates.issue", actor, project)
    _refuse_unless_issuable(project)
    conclusion, reached = _clean_inputs(project, conclusion, reached)
    integrity = check(certificate_subjects(project), on=clock.today())
    if integrity.blocked:
        raise Refused(integrity.message(_l("receive an acceptance certificate")),
                      details={"evidence": {"integrity": integrity.evidence()}})
    key = signing.signing_key()  # refuses before a number is taken
    issued_at = clock.now()
    year = clock.to_local(issued_at).year
    sequence = next_sequence(year)
    # Issues wait for each other at the year's counter: one that waited while another
    # issued this project's certificate is refused here, before rendering anything.
    _refuse_unless_issuable(project)
    number = format_number(year, sequence)
    contents = certificate_contents(project, number=number, conclusion=conclusion, reached=reached,
                                    issued_at=issued_at, signer=key.name)
    certificate = Certificate(number=number, year=year, sequence=sequence, project_id=project.id,
                              issued_at=issued_at, issued_by_id=actor.id, conclusion=conclusion,
                              contents=contents, signer=key.name)
    db.session.add(certificate)
    db.session.flush()
    jobs.dispatch(render_job, certificate.id)
    rendered = {"pdf_sha256": certificate.pdf_sha256} if certificate.is_rendered else {}  # queued: a render event
    audit.record(certificate, "issue", actor=actor, to_state=certificate.state,
                 evidence={"number": number, "project_id": project.id, **rendered,
                           "signer": key.name, "integrity": integrity.evidence()})
    notify(notices.team_of(project) + notices.enterprise_of(project), "certificates.issued",
           link=link_for("certificates.show", certificate_id=certificate.id), number=number, project=project.title)
    return certificate


def render_certificate(certificate: Certificate) -> bool:
    """Render the certificate's PDF from its contents, sign it and store it.

    The row is locked first, so two renderers (the queue's job and the
    tick's catch-up) never sign twice; False when the PDF was already there."""
    db.session.execute(sa.select(Certificate.id).where(Certificate.id == certificate.id).with_for_update())
    db.session.refresh(certificate, ["pdf_sha256"])
    if certificate.is_rendered:
        return False
    key = signing.signing_key()
    document = signing.sign_pdf(pdf.render_pdf(certificate.contents), key)
    certificate.pdf, certificate.pdf_size = document, len(document)
    certificate.pdf_sha256 = hashlib.sha256(document).hexdigest()
    db.session.flush()
    return True


def render_job(certificate_id: int) -> str | None:
    """The job behind :func:`render_certificate`: inline it runs inside the issue
    (whose event records the PDF's SHA-256); queued, the worker records a
    ``render`` event with it."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        return None
    if render_certificate(certificate) and jobs.queue_configured():
        audit.record(certificate, "render", evidence={"number": certificate.number,
                                                      "pdf_sha256": certificate.pdf_sha256})
    return certificate.pdf_sha256


RENDER_GRACE = timedelta(minutes=10)


@tick_job("certificates_render", order=80)
def render_overdue() -> int:
    """Certificates still without a PDF some minutes after issue (the queue was
    down, the worker failed): render them now. None without a queue, where the
    PDF is made inside the issue."""
    overdue = db.session.scalars(
        sa.select(Certificate).where(Certificate.pdf_sha256.is_(None),
                                     Certificate.issued_at <= clock.now() - RENDER_GRACE)
        .order_by(Certificate.id).limit(50)).all()
    return sum(render_job(certificate.id) is not None for certificate in overdue)


def revoke_certificate(certificate: Certificate, actor, *, reason: str | None,
                       expected_version=None) -> audit.AuditEvent:
    """Revoke with a reason (an audited transition; the certificate stays on record)."""
    require("certificates.revoke", actor, certificate)
    return fire(certificate, "revoke", actor, comment=reason, expected_version=expected_version)


# queries -------------------------------------------------------------------------

def certificate_in_force(project) -> Certificate | None:
    return db.session.scalar(sa.select(Certificate).where(Certificate.project_id == project.id,
                                                          Certificate.state == CertificateState.issued))


def certificate_by_number(number: str) -> Certificate | None:
    return db.session.scalar(sa.select(Certificate).where(Certificate.number == (number or "").strip().upper()))


def certificate_by_sha256(digest: str) -> Certificate | None:
    return db.session.scalar(sa.select(Certificate).where(Certificate.pdf_sha256 == digest))


def certificates_visible_to(user):
    """Newest first: everything for the bureau and administrators, a party's own otherwise."""
    from grants.projects.models import Project
    from grants.projects.services import projects_visible_to

    query = sa.select(Certificate).order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    if has_role(user, Role.BUREAU | Role.ADMINISTRATION):
        return query
    visible = projects_visible_to(user).with_only_columns(Project.id).order_by(None)
    return query.where(Certificate.project_id.in_(visible))


def projects_awaiting_certificate():
    """Projects that passed acceptance and have no certificate in force, oldest first."""
    from grants.projects.models import Project, ProjectState

    certified = sa.select(Certificate.project_id).where(Certificate.state == CertificateState.issued)
    return (sa.select(Project).where(Project.state == ProjectState.accepted, Project.id.not_in(certified))
            .order_by(Project.id))
