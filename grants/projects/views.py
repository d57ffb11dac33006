"""Project pages: the project and its task agreement, exceptions and history.

Milestones, reports, funds and the request for acceptance: ``progress_views``.
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm  # noqa: F401  (sa.orm loaders)
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from grants.core.models import AuditEvent
from grants.core.permissions import Role, has_role, permission_required
from grants.core.registry import QueueItem, add_nav, add_queue
from grants.core.rows import rows_changed
from grants.core.web import perform
from grants.core.workflow import fire
from grants.extensions import db
from grants.projects import agreement as agreements
from grants.projects import bp, services
from grants.projects import permissions as can
from grants.projects.forms import AGREEMENT_FIELDS, AgreementForm, ConfirmForm
from grants.projects.models import Milestone, Project, ProjectState, Tranche
from grants.projects.workflow import PROJECT_WORKFLOW

add_nav(_l("Projects"), "projects.index", can.PROJECT_READERS, order=30)

# Transitions with a button of their own elsewhere on the page.
NOT_BUTTONS = {"sign", "request_acceptance", "resume_contracting"}


def get_project(project_id: int) -> Project:
    """The project with its agreement rows, if this user may see it; otherwise 404."""
    project = db.session.scalar(
        sa.select(Project).where(Project.id == project_id)
        .options(sa.orm.joinedload(Project.challenge), sa.orm.joinedload(Project.agreement),
                 sa.orm.joinedload(Project.lead_person), sa.orm.selectinload(Project.milestones),
                 sa.orm.selectinload(Project.indicators),
                 sa.orm.selectinload(Project.tranches).joinedload(Tranche.released_by)))
    if project is None or can.can_view(current_user, project) is not None:
        abort(404)
    return project


def page_context(project: Project, tab: str) -> dict:
    """What the header and tabs of every project page show."""
    transitions = [t for t in PROJECT_WORKFLOW.available(project, current_user) if t.name not in NOT_BUTTONS]
    return {"project": project, "tab": tab, "transitions": transitions, "user": current_user,
            "funding": services.funding_summary(project)}


@bp.get("/")
@permission_required("projects.list")
def index():
    page = db.paginate(services.projects_visible_to(current_user), per_page=current_app.config["PER_PAGE"],
                       error_out=False)
    return render_template("projects/index.html", page=page)


@bp.get("/<int:project_id>")
@login_required
def show(project_id: int):
    project = get_project(project_id)
    return render_template("projects/show.html", **page_context(project, "agreement"),
                           data=agreements.agreement_data(project), versions=agreements.agreement_versions(project),
                           midway=can.midway_milestone(project), confirm_form=ConfirmForm())


@bp.route("/<int:project_id>/agreement", methods=["GET", "POST"])
@login_required
def edit_agreement(project_id: int):
    project = get_project(project_id)
    reason = can.can_edit_agreement(current_user, project)
    if reason:
        flash(reason, "warning")
        return redirect(url_for("projects.show", project_id=project.id))
    form = AgreementForm()
    if request.method == "GET" and project.agreement is not None:
        form.fill_from(agreements.agreement_data(project), project.agreement.version)
    if not rows_changed(form) and form.validate_on_submit():
        if perform(lambda: agreements.edit_agreement(project, actor=current_user, data=form.to_data(),
                                                     expected_version=form.version.data or None),
                   _("The task agreement was saved; the three parties confirm it again."),
                   form=form, mapping=AGREEMENT_FIELDS):
            return redirect(url_for("projects.show", project_id=project.id))
    return render_template("projects/agreement_form.html", project=project, form=form)


@bp.post("/<int:project_id>/agreement/draft")
@login_required
def draft_agreement(project_id: int):
    project = get_project(project_id)
    if ConfirmForm().validate_on_submit():
        def draft():
            can.enforce(can.can_edit_agreement(current_user, project))
            return agreements.draft_agreement(project, actor=current_user)

        perform(draft, _("The task agreement was drafted from the winning bid."))
    return redirect(url_for("projects.show", project_id=project.id))


@bp.post("/<int:project_id>/agreement/confirm")
@login_required
def confirm_agreement(project_id: int):
    project = get_project(project_id)
    if ConfirmForm().validate_on_submit():
        perform(lambda: agreements.confirm_agreement(project, actor=current_user,
                                                     expected_version=request.form.get("version") or None),
                _("You confirmed the task agreement."))
    return redirect(url_for("projects.show", project_id=project.id))


@bp.get("/<int:project_id>/agreement/versions/<int:number>")
@login_required
def agreement_version(project_id: int, number: int):
    project = get_project(project_id)
    version = agreements.agreement_version(project, number)
    if version is None:
        abort(404)
    return render_template("projects/version.html", **page_context(project, "agreement"), version=version,
                           data=version.snapshot)


@bp.post("/<int:project_id>/do/<name>")
@login_required
def act(project_id: int, name: str):
    """Suspend, resume or terminate (the page asked for confirmation first)."""
    project = get_project(project_id)
    comment, version = request.form.get("comment"), request.form.get("version")
    if name == "resume":
        action = lambda: services.resume_project(project, actor=current_user, comment=comment,  # noqa: E731
                                                 expected_version=version)
    else:
        action = lambda: fire(project, name, current_user, comment=comment,  # noqa: E731
                              expected_version=version)
    label = PROJECT_WORKFLOW.transitions[name].label if name in PROJECT_WORKFLOW.transitions else None
    perform(action, _("Done: %(action)s.", action=label) if label else None)
    return redirect(url_for("projects.show", project_id=project.id))


@bp.post("/<int:project_id>/waive")
@login_required
def waive(project_id: int):
    project = get_project(project_id)
    if ConfirmForm().validate_on_submit():
        perform(lambda: services.waive_midway_check(project, actor=current_user,
                                                    comment=request.form.get("comment")),
                _("The mid-way expert check was waived."))
    return redirect(url_for("projects.show", project_id=project.id))


@bp.get("/<int:project_id>/history")
@login_required
def history(project_id: int):
    """Events of the project, its milestones and its tranches, oldest first, paged."""
    project = get_project(project_id)
    objects = sa.or_(
        sa.and_(AuditEvent.object_type == "project", AuditEvent.object_id == project.id),
        sa.and_(AuditEvent.object_type == "milestone", AuditEvent.object_id.in_(
            sa.select(Milestone.id).where(Milestone.project_id == project.id))),
        sa.and_(AuditEvent.object_type == "tranche", AuditEvent.object_id.in_(
            sa.select(Tranche.id).where(Tranche.project_id == project.id))))
    page = db.paginate(sa.select(AuditEvent).where(objects).order_by(AuditEvent.id),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("projects/history.html", **page_context(project, "history"), page=page)


# monitoring across projects (officers) ---------------------------------------------

add_nav(_l("Project monitoring"), "projects.monitor", can.MONITORS, order=31)


def _monitoring_select():
    from grants.core import clock
    from grants.projects.monitoring import filters_from_args, monitoring_query

    filters = filters_from_args(request.args)
    return monitoring_query(clock.today(), **filters), filters


@bp.get("/monitor")
@permission_required("projects.monitor")
def monitor():
    from grants.projects import monitoring

    select, filters = _monitoring_select()
    page = monitoring.paginate(select, per_page=current_app.config["PER_PAGE"])
    return render_template("projects/monitor.html", page=page, sort=filters["sort"], state=filters["state"],
                           flag=filters["flag"], flag_labels=monitoring.FLAG_LABELS, states=ProjectState,
                           labels=PROJECT_WORKFLOW.states)


@bp.get("/monitor.csv")
@permission_required("projects.monitor")
def monitor_csv():
    return _monitor_file("csv")


@bp.get("/monitor.xlsx")
@permission_required("projects.monitor")
def monitor_xlsx():
    return _monitor_file("xlsx")


def _monitor_file(fmt: str):
    """The monitoring list as filtered on the page, every row, as CSV or XLSX."""
    from grants.core import clock, exports
    from grants.projects.monitoring import export_csv, export_xlsx, read_all

    select, _filters = _monitoring_select()
    items = read_all(select)
    body, mimetype = ((export_csv(items), exports.CSV_MIMETYPE) if fmt == "csv"
                      else (export_xlsx(items), exports.XLSX_MIMETYPE))
    name = f"projects-{clock.today().isoformat()}.{fmt}"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={name}"})


# work queues -------------------------------------------------------------------------

def bureau_queue(user) -> list[QueueItem]:
    counts = services.bureau_queue()
    return [QueueItem(_("Task agreements to draft and confirm"), counts["agreements"],
                      url_for("projects.monitor", state="contracting")),
            QueueItem(_("Milestone reports to review"), counts["reports"],
                      url_for("projects.monitor", state="active", sort="next_due")),
            QueueItem(_("Tranches to release"), counts["tranches"], url_for("projects.monitor", state="active"))]


def party_queue(user) -> list[QueueItem]:
    counts = services.party_queue(user)
    items = [QueueItem(_("Task agreements to confirm"), counts["agreements"], url_for("projects.index"))]
    if has_role(user, Role.BIDDERS):
        items.append(QueueItem(_("Milestone reports due within %(days)s days or overdue",
                                 days=services.REPORTS_DUE_DAYS), counts["reports"], url_for("projects.index")))
    return items


add_queue(can.MONITORS, bureau_queue, order=40)
add_queue(Role.ORGANISATION_MEMBERS, party_queue, order=40)
