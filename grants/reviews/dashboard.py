"""Dashboard panels of the review area, and what waits for the bureau across areas:
open objections to integrity entries and to proposed awards (the review area comes
after the integrity area, so it is the one that can count both).
"""
from __future__ import annotations

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from grants.core.permissions import role_required
from grants.core.registry import add_panel
from grants.extensions import db
from grants.integrity import services as integrity
from grants.reviews import bp, services


@bp.get("/objections")
@role_required("officer")
def objections():
    """Objections to proposed awards that wait for an answer, each with its challenge's panel."""
    page = db.paginate(services.open_objections_query(), per_page=current_app.config["PER_PAGE"],
                       error_out=False)
    return render_template("reviews/objections.html", page=page)


def open_objections_panel(user):
    """Open objections of both kinds; award objections are answered on review panels (officers)."""
    counts = [("integrity", integrity.count_open_objections())]
    if user.role == "officer":
        counts.append(("award", services.count_open_objections()))
    return Markup(render_template("reviews/_objections_panel.html", counts=dict(counts),
                                  total=sum(n for _, n in counts)))


def reviewer_panel(user):
    pending = services.pending_assignments_of(user)
    if not pending:
        return None
    return Markup(render_template("reviews/_reviewer_panel.html", assignments=pending))


add_panel(_l("Objections"), {"officer", "admin"}, open_objections_panel, order=9)
add_panel(_l("Reviews waiting for you"), {"reviewer"}, reviewer_panel, order=20)
