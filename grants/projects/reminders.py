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
from grants.projects import notices, permissions
from grants.projects.models import Milestone, MilestoneState, Project, ProjectState

DUE_SOON_DAYS = 14
LAST_CALL_DAYS = 3
OPEN = (MilestoneState.pending, MilestoneState.returned)

ACTION_LABELS.update({"remind_due_soon": _l("Reminder: milestone due soon"),
                      "remind_due_in_3_days": _l("Reminder: milestone due in three days"),
                      "remind_overdue": _l("Reminder: milestone overdue")})


def _open_milestones():
    return (sa.select(Milestone).join(Project, Project.id == Milestone.project_id)
            .where(Project.state == ProjectState.active, Milestone.state.in_(OPEN)))


def _not_yet(column):
    """Not yet reminded for the milestone's current due date (an amendment that moves it reminds again)."""
    return sa.or_(column.is_(None), column != Milestone.due_on)


@tick_job("milestone_reminders", order=70)
def send_milestone_reminders() -> int:
    """Remind the team once per due date and kind: 14 days before, 3 days before, and once
    overdue; each with an event on the milestone's history and a notification in the inbox.
    A milestone first seen within three days gets only the three-day reminder."""
    today = clock.today()
    sent = 0
    soon = db.session.scalars(_open_milestones().where(
        Milestone.due_on > today + timedelta(days=LAST_CALL_DAYS),
        Milestone.due_on <= today + timedelta(days=DUE_SOON_DAYS), _not_yet(Milestone.due_soon_reminded_for))
        .order_by(Milestone.id)).all()
    for milestone in soon:
        milestone.due_soon_reminded_for = milestone.due_on
        audit.record(milestone, "remind_due_soon", comment=_("Milestone “%(title)s” is due on %(day)s.",
                                                            title=milestone.title, day=milestone.due_on.isoformat()))
        notices.remind(milestone, "projects.due_in_14_days")
        sent += 1
    last_call = db.session.scalars(_open_milestones().where(
        Milestone.due_on >= today, Milestone.due_on <= today + timedelta(days=LAST_CALL_DAYS),
        _not_yet(Milestone.due_3_days_reminded_for)).order_by(Milestone.id)).all()
    for milestone in last_call:
        milestone.due_soon_reminded_for = milestone.due_3_days_reminded_for = milestone.due_on
        audit.record(milestone, "remind_due_in_3_days",
                     comment=_("Milestone “%(title)s” is due in three days or less, on %(day)s.",
                               title=milestone.title, day=milestone.due_on.isoformat()))
        notices.remind(milestone, "projects.due_in_3_days")
        sent += 1
    late = db.session.scalars(_open_milestones().where(
        Milestone.due_on < today, _not_yet(Milestone.overdue_reminded_for)).order_by(Milestone.id)).all()
    for milestone in late:
        milestone.overdue_reminded_for = milestone.due_on
        audit.record(milestone, "remind_overdue", comment=_("Milestone “%(title)s” was due on %(day)s and is "
                                                           "overdue.", title=milestone.title,
                                                           day=milestone.due_on.isoformat()))
        notices.remind(milestone, "projects.overdue")
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
