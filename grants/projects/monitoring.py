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


def _facts(today: date):
    """The per-project figures, each from one grouped pass over its table (not a subquery per
    project: the default order needs every project's next due date before the page is cut):
    milestones (next due, overdue count, overdue past the flag's days), tranches (planned,
    released) and the last two report decisions."""
    unapproved = Milestone.state != MilestoneState.approved
    milestones = (sa.select(Milestone.project_id.label("project_id"),
                            sa.func.min(sa.case((unapproved, Milestone.due_on))).label("next_due_on"),
                            sa.func.sum(sa.case((overdue_clause(today), 1), else_=0)).label("overdue"),
                            sa.func.max(sa.case((overdue_clause(today - timedelta(days=OVERDUE_FLAG_DAYS)), 1),
                                                else_=0)).label("late"))
                  .where(unapproved)  # an approved milestone is neither due nor overdue
                  .group_by(Milestone.project_id).subquery("milestone_facts"))
    released_amount = sa.case((Tranche.state == TrancheState.released, Tranche.amount_fen), else_=0)
    funds = (sa.select(Tranche.project_id.label("project_id"), sa.func.sum(Tranche.amount_fen).label("planned"),
                       sa.func.sum(released_amount).label("released"))
             .group_by(Tranche.project_id).subquery("fund_facts"))
    latest = sa.func.row_number().over(partition_by=Report.project_id,
                                       order_by=(Report.decided_at.desc(), Report.id.desc()))
    decisions = (sa.select(Report.project_id.label("project_id"), Report.decision.label("decision"),
                           latest.label("n"))
                 .where(Report.decision.is_not(None)).subquery("decisions"))
    returns = (sa.select(decisions.c.project_id,
                         sa.func.sum(sa.case((decisions.c.decision == "returned", 1), else_=0)).label("returns"))
               .where(decisions.c.n <= 2).group_by(decisions.c.project_id).subquery("return_facts"))
    return milestones, funds, returns


def monitoring_query(today: date, *, state: str | None = None, q: str | None = None,
                     overdue_only: bool = False, flag: str | None = None, sort: str = "next_due"):
    """Rows of (Project, next_due_on, overdue, planned_fen, released_fen, one column per flag);
    :func:`rows` makes them :class:`MonitoringRow`. ``flag``: ``any`` or one of :data:`FLAGS`."""
    milestones, funds, returns = _facts(today)
    lead_org, lead = sa.orm.aliased(Organization), sa.orm.aliased(Person)
    next_due = milestones.c.next_due_on
    overdue = sa.func.coalesce(milestones.c.overdue, 0)
    released = sa.func.coalesce(funds.c.released, 0)
    flags = {
        "overdue_30": sa.func.coalesce(milestones.c.late, 0) == 1,
        "integrity": listed_clause(today, organization_code=lead_org.credit_code, person_code=lead.id_number),
        "returned_twice": sa.func.coalesce(returns.c.returns, 0) == 2,
    }
    query = (sa.select(Project, next_due.label("next_due_on"), overdue.label("overdue"),
                       sa.func.coalesce(funds.c.planned, 0).label("planned_fen"), released.label("released_fen"),
                       *(flags[name].label(name) for name in FLAGS))
             .join(lead_org, lead_org.id == Project.lead_org_id)
             .outerjoin(lead, lead.id == Project.lead_person_id)
             .outerjoin(milestones, milestones.c.project_id == Project.id)
             .outerjoin(funds, funds.c.project_id == Project.id)
             .outerjoin(returns, returns.c.project_id == Project.id))
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
