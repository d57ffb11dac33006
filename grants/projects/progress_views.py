"""Project pages: milestones and their reports, funds, and the request for acceptance."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from grants.core import attachments as files
from grants.core import files as stored_files
from grants.core import clock
from grants.core.web import perform
from grants.core.workflow import fire
from grants.extensions import db
from grants.projects import bp, funding, reports, rules
from grants.projects import permissions as can
from grants.projects.forms import AcceptanceForm, ContributionForm, ExpertCheckForm, ReportForm, uploads_of
from grants.projects.models import Milestone, MilestoneState, Tranche
from grants.projects.views import get_project, page_context
from grants.projects.workflow import MILESTONE_WORKFLOW, TRANCHE_WORKFLOW


def _child(project, model, child_id: int):
    child = db.session.get(model, child_id)
    if child is None or child.project_id != project.id:
        abort(404)
    return child


def _values_from(form_data, project) -> dict:
    return {i.id: form_data.get(f"indicator_{i.id}", "") for i in project.indicators}


@bp.get("/<int:project_id>/milestones")
@login_required
def milestones(project_id: int):
    project = get_project(project_id)
    today = clock.today()
    page = db.paginate(reports.reports_query(project), per_page=current_app.config["PER_PAGE"], error_out=False)
    progress_reports, progress = reports.indicator_progress(project)
    midway = can.midway_milestone(project)
    rows = []
    for m in project.milestones:
        waiting = rules.expert_check_refusal(m) if m.state == MilestoneState.submitted else None
        rows.append({"milestone": m, "overdue": m.is_overdue(today),
                     "midway": midway is not None and m.id == midway.id, "waiting_for_experts": waiting,
                     "transitions": [t for t in MILESTONE_WORKFLOW.available(m, current_user)
                                     if t.name != "submit" and not (t.name == "approve" and waiting)],
                     "may_report": can.can_submit_report(current_user, m) is None,
                     "may_check": can.can_record_expert_check(current_user, m) is None})
    return render_template("projects/milestones.html", **page_context(project, "milestones"), rows=rows,
                           page=page, progress_reports=progress_reports, progress=progress,
                           check_form=ExpertCheckForm())


@bp.route("/<int:project_id>/milestones/<int:milestone_id>/report", methods=["GET", "POST"])
@login_required
def report(project_id: int, milestone_id: int):
    project = get_project(project_id)
    milestone = _child(project, Milestone, milestone_id)
    form = ReportForm()
    entered = _values_from(request.form, project)
    if request.method == "GET":
        form.version.data = milestone.version
    if form.validate_on_submit():
        if perform(lambda: reports.submit_report(milestone, actor=current_user, text=form.text.data,
                                                 values=entered, uploads=uploads_of(form.files),
                                                 expected_version=form.version.data or None),
                   _("The progress report was submitted."), form=form, mapping={"file": "files"}):
            return redirect(url_for("projects.milestones", project_id=project.id))
    return render_template("projects/report_form.html", **page_context(project, "milestones"),
                           milestone=milestone, form=form, entered=entered,
                           refusal=can.can_submit_report(current_user, milestone))


@bp.post("/<int:project_id>/milestones/<int:milestone_id>/do/<name>")
@login_required
def decide(project_id: int, milestone_id: int, name: str):
    project = get_project(project_id)
    milestone = _child(project, Milestone, milestone_id)
    label = MILESTONE_WORKFLOW.transitions[name].label if name in MILESTONE_WORKFLOW.transitions else None
    perform(lambda: fire(milestone, name, current_user, comment=request.form.get("comment"),
                         expected_version=request.form.get("version")),
            _("Done: %(action)s.", action=label) if label else None)
    return redirect(url_for("projects.milestones", project_id=project.id))


@bp.post("/<int:project_id>/milestones/<int:milestone_id>/expert-check")
@login_required
def expert_check(project_id: int, milestone_id: int):
    project = get_project(project_id)
    milestone = _child(project, Milestone, milestone_id)
    form = ExpertCheckForm()
    if form.validate_on_submit():
        perform(lambda: reports.record_expert_check(milestone, actor=current_user, experts=form.experts.data,
                                                    opinion=form.opinion.data, conclusion=form.conclusion.data,
                                                    expected_version=form.version.data or None),
                _("The experts' check was recorded."))
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors), "danger")
    return redirect(url_for("projects.milestones", project_id=project.id))


@bp.get("/<int:project_id>/files/<int:file_id>")
@login_required
def report_file(project_id: int, file_id: int):
    project = get_project(project_id)
    found = reports.report_file(project, file_id)
    if found is None:
        abort(404)
    return stored_files.send_stored(found.stored_name, found.original_filename)


@bp.get("/<int:project_id>/funds")
@login_required
def funds(project_id: int):
    project = get_project(project_id)
    rows = [{"tranche": t, "transitions": TRANCHE_WORKFLOW.available(t, current_user)}
            for t in project.tranches]
    return render_template("projects/funds.html", **page_context(project, "funds"), rows=rows,
                           ledger=funding.ledger(project), contributions=funding.contributions(project),
                           contribution_form=ContributionForm(),
                           may_contribute=can.can_record_contribution(current_user, project) is None)


@bp.post("/<int:project_id>/contributions")
@login_required
def record_contribution(project_id: int):
    project = get_project(project_id)
    form = ContributionForm()
    if form.validate_on_submit():
        upload = (uploads_of(form.proof) or [None])[0]
        perform(lambda: funding.record_contribution(project, actor=current_user, data=form.service_data(),
                                                    upload=upload),
                _("The contribution was recorded."))
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors), "danger")
    return redirect(url_for("projects.funds", project_id=project.id))


@bp.get("/<int:project_id>/contributions/<int:contribution_id>/proof")
@login_required
def contribution_proof(project_id: int, contribution_id: int):
    found = funding.contribution_of(get_project(project_id), contribution_id)
    if found is None or found.proof_stored_name is None:
        abort(404)
    return stored_files.send_stored(found.proof_stored_name, found.proof_filename)


@bp.post("/<int:project_id>/tranches/<int:tranche_id>/do/<name>")
@login_required
def release(project_id: int, tranche_id: int, name: str):
    project = get_project(project_id)
    tranche = _child(project, Tranche, tranche_id)
    perform(lambda: fire(tranche, name, current_user, expected_version=request.form.get("version")),
            _("The tranche was released."))
    return redirect(url_for("projects.funds", project_id=project.id))


@bp.route("/<int:project_id>/acceptance", methods=["GET", "POST"])
@login_required
def acceptance(project_id: int):
    project = get_project(project_id)
    form = AcceptanceForm()
    entered = _values_from(request.form, project)
    if request.method == "GET":
        form.version.data = project.version
    if form.validate_on_submit():
        upload = (uploads_of(form.file) or [None])[0]
        if perform(lambda: reports.request_acceptance(project, actor=current_user, text=form.text.data,
                                                      values=entered, upload=upload,
                                                      expected_version=form.version.data or None),
                   _("Final acceptance was requested."), form=form):
            return redirect(url_for("projects.show", project_id=project.id))
    waiting = [m for m in project.milestones if m.state != "approved"]
    return render_template("projects/acceptance_form.html", **page_context(project, "milestones"),
                           form=form, entered=entered, waiting=waiting,
                           refusal=can.can_request_acceptance(current_user, project))
