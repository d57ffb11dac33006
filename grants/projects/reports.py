"""Progress reports for milestones, and the request for final acceptance.

A report carries text, the value each indicator has reached so far and PDF
attachments (stored by :mod:`grants.core.attachments`, as a bid's are). The
milestone's own transition moves it (submit, approve, return_for_revision);
the final report goes with the project's ``request_acceptance``.
"""
from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm  # noqa: F401  (sa.orm loaders)
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from grants.core import attachments as files
from grants.core.validation import Errors
from grants.core import audit, clock
from grants.core.errors import ChangedUnderYou, Refused
from grants.core.workflow import check_version, fire
from grants.extensions import db
from grants.projects import permissions as can
from grants.projects import rules
from grants.projects.models import (EXPERT_CONCLUSION_LABELS, Milestone, Project, Report, ReportFile,
                                    ReportKind, ReportValue, overdue_clause)


def _values(errors: Errors, project: Project, values: dict, *, every: bool) -> list[ReportValue]:
    """``{indicator_id: value}`` as rows; ``every``: each indicator needs a value (final report)."""
    known = {i.id: i for i in project.indicators}
    rows = []
    for key, value in (values or {}).items():
        try:
            indicator_id = int(key)
        except (TypeError, ValueError):
            indicator_id = None
        value = str(value or "").strip()[:100]
        if indicator_id not in known:
            errors.add("values", _("There is no indicator %(id)s in this project's agreement.", id=key))
        elif value:
            rows.append(ReportValue(indicator_id=indicator_id, value=value))
    if every:
        missing = [i.name for i in known.values() if i.id not in {r.indicator_id for r in rows}]
        if missing:
            errors.add("values", _("Give the final value reached for every indicator; missing: %(names)s.",
                                   names="、".join(missing)))
    return rows


def _write_report(project: Project, *, actor, kind, milestone, text, values, uploads, every: bool,
                  file_required: bool) -> Report:
    errors = Errors()
    text = (text or "").strip()
    if not text:
        errors.add("text", _("Describe the progress in the report."))
    rows = _values(errors, project, values, every=every)
    uploads = [u for u in uploads or () if u is not None]
    if file_required and not uploads:
        errors.add("file", _("Attach the final report as a PDF file."))
    errors.raise_if_any()
    files.refuse_too_many(0, len(uploads))
    stored = [files.store_pdf(stream, filename) for stream, filename in uploads]
    report = Report(project_id=project.id, milestone=milestone, kind=kind, text=text, values=rows,
                    submitted_at=clock.now(), submitted_by_id=actor.id,
                    files=[ReportFile(uploaded_by_id=actor.id, **columns) for columns in stored])
    db.session.add(report)
    db.session.flush()
    return report


def submit_report(milestone: Milestone, *, actor, text: str, values: dict | None = None, uploads=(),
                  expected_version=None):
    """The team reports on a milestone (again, after it was returned); the milestone is then submitted.

    ``uploads``: (stream, filename) pairs of PDF files.
    """
    can.enforce(can.can_submit_report(actor, milestone))
    report = _write_report(milestone.project, actor=actor, kind=ReportKind.progress, milestone=milestone,
                           text=text, values=values, uploads=uploads, every=False, file_required=False)
    fire(milestone, "submit", actor, expected_version=expected_version, report=report)
    return report


def _expert_names(experts) -> list[str]:
    """Names typed one a line or separated by commas or 、, or given as a list; blanks dropped."""
    if isinstance(experts, str):
        experts = re.split(r"[\n,，、;；]+", experts)
    return [name.strip() for name in experts or () if name and name.strip()]


def record_expert_check(milestone: Milestone, *, actor, experts, opinion: str, conclusion: str,
                        expected_version=None):
    """The officer records the experts' check of the mid-way milestone's report: who the experts
    were, their opinion and their conclusion ("satisfactory" or "not_satisfactory"); the report's
    approval waits for it (:func:`grants.projects.rules.expert_check_refusal`). Returns the report."""
    check_version(milestone, expected_version)
    can.enforce(can.can_record_expert_check(actor, milestone))
    errors = Errors()
    names = _expert_names(experts)
    opinion = (opinion or "").strip()
    if not names:
        errors.add("experts", _("Name at least one expert."))
    elif len("、".join(names)) > 500:
        errors.add("experts", _("The experts' names may be at most 500 characters together."))
    if not opinion:
        errors.add("opinion", _("Give the experts' opinion."))
    if conclusion not in EXPERT_CONCLUSION_LABELS:
        errors.add("conclusion", _("Choose the experts' conclusion: satisfactory or not satisfactory."))
    errors.raise_if_any()
    report = rules.latest_report(milestone)
    now = clock.now()  # first: the demo clock reads the database, and a flush then must not see half a check
    report.expert_names, report.expert_opinion, report.expert_conclusion = "、".join(names), opinion, conclusion
    report.expert_checked_at, report.expert_checked_by_id = now, actor.id
    # The decision depends on the check: a new milestone version, so a decision taken on a page
    # loaded before the check (or a second check at the same time) is told it changed under it.
    flag_modified(milestone, "title")
    try:
        db.session.flush()
    except StaleDataError:
        raise ChangedUnderYou() from None
    audit.record(milestone, "expert_check", actor=actor, comment=opinion,
                 evidence={"report_id": report.id, "experts": names, "conclusion": conclusion})
    return report


def request_acceptance(project: Project, *, actor, text: str, values: dict | None = None, upload=None,
                       expected_version=None):
    """The lead asks for final acceptance with the final report (PDF) and each indicator's final value."""
    can.enforce(can.can_request_acceptance(actor, project))
    waiting = rules.milestones_waiting(project)
    if waiting:  # refused in words before any file is stored
        raise Refused(waiting)
    report = _write_report(project, actor=actor, kind=ReportKind.final, milestone=None, text=text,
                           values=values, uploads=[upload], every=True, file_required=True)
    return fire(project, "request_acceptance", actor, expected_version=expected_version, report=report)


# reading ---------------------------------------------------------------------------

def reports_query(project: Project):
    return (sa.select(Report).where(Report.project_id == project.id)
            .options(sa.orm.selectinload(Report.values), sa.orm.selectinload(Report.files),
                     sa.orm.joinedload(Report.milestone), sa.orm.joinedload(Report.submitted_by),
                     sa.orm.joinedload(Report.decided_by))
            .order_by(Report.submitted_at.desc(), Report.id.desc()))


def indicator_progress(project: Project) -> tuple[list, list[dict]]:
    """(reports oldest first, rows): each indicator with its value in each report (by report date)."""
    reports = db.session.scalars(
        sa.select(Report).where(Report.project_id == project.id)
        .options(sa.orm.selectinload(Report.values)).order_by(Report.submitted_at, Report.id)).unique().all()
    reports = [r for r in reports if r.values]
    rows = []
    for indicator in sorted(project.indicators, key=lambda i: i.position):
        cells = [next((v.value for v in r.values if v.indicator_id == indicator.id), "") for r in reports]
        rows.append({"indicator": indicator, "values": cells})
    return reports, rows


def overdue_milestones(project: Project, today: date | None = None) -> list[Milestone]:
    today = today or clock.today()
    return [m for m in project.milestones if m.is_overdue(today)]


def overdue_count_query(today: date):
    """Overdue milestones per project id, for lists of projects."""
    return (sa.select(Milestone.project_id, sa.func.count(Milestone.id))
            .where(overdue_clause(today)).group_by(Milestone.project_id))


def report_file(project: Project, file_id: int) -> ReportFile | None:
    found = db.session.get(ReportFile, file_id)
    if found is None or found.report is None or found.report.project_id != project.id:
        return None
    return found
