"""The officer's view across all projects: state, next milestone due, overdue
milestones and funds released against planned, in one query per page
whatever the number of projects, milestones or tranches."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination

from grants.core import exports
from grants.extensions import db
from grants.projects.models import Milestone, MilestoneState, Project, Tranche, TrancheState, overdue_clause

SORTS = ("next_due", "overdue", "title", "state", "released")


def monitoring_query(today: date, *, state: str | None = None, q: str | None = None,
                     overdue_only: bool = False, sort: str = "next_due"):
    """Rows of (Project, next_due_on, overdue, planned_fen, released_fen)."""
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
    query = sa.select(Project, next_due, overdue, planned, released)
    if state:
        query = query.where(Project.state == state)
    if q:
        query = query.where(Project.title.contains(q.strip(), autoescape=True))
    if overdue_only:
        query = query.where(overdue > 0)
    order = {"next_due": (next_due.is_(None), next_due), "overdue": (overdue.desc(),),
             "title": (Project.title,), "state": (Project.state,), "released": (released.desc(),)}
    return query.order_by(*order.get(sort, order["next_due"]), Project.id)


class RowPagination(Pagination):
    """A page of rows (several columns), for the shared pagination macro."""

    def _query_items(self) -> list:
        select = self._query_args["select"]
        return list(db.session.execute(select.limit(self.per_page).offset(self._query_offset)).all())

    def _query_count(self) -> int:
        sub = self._query_args["select"].order_by(None).subquery()
        return db.session.execute(sa.select(sa.func.count()).select_from(sub)).scalar()


def _records(rows) -> tuple[list, list]:
    header = [_("Project"), _("Lead organisation"), _("Status"), _("Next milestone due"),
              _("Overdue milestones"), _("Planned (yuan)"), _("Released (yuan)")]
    records = [[project.title, project.lead_org.name, project.state_label,
                next_due_on.isoformat() if next_due_on else "", overdue,
                f"{planned / 100:.2f}", f"{released / 100:.2f}"]
               for project, next_due_on, overdue, planned, released in rows]
    return header, records


def export_csv(rows) -> bytes:
    header, records = _records(rows)
    return exports.csv_bytes(header, records)


def export_xlsx(rows) -> bytes:
    header, records = _records(rows)
    return exports.xlsx_bytes(_("Projects"), records, header=header)
