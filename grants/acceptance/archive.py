"""A project's whole file as one ZIP: what the bureau keeps once a project ends.

- each confirmed version of the task agreement, rendered to PDF;
- every progress report (rendered to PDF) with the PDF files attached to it;
- the final report(s) with their files;
- the acceptance panel's opinions of every round, rendered to PDF (members
  numbered, not named: the team and the enterprise read the archive too);
- every certificate of the project, the stored bytes exactly as issued.

The pages are rendered from plain values with the certificate's sandboxed
template, fonts and URL fetcher (:func:`grants.certificates.pdf.render_document`).
The ZIP is written to a spooled temporary file (in memory up to
:data:`SPOOL_BYTES`, on disk beyond), so large attachments do not sit in memory.
Names inside the ZIP are Chinese, stored with the UTF-8 flag.
"""
from __future__ import annotations

import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from grants.acceptance import decisions
from grants.acceptance import permissions as can
from grants.acceptance.models import Judgement, Outcome
from grants.core import attachments, clock
from grants.extensions import db
from grants.projects.agreement import agreement_versions
from grants.projects.models import Project, Report, ReportKind
from grants.projects.reports import reports_query

SPOOL_BYTES = 16 * 1024 * 1024
DOCUMENT_LOCALE = "zh_CN"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def _yuan(fen: int | None) -> str:
    return f"¥{(fen or 0) / 100:,.2f}"


def _when(moment) -> str:
    return clock.to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def safe_name(name: str, limit: int = 80) -> str:
    """A file or folder name without separators or control characters."""
    return (_UNSAFE.sub("_", name or "").strip(" .") or "_")[:limit]


def _head(project: Project) -> dict:
    return {"issuer": current_app.config["CERT_ISSUER_NAME"], "project_title": project.title,
            "challenge_title": project.challenge.title, "organization": project.lead_org.name,
            "lead_name": project.lead_person.name if project.lead_person else ""}


def agreement_values(project: Project, version) -> dict:
    data = version.snapshot
    return {**_head(project), "number": version.number, "confirmed_at": _when(version.confirmed_at),
            "start_on": data.get("start_on", ""), "end_on": data.get("end_on", ""),
            **{key: _yuan(data.get(f"{key}_fen")) for key in ("equipment", "materials", "personnel", "other")},
            "milestones": [{"due_on": str(m.get("due_on", "")), "title": m.get("title", ""),
                            "deliverables": m.get("deliverables", "")} for m in data.get("milestones", [])],
            "indicators": [{"name": i.get("name", ""), "unit": i.get("unit", ""), "baseline": i.get("baseline", ""),
                            "target": i.get("target", ""), "binding": bool(i.get("binding"))}
                           for i in data.get("indicators", [])],
            "tranches": [{"amount": _yuan(t.get("amount_fen")), "milestone": t.get("milestone")}
                         for t in data.get("tranches", [])]}


def _report_title(report: Report) -> str:
    if report.kind == ReportKind.final:
        return _("Final report")
    return _("Progress report: %(milestone)s", milestone=report.milestone.title)


def report_values(project: Project, report: Report) -> dict:
    indicators = {i.id: i for i in project.indicators}
    decision = {"approved": _("approved"), "returned": _("returned for revision")}.get(report.decision or "", "")
    return {**_head(project), "title": _report_title(report),
            "milestone": report.milestone.title if report.milestone else "",
            "submitted_at": _when(report.submitted_at),
            "submitted_by": report.submitted_by.display_name if report.submitted_by else "",
            "decision": decision, "decided_at": _when(report.decided_at), "decision_comment": report.decision_comment or "",
            "text": report.text,
            "indicator_values": [{"name": indicators[v.indicator_id].name, "target": indicators[v.indicator_id].target,
                        "value": v.value} for v in report.values if v.indicator_id in indicators],
            "files": [f.original_filename for f in report.files]}


def opinions_values(project: Project) -> dict:
    """Every round's submitted judgements and confirmed outcome."""
    names = {i.id: i.name for i in project.indicators}
    submitted = db.session.scalars(
        sa.select(Judgement).where(Judgement.project_id == project.id, Judgement.submitted_at.is_not(None))
        .options(sa.orm.selectinload(Judgement.indicators)).order_by(Judgement.round, Judgement.id)).all()
    decided = {d.round: d for d in decisions.decisions_of(project)}
    rounds = sorted({j.round for j in submitted} | set(decided))
    return {**_head(project), "rounds": [{
        "round": n,
        "decision": _decision_values(decided[n]) if n in decided else None,
        "judgements": [{"score": j.score, "opinion": j.opinion, "submitted_at": _when(j.submitted_at),
                        "indicators": [{"name": names.get(i.indicator_id, ""), "met": i.met, "value": i.value}
                                       for i in j.indicators]}
                       for j in submitted if j.round == n]} for n in rounds]}


def _decision_values(decision) -> dict:
    return {"outcome": decision.outcome_label, "mean_score": f"{decision.mean_score:g}",
            "decided_at": _when(decision.decided_at), "conclusion": decision.conclusion, "fixes": decision.fixes,
            "deadline_on": decision.deadline_on.isoformat() if decision.outcome == Outcome.rectifying else ""}


@dataclass(frozen=True)
class Entry:
    name: str  # the path inside the ZIP
    data: bytes | None = None  # rendered or stored bytes
    path: str | None = None  # or a stored file on disk


def archive_entries(project: Project) -> list[Entry]:
    """What goes into the ZIP, in order, with unique names."""
    from grants.certificates.models import Certificate
    from grants.certificates.pdf import render_document

    entries: list[Entry] = []
    with force_locale(DOCUMENT_LOCALE):
        for version in agreement_versions(project):
            entries.append(Entry(_("Task agreement") + f"/{_('Task agreement, version %(n)s', n=version.number)}.pdf",
                                 render_document("archive/agreement.html", agreement_values(project, version))))
        reports = sorted(db.session.scalars(reports_query(project)).unique().all(),
                         key=lambda r: (r.kind == ReportKind.final, r.submitted_at, r.id))
        for position, report in enumerate(reports, start=1):
            entries.extend(_report_entries(project, report, position))
        entries.append(Entry(_("Opinions of the acceptance panel") + ".pdf",
                             render_document("archive/opinions.html", opinions_values(project))))
        certificates = db.session.scalars(sa.select(Certificate).where(Certificate.project_id == project.id)
                                          .order_by(Certificate.id)).all()
        for certificate in (c for c in certificates if c.is_rendered):  # a PDF still being prepared is left out
            entries.append(Entry(f"{_('Acceptance certificate')} {certificate.number}.pdf", certificate.pdf))
    return _unique(entries)


def _report_entries(project: Project, report: Report, position: int) -> list[Entry]:
    folder_kind = _("Final report") if report.kind == ReportKind.final else _("Progress reports")
    folder = f"{folder_kind}/{position:02d} {safe_name(_report_title(report), 60)} " \
             f"{clock.to_local(report.submitted_at):%Y-%m-%d}"
    entries = [Entry(f"{folder}/{_('Report')}.pdf", _render_report(project, report))]
    for file in report.files:
        entries.append(Entry(f"{folder}/{safe_name(file.original_filename, 120)}",
                             path=str(attachments.path_of(file.stored_name))))
    return entries


def _render_report(project: Project, report: Report) -> bytes:
    from grants.certificates.pdf import render_document

    return render_document("archive/report.html", report_values(project, report))


def _unique(entries: list[Entry]) -> list[Entry]:
    seen: set[str] = set()
    unique = []
    for entry in entries:
        name, n = entry.name, 1
        while name in seen:
            n += 1
            stem, dot, ext = entry.name.rpartition(".")
            name = f"{stem} ({n}).{ext}" if dot else f"{entry.name} ({n})"
        seen.add(name)
        unique.append(Entry(name, entry.data, entry.path))
    return unique


def archive_name(project: Project) -> str:
    with force_locale(DOCUMENT_LOCALE):
        return f"{safe_name(project.title, 60)} {_('project file')}.zip"


def build_archive(project: Project, *, actor) -> IO[bytes]:
    """The project's file as a ZIP, positioned at its start, for the bureau, the team and the enterprise."""
    can.enforce("acceptance.download_archive", actor, project)
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    # PDFs are compressed already: stored as they are
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for entry in archive_entries(project):
            if entry.path is None:
                archive.writestr(entry.name, entry.data)
            elif Path(entry.path).is_file():
                archive.write(entry.path, entry.name)
            else:
                with force_locale(DOCUMENT_LOCALE):
                    archive.writestr(entry.name + ".txt", _("This file is missing from the file store."))
    out.seek(0)
    return out
