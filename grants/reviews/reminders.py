"""Reminders of review deadlines.

``flask tick`` reminds a reviewer once three days before their assignment's due date
and once when it is overdue (an assignment whose deadline the officer moves is
reminded again for the new date); each reminder is an event on the assignment's
history and a notification in the reviewer's inbox. Overdue is always derived from
the due date and the clock, never stored.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants.core import audit, clock
from grants.core.history import ACTION_LABELS
from grants.core.registry import tick_job
from grants.extensions import db
from grants.notifications.services import link_for, notify
from grants.reviews.models import PENDING_ASSIGNMENT_STATES, ReviewAssignment

LAST_CALL_DAYS = 3

ACTION_LABELS.update({"remind_review_due": _l("Reminder: reviews due in three days"),
                      "remind_review_overdue": _l("Reminder: reviews overdue")})


def _not_yet(column):
    """Not yet reminded for the assignment's current due date."""
    return sa.or_(column.is_(None), column != ReviewAssignment.due_on)


def _pending():
    return sa.select(ReviewAssignment).where(ReviewAssignment.state.in_(PENDING_ASSIGNMENT_STATES))


def _remind(assignment: ReviewAssignment, kind: str, action: str, comment: str) -> None:
    audit.record(assignment, action, comment=comment)
    notify(assignment.reviewer, kind, link=link_for("reviews.assignment", assignment_id=assignment.id),
           about=assignment, challenge=assignment.challenge.title, day=assignment.due_on)


@tick_job("review_reminders", order=65)
def send_review_reminders() -> int:
    """Remind each reviewer with a pending assignment once three days before its due date and
    once overdue; how many reminders went out."""
    today = clock.today()
    sent = 0
    soon = db.session.scalars(_pending().where(
        ReviewAssignment.due_on >= today, ReviewAssignment.due_on <= today + timedelta(days=LAST_CALL_DAYS),
        _not_yet(ReviewAssignment.due_3_days_reminded_for)).order_by(ReviewAssignment.id)).all()
    for assignment in soon:
        assignment.due_3_days_reminded_for = assignment.due_on
        _remind(assignment, "reviews.due_in_3_days", "remind_review_due",
                _("The reviews for “%(challenge)s” are due on %(day)s.", challenge=assignment.challenge.title,
                  day=assignment.due_on.isoformat()))
        sent += 1
    late = db.session.scalars(_pending().where(
        ReviewAssignment.due_on < today, _not_yet(ReviewAssignment.overdue_reminded_for))
        .order_by(ReviewAssignment.id)).all()
    for assignment in late:
        assignment.overdue_reminded_for = assignment.due_on
        _remind(assignment, "reviews.overdue", "remind_review_overdue",
                _("The reviews for “%(challenge)s” were due on %(day)s and are overdue.",
                  challenge=assignment.challenge.title, day=assignment.due_on.isoformat()))
        sent += 1
    db.session.flush()
    return sent
