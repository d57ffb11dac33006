"""Public pages (statistics, award notices, the project library) and the help pages."""
from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from grants.acceptance import services as acceptance
from grants.awards import services as awards
from grants.challenges import services as challenges
from grants.challenges.models import FIELD_LABELS, PUBLIC_STATES
from grants.core.charts import Chart, Series
from grants.core.permissions import Role
from grants.core.registry import add_nav
from grants.extensions import db
from grants.overview import bp
from grants.projects import services as projects
from grants.projects.models import PROJECT_STATE_LABELS

add_nav(_l("Award notices"), "overview.notices", {"*"}, order=13)
add_nav(_l("Project library"), "overview.library", {"*"}, order=14)
add_nav(_l("Statistics"), "overview.stats", {"*"}, order=15)
add_nav(_l("Help"), "overview.help", {"*"}, order=98)


def plan_figures() -> dict:
    """The bureau plan's figures, each counted by the area that owns it."""
    library = projects.library_figures()
    outcomes = acceptance.acceptance_outcomes()
    decided = outcomes["passed"] + outcomes["failed"]
    return {
        "published": challenges.count_published(),
        "library": library["projects"],
        "target": library["target"],
        "library_percent": min(100, round(100 * library["projects"] / library["target"])),
        "awarded_fen": library["awarded_fen"],
        "passed": outcomes["passed"],
        "decided": decided,
        "pass_rate": round(100 * outcomes["passed"] / decided) if decided else None,
    }


@bp.get("/stats")
def stats():
    figures = plan_figures()
    by_field = challenges.count_by_field(PUBLIC_STATES)
    fields = [f for f in FIELD_LABELS if by_field.get(f)]
    field_chart = Chart("chart-public-fields", _("Published challenges by field"),
                        [FIELD_LABELS[f] for f in fields], [Series(_("Challenges"), [by_field[f] for f in fields])],
                        links=[url_for("challenges.board", field=f.value) for f in fields],
                        list_url=url_for("challenges.board"), horizontal=True)
    library_chart = Chart("chart-public-library", _("Project library against the target"),
                          [_("In the library"), _("Still to reach the target")],
                          [Series(_("Projects"), [figures["library"], max(0, figures["target"] - figures["library"])])],
                          kind="doughnut", links=[url_for("overview.library"), None],
                          list_url=url_for("overview.library"))
    return render_template("overview/stats.html", figures=figures, charts=[field_chart, library_chart])


@bp.get("/notices")
def notices():
    page = db.paginate(awards.public_notices_query(), per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("overview/notices.html", page=page, notices=awards.notices_of(page.items))


@bp.get("/library")
def library():
    q = request.args.get("q", "").strip()
    page = db.paginate(projects.library_query(q), per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("overview/library.html", page=page, q=q, figures=projects.library_figures(),
                           state_labels=PROJECT_STATE_LABELS, field_labels=FIELD_LABELS)


ANONYMOUS = "anonymous"  # the public: help for visitors who are not signed in
HELP_ROLES = (ANONYMOUS, *(r.value for r in Role))


@bp.get("/help", endpoint="help")
def help_page():
    role = current_user.role if current_user.is_authenticated else ANONYMOUS
    return help_for(role)


@bp.get("/help/<role>")
def help_for(role: str):
    if role not in HELP_ROLES:  # one template per role: templates/overview/help/<role>.html
        abort(404)
    return render_template("overview/help.html", role=role, roles=HELP_ROLES, role_labels=role_labels())


def role_labels() -> dict:
    from grants.auth.models import ROLE_LABELS

    labels = {str(k): v for k, v in ROLE_LABELS.items()}
    labels[ANONYMOUS] = _l("The public")
    return labels

