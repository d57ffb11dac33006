"""Acceptance pages: the officer's page per project (panel, progress, outcome,
certificate) and the reviewer's judging page, listed on their dashboard."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from grants.acceptance import archive, bp, decisions, pages, services
from grants.acceptance.forms import ActionForm, JudgementForm, OutcomeForm
from grants.auth.models import User
from grants.core.permissions import Role, can, permission_required
from grants.core.registry import QueueItem, add_nav, add_panel, add_queue
from grants.core.web import perform
from grants.extensions import db
from grants.projects.models import Project, ProjectState

add_nav(_l("Acceptance"), "acceptance.index", Role.BUREAU, order=32)


def get_visible(project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    if project is None or not can("acceptance.view", project):
        abort(404)
    return project


def _back(project: Project):
    return redirect(url_for("acceptance.show", project_id=project.id))


@bp.get("/")
@permission_required("acceptance.oversee")
def index():
    page = db.paginate(pages.projects_in_acceptance_query(), per_page=current_app.config["PER_PAGE"],
                       error_out=False)
    return render_template("acceptance/index.html", page=page)


@bp.get("/projects/<int:project_id>")
@permission_required("acceptance.oversee")
def show(project_id: int):
    project = get_visible(project_id)
    return render_template("acceptance/show.html", **pages.officer_page(project), form=ActionForm(),
                           outcome_form=OutcomeForm(version=project.version))


@bp.post("/projects/<int:project_id>/panel")
@permission_required("acceptance.oversee")
def form_panel(project_id: int):
    project = get_visible(project_id)
    if ActionForm().validate_on_submit():
        reviewers = [db.session.get(User, int(i)) for i in request.form.getlist("reviewer_id") if i.isdigit()]
        observer_id = request.form.get("observer_id", "")
        observer = db.session.get(User, int(observer_id)) if observer_id.isdigit() else None
        perform(lambda: services.form_panel(project, [r for r in reviewers if r], actor=current_user,
                                            observer=observer), _("The acceptance panel is formed."))
    return _back(project)


@bp.post("/projects/<int:project_id>/panel/add")
@permission_required("acceptance.oversee")
def add_member(project_id: int):
    project = get_visible(project_id)
    if ActionForm().validate_on_submit():
        reviewer_id = request.form.get("reviewer_id", "")
        reviewer = db.session.get(User, int(reviewer_id)) if reviewer_id.isdigit() else None
        if reviewer is None:
            flash(_("Choose a reviewer to add."), "warning")
        else:
            perform(lambda: services.add_panel_member(project, reviewer, actor=current_user),
                    _("%(name)s joins the acceptance panel.", name=reviewer.display_name))
    return _back(project)


@bp.post("/projects/<int:project_id>/start")
@permission_required("acceptance.oversee")
def start(project_id: int):
    project = get_visible(project_id)
    form = ActionForm()
    if form.validate_on_submit():
        perform(lambda: services.start_acceptance(project, actor=current_user, expected_version=form.version.data),
                _("Acceptance has started."))
    return _back(project)


@bp.post("/projects/<int:project_id>/outcome")
@permission_required("acceptance.oversee")
def confirm_outcome(project_id: int):
    project = get_visible(project_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        done = perform(lambda: decisions.confirm_outcome(
            project, actor=current_user, conclusion=form.conclusion.data, fixes=form.fixes.data,
            deadline_on=form.deadline_on.data, misconduct=form.misconduct.data,
            expected_version=form.version.data), _("The outcome is confirmed."), form=form)
        if done:
            return _back(project)
    return render_template("acceptance/show.html", **pages.officer_page(project), form=ActionForm(),
                           outcome_form=form), 422


@bp.post("/projects/<int:project_id>/certificate")
@permission_required("acceptance.oversee")
def issue_certificate(project_id: int):
    project = get_visible(project_id)
    if ActionForm().validate_on_submit():
        done = perform(lambda: decisions.issue_project_certificate(project, actor=current_user))
        if done:
            flash(_("Certificate %(number)s issued.", number=done.value.number), "success")
            return redirect(url_for("certificates.show", certificate_id=done.value.id))
    return _back(project)


@bp.get("/projects/<int:project_id>/archive.zip")
@login_required
def download_archive(project_id: int):
    """The project's whole file; 404 for whoever may not see the project."""
    project = db.session.get(Project, project_id)
    if project is None or not can("acceptance.download_archive", project):
        abort(404)
    return send_file(archive.build_archive(project, actor=current_user), mimetype="application/zip",
                     as_attachment=True, download_name=archive.archive_name(project))


@bp.route("/projects/<int:project_id>/judge", methods=["GET", "POST"])
@login_required
def judge(project_id: int):
    project = get_visible(project_id)
    member = pages.membership(current_user, project)
    if member is None or (request.method == "POST" and not member.voting):
        abort(404)  # the enterprise's non-voting member reads the files only
    judgement = services.judgement_of(project, current_user)
    form = JudgementForm(obj=judgement)
    if form.validate_on_submit():
        indicators = {i.id: (request.form.get(f"met-{i.id}") == "y", request.form.get(f"value-{i.id}", ""))
                      for i in project.indicators}
        submit = bool(form.submit.data)
        done = perform(lambda: services.save_judgement(
            project, actor=current_user, score=form.score.data, opinion=form.opinion.data, indicators=indicators,
            submit=submit, expected_version=form.version.data),
            _("Your judgement is submitted.") if submit else _("Your draft is saved."), form=form)
        if done:
            return redirect(url_for("acceptance.judge", project_id=project.id))
    return render_template("acceptance/judge.html", **pages.judging_page(project, judgement), form=form,
                           voting=member.voting)


def judging_panel(user) -> Markup | None:
    rows = pages.judgements_waiting(user)
    return Markup(render_template("acceptance/_panel.html", rows=rows)) if rows else None


add_panel(_l("Projects awaiting your acceptance judgement"), Role.EXPERTS, judging_panel, order=25)


def bureau_queue(user) -> list[QueueItem]:
    counts = services.count_in_acceptance()
    return [QueueItem(_("Acceptances to organise"), counts[ProjectState.acceptance_requested],
                      url_for("acceptance.index")),
            QueueItem(_("Acceptances under way"), counts[ProjectState.under_acceptance], url_for("acceptance.index"))]


def team_queue(user) -> list[QueueItem]:
    counts = services.count_in_acceptance(user.organization_id)
    waiting = counts[ProjectState.acceptance_requested] + counts[ProjectState.under_acceptance]
    return [QueueItem(_("Projects in acceptance"), waiting, url_for("projects.index")),
            QueueItem(_("Projects to rectify after acceptance"), counts[ProjectState.rectifying],
                      url_for("projects.index"))]


add_queue(Role.BUREAU, bureau_queue, order=50)
add_queue(Role.BIDDERS, team_queue, order=50)
