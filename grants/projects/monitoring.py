"""The officer's view across all projects: state, next milestone due, overdue
milestones, funds released against planned and red flags, in one query per page
whatever the number of projects, milestones, reports or tranches.

The page, its CSV and XLSX files and ``GET /api/v1/projects/monitoring`` all
read :func:`monitoring_query` with the same filters (:func:`filters_from_args`
for the page's lenient query string, the API's schema for the API).

Red flags (:data:`FLAGS`), answered in SQL for each row:

* ``overdue_30``: a milestone overdue by more than 30 days, i.e. not approved
  and due before today minus 30 days (:func:`overdue_clause` on that day, so
  29 days late is not flagged, 31 days is);
* ``integrity``: a black entry in force today names the lead (by ID number) or
  the lead organisation (by credit code)
  (:func:`grants.integrity.check.listed_clause`, the SQL form of the
  integrity check that guards the workflows);
* ``returned_twice``: the project's last two decisions on progress reports,
  whatever their milestone, in the order they were made (``decided_at``, then
  id), were both returns. The source is the report rows
  (``project_reports.decision``), which the milestone's ``approve`` and
  ``return_for_revision`` transitions stamp with their decision and time
  (:func:`grants.projects.rules.stamp_decision`): the same facts as the audit
  events, by project, without reading the audit log. An approval in between,
  of any milestone, ends the run: return, approve, return is not flagged.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants.auth.models import Organization, Person
from grants.core import exports
from grants.core.pagination import RowPagination
from grants.extensions import db
from grants.integrity.check import listed_clause
from grants.projects.models import (Milestone, MilestoneState, Project, ProjectState, Report, Tranche,
                                    TrancheState, overdue_clause)

SORTS = ("next_due", "overdue", "title", "state", "released", "flags")
OVERDUE_FLAG_DAYS = 30
FLAGS = ("overdue_30", "integrity", "returned_twice")
FLAG_LABELS = {
    "overdue_30": _l("Overdue over 30 days"),
    "integrity": _l("Lead or organisation black-listed"),
    "returned_twice": _l("Reports returned twice in a row"),
}
# The flag filter: ``any`` (only flagged projects) or one flag.
FLAG_FILTERS = ("any", *FLAGS)


def filters_from_args(args) -> dict:
    """The page's filters from its query string; anything unknown is ignored, not refused."""
    state = args.get("state") or None
    flag = args.get("flag") or None
    return {"state": state if state in {s.value for s in ProjectState} else None,
            "q": args.get("q") or None,
            "overdue_only": args.get("overdue") == "1",
            "flag": flag if flag in FLAG_FILTERS else None,
            "sort": args.get("sort") if args.get("sort") in SORTS else "next_due"}


def _decision(n: int):
    """The project's ``n``-th latest decision on a progress report (0: the latest), or NULL."""
    return (sa.select(Report.decision)
            .where(Report.project_id == Project.id, Report.decision.is_not(None))
            .order_by(Report.decided_at.desc(), Report.id.desc())
            .limit(1).offset(n).scalar_subquery())


def flag_clauses(today: date) -> dict:
    """Each red flag as an SQL condition on ``Project`` (see the module's docstring)."""
    # Two levels down (inside the EXISTS): correlated to the list's project by name.
    lead_org_code = (sa.select(Organization.credit_code).where(Organization.id == Project.lead_org_id)
                     .correlate(Project).scalar_subquery())
    lead_id_number = (sa.select(Person.id_number).where(Person.id == Project.lead_person_id)
                      .correlate(Project).scalar_subquery())
    return {
        "overdue_30": sa.exists().where(Milestone.project_id == Project.id,
                                        overdue_clause(today - timedelta(days=OVERDUE_FLAG_DAYS))),
        "integrity": listed_clause(today, organization_code=lead_org_code, person_code=lead_id_number),
        "returned_twice": sa.and_(_decision(0) == "returned", _decision(1) == "returned"),
    }


def monitoring_query(today: date, *, state: str | None = None, q: str | None = None,
                     overdue_only: bool = False, flag: str | None = None, sort: str = "next_due"):
    """Rows of (Project, next_due_on, overdue, planned_fen, released_fen, one column per flag);
    :func:`rows` makes them :class:`MonitoringRow`. ``flag``: ``any`` or one of :data:`FLAGS`."""
    next_due = (sa.select(sa.func.min(Milestone.due_on))
                .where(Milestone.project_id == Project.id, Milestone.state != MilestoneState.approved)
                .scalar_subquery().label("next_due_on"))
    overdue = (sa.select(sa.func.count(Milestone.id))
               .where(Milestone.project_id == Project.id, overdue_clause(today))
               .scalar_subquery().label("overdue"))
    planned = (sa.select(sa.func.coalesce(sa.func.sum(Tranche.amount_fen), 0))
               .where(Tranche.project_id == Project.id).scalar_subquery().label("planned_fen"))
    released = (sa.select(sa.func.coalesce(sa.func.sum(Tranche.amount_fen), 0))
                .where(Tranche.project_id == Project.id, Tranche.state == TrancheState.released)
                .scalar_subquery().label("released_fen"))
    flags = flag_clauses(today)
    query = sa.select(Project, next_due, overdue, planned, released,
                      *(flags[name].label(name) for name in FLAGS))
    if state:
        query = query.where(Project.state == state)
    if q:
        query = query.where(Project.title.contains(q.strip(), autoescape=True))
    if overdue_only:
        query = query.where(overdue > 0)
    if flag == "any":
        query = query.where(sa.or_(*flags.values()))
    elif flag in flags:
        query = query.where(flags[flag])
    count = sum((sa.case((flags[name], 1), else_=0) for name in FLAGS), sa.literal(0))
    by_next_due = (next_due.is_(None), next_due)
    order = {"next_due": by_next_due, "overdue": (overdue.desc(),),
             "title": (Project.title,), "state": (Project.state,), "released": (released.desc(),),
             "flags": (count.desc(), *by_next_due)}
    return query.order_by(*order.get(sort, order["next_due"]), Project.id)


@dataclass
class MonitoringRow:
    project: Project
    next_due_on: date | None
    overdue: int
    planned_fen: int
    released_fen: int
    flags: list[str] = field(default_factory=list)  # of FLAGS, in that order

    @property
    def flag_labels(self) -> list[str]:
        return [str(FLAG_LABELS[name]) for name in self.flags]


def rows(result) -> list[MonitoringRow]:
    """:class:`MonitoringRow` of each row of :func:`monitoring_query` (booleans as SQLite or PostgreSQL give them)."""
    return [MonitoringRow(row[0], row.next_due_on, int(row.overdue or 0), int(row.planned_fen or 0),
                          int(row.released_fen or 0), [name for name in FLAGS if getattr(row, name)])
            for row in result]


def read_all(select) -> list[MonitoringRow]:
    return rows(db.session.execute(select).all())


class MonitoringPagination(RowPagination):
    """A page of :class:`MonitoringRow` (count capped as on other long lists)."""

    def _query_items(self) -> list:
        return rows(super()._query_items())


def paginate(select, *, per_page: int) -> MonitoringPagination:
    return MonitoringPagination(select=select, session=db.session(), per_page=per_page, error_out=False,
                                max_per_page=None)


def _records(items: list[MonitoringRow]) -> tuple[list, list]:
    header = [_("Project"), _("Lead organisation"), _("Status"), _("Next milestone due"),
              _("Overdue milestones"), _("Planned (yuan)"), _("Released (yuan)"), _("Red flags")]
    records = [[r.project.title, r.project.lead_org.name, r.project.state_label,
                r.next_due_on.isoformat() if r.next_due_on else "", r.overdue,
                f"{r.planned_fen / 100:.2f}", f"{r.released_fen / 100:.2f}", "; ".join(r.flag_labels)]
               for r in items]
    return header, records


def export_csv(items: list[MonitoringRow]) -> bytes:
    header, records = _records(items)
    return exports.csv_bytes(header, records)


def export_xlsx(items: list[MonitoringRow]) -> bytes:
    header, records = _records(items)
    return exports.xlsx_bytes(_("Projects"), records, header=header)
