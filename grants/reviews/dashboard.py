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


def reviewer_queue(user) -> list[QueueItem]:
    counts = services.reviewer_queue(user)
    return [QueueItem(_("Assignments to accept (declare conflicts)"), counts[AssignmentState.assigned],
                      url_for("reviews.mine")),
            QueueItem(_("Assignments to score"), counts[AssignmentState.accepted], url_for("reviews.mine"))]


def bureau_queue(user) -> list[QueueItem]:
    progress = services.review_progress()
    detail = (_("%(done)s of %(total)s reviews submitted (%(percent)s%%)", done=progress.submitted,
                total=progress.expected, percent=progress.percent) if progress.challenges else None)
    return [QueueItem(_("Reviews in progress"), progress.challenges,
                      url_for("reviews.challenges", state="reviewing"), detail)]


add_panel(_l("Reviews waiting for you"), permissions.EXPERTS, reviewer_panel, order=20)
add_queue(permissions.EXPERTS, reviewer_queue, order=20)
add_queue(permissions.PANEL_KEEPERS, bureau_queue, order=20)
