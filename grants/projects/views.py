from __future__ import annotations

from flask import abort, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from grants.core import audit
from grants.core.registry import add_nav
from grants.extensions import db
from grants.projects import bp, services
from grants.projects.models import Project

add_nav(_l("Projects"), "projects.index", {"officer", "admin", "applicant", "enterprise"}, order=30)


@bp.get("/")
@login_required
def index():
    page = db.paginate(services.projects_visible_to(current_user), per_page=current_app.config["PER_PAGE"],
                       error_out=False)
    return render_template("projects/index.html", page=page)


@bp.get("/<int:project_id>")
@login_required
def show(project_id: int):
    project = db.session.get(Project, project_id)
    if project is None or not services.can_view(current_user, project):
        abort(404)
    return render_template("projects/show.html", project=project, events=audit.history(project))
