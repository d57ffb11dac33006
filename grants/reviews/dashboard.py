"""Dashboard panel of the review area: the reviewer's pending assignments."""
from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from grants.core.registry import add_panel
from grants.reviews import permissions, services


def reviewer_panel(user):
    pending = services.pending_assignments_of(user)
    if not pending:
        return None
    return Markup(render_template("reviews/_reviewer_panel.html", assignments=pending))


add_panel(_l("Reviews waiting for you"), permissions.EXPERTS, reviewer_panel, order=20)
