"""Dashboard of the review area: the reviewer's pending assignments, and the work
queues of the reviewer (declare, score) and of the bureau (reviews in progress)."""
from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from grants.core.registry import QueueItem, add_panel, add_queue
from grants.reviews import permissions, services
from grants.reviews.models import AssignmentState


def reviewer_panel(user):
    pending = services.pending_assignments_of(user)
    if not pending:
        return None
    return Markup(render_template("reviews/_reviewer_panel.html", assignments=pending))


def _deadline(entry) -> str | None:
    if not entry.count:
        return None
    detail = _("next due on %(day)s", day=entry.next_due.isoformat())
    if entry.overdue:
        detail += " · " + _("%(n)s overdue", n=entry.overdue)
    return detail


def reviewer_queue(user) -> list[QueueItem]:
    counts = services.reviewer_queue(user)
    to_accept, to_score = counts[AssignmentState.assigned], counts[AssignmentState.accepted]
    return [QueueItem(_("Assignments to accept (declare conflicts)"), to_accept.count, url_for("reviews.mine"),
                      _deadline(to_accept)),
            QueueItem(_("Assignments to score"), to_score.count, url_for("reviews.mine"), _deadline(to_score))]


def bureau_queue(user) -> list[QueueItem]:
    progress = services.review_progress()
    detail = (_("%(done)s of %(total)s reviews submitted (%(percent)s%%)", done=progress.submitted,
                total=progress.expected, percent=progress.percent) if progress.challenges else None)
    return [QueueItem(_("Reviews in progress"), progress.challenges,
                      url_for("reviews.challenges", state="reviewing"), detail)]


add_panel(_l("Reviews waiting for you"), permissions.EXPERTS, reviewer_panel, order=20)
add_queue(permissions.EXPERTS, reviewer_queue, order=20)
add_queue(permissions.PANEL_KEEPERS, bureau_queue, order=20)
