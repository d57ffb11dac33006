"""Reminders of milestones falling due or overdue.

``flask tick`` records one reminder event per milestone and kind for each due
date (an amendment that moves the date brings a new one); the dashboard shows
the team and the bureau what is due within :data:`DUE_SOON_DAYS` days or late.
Overdue is always derived from the due date and the clock.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from grants.core import audit, clock
from grants.core.history import ACTION_LABELS
from grants.core.permissions import can
from grants.core.registry import add_panel, tick_job
from grants.extensions import db
from grants.projects import permissions
from grants.projects.models import Milestone, MilestoneState, Project, ProjectState

DUE_SOON_DAYS = 14
OPEN = (MilestoneState.pending, MilestoneState.returned)

ACTION_LABELS.update({"remind_due_soon": _l("Reminder: milestone due soon"),
                      "remind_overdue": _l("Reminder: milestone overdue")})


def _open_milestones():
    return (sa.select(Milestone).join(Project, Project.id == Milestone.project_id)
            .where(Project.state == ProjectState.active, Milestone.state.in_(OPEN)))


@tick_job("milestone_reminders", order=70)
def send_milestone_reminders() -> int:
    """Remind once per due date: a milestone due within two weeks, and one now overdue."""
    today = clock.today()
    sent = 0
    soon = db.session.scalars(_open_milestones().where(
        Milestone.due_on >= today, Milestone.due_on <= today + timedelta(days=DUE_SOON_DAYS),
        sa.or_(Milestone.due_soon_reminded_for.is_(None), Milestone.due_soon_reminded_for != Milestone.due_on))
        .order_by(Milestone.id)).all()
    for milestone in soon:
        milestone.due_soon_reminded_for = milestone.due_on
        audit.record(milestone, "remind_due_soon", comment=_("Milestone “%(title)s” is due on %(day)s.",
                                                            title=milestone.title, day=milestone.due_on.isoformat()))
        sent += 1
    late = db.session.scalars(_open_milestones().where(
        Milestone.due_on < today,
        sa.or_(Milestone.overdue_reminded_for.is_(None), Milestone.overdue_reminded_for != Milestone.due_on))
        .order_by(Milestone.id)).all()
    for milestone in late:
        milestone.overdue_reminded_for = milestone.due_on
        audit.record(milestone, "remind_overdue", comment=_("Milestone “%(title)s” was due on %(day)s and is "
                                                           "overdue.", title=milestone.title,
                                                           day=milestone.due_on.isoformat()))
        sent += 1
    db.session.flush()
    return sent


def milestones_panel(user):
    """Milestones of the user's projects (every project for officers) due soon or overdue."""
    today = clock.today()
    query = _open_milestones().where(Milestone.due_on <= today + timedelta(days=DUE_SOON_DAYS))
    if not can("projects.monitor", user=user):
        query = query.where(Project.lead_org_id == user.organization_id)
    rows = db.session.scalars(query.order_by(Milestone.due_on, Milestone.id).limit(10)).all()
    if not rows:
        return None
    return Markup(render_template("projects/_panel.html", rows=rows, today=today))


add_panel(_l("Milestones due soon or overdue"), permissions.MILESTONE_WATCHERS, milestones_panel, order=30)
