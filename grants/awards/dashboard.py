"""Dashboard panel of the award area: what waits for the bureau across areas, open
objections to integrity entries and to proposed awards (the award area comes after
the integrity area, so it is the one that can count both)."""
from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from grants.awards import permissions, services
from grants.core.registry import add_panel
from grants.integrity import services as integrity


def open_objections_panel(user):
    """Open objections of both kinds; award objections are answered on review panels (the bureau)."""
    counts = [("integrity", integrity.count_open_objections()),
              ("award", services.count_open_objections())]
    return Markup(render_template("awards/_objections_panel.html", counts=dict(counts),
                                  total=sum(n for _, n in counts)))


add_panel(_l("Objections"), permissions.OBJECTION_KEEPERS, open_objections_panel, order=9)
