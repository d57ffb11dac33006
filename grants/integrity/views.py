"""Officer pages for the lists, the subject's own view, and objections."""
from __future__ import annotations

import io

import sqlalchemy as sa
from flask import (Response, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from grants.auth.models import Organization, Person, User
from grants.core import audit, clock
from grants.core.errors import DomainError
from grants.core.permissions import can, permission_required
from grants.core.registry import add_nav, add_panel
from grants.core.web import perform
from grants.core.search import contains
from grants.core.pagination import paginate
from grants.extensions import db
from grants.integrity import bp, services
from grants.integrity.permissions import LIST_KEEPERS, LISTED
from grants.integrity.forms import EntryForm, ImportForm, ObjectionForm, RevokeForm
from grants.integrity.imports import FileRefused, export_entries, import_entries
from grants.integrity.models import (LIST_LABELS, OBJECTION_STATE_LABELS, STATUS_LABELS, IntegrityEntry,
                                     IntegrityImport, IntegrityObjection, SubjectType)
from grants.integrity.sections import render_sections

add_nav(_l("Integrity lists"), "integrity.entries", LIST_KEEPERS, order=60)
add_nav(_l("Integrity objections"), "integrity.objections", LIST_KEEPERS, order=61)
add_nav(_l("My integrity record"), "integrity.mine", LISTED, order=80)

EXPIRY_WINDOW_DAYS = 30
FIELD_NAMES = {"list": "list_kind"}


# lists ------------------------------------------------------------------------

@bp.get("/")
@permission_required("integrity.view_lists")
def entries():
    today = clock.today()
    filters = {k: request.args.get(k, "").strip() for k in ("q", "list", "status", "expiring", "type")}
    query = services.search_entries(q=filters["q"], list_kind=filters["list"], subject_type=filters["type"],
                                    status=filters["status"], on=today,
                                    expiring_within_days=EXPIRY_WINDOW_DAYS if filters["expiring"] else None)
    page = paginate(query, per_page=current_app.config["PER_PAGE"])
    return render_template("integrity/entries.html", page=page, filters=filters, today=today,
                           list_labels=LIST_LABELS, status_labels=STATUS_LABELS)


@bp.route("/entries/new", methods=["GET", "POST"])
@permission_required("integrity.add_entry")
def entry_new():
    form = EntryForm()
    if request.method == "GET":
        form.subject_type.data = request.args.get("subject_type") or form.subject_type.data
        form.code.data = request.args.get("code", "")
        form.name.data = request.args.get("name", "")
        form.start_on.data = clock.today()
    if form.validate_on_submit():
        added = perform(lambda: services.add_entry(
            actor=current_user, list_kind=form.list_kind.data, subject_type=form.subject_type.data,
            code=form.code.data, name=form.name.data, reason=form.reason.data, basis=form.basis.data,
            authority=form.authority.data, start_on=form.start_on.data, end_on=form.end_on.data), form=form)
        if added:
            flash(_("Entry added to the %(list)s.", list=added.value.list_label), "success")
            return redirect(url_for("integrity.entry", entry_id=added.value.id))
    return render_template("integrity/entry_form.html", form=form)


def _get_entry(entry_id: int) -> IntegrityEntry:
    entry = db.session.get(IntegrityEntry, entry_id)
    if entry is None or not services.can_see_entry(current_user, entry):
        abort(404)
    return entry


@bp.get("/entries/<int:entry_id>")
@login_required
def entry(entry_id: int):
    entry = _get_entry(entry_id)
    objections = services.objections_to(entry)
    can_object = services.objection_refusal(current_user, entry) is None
    return render_template("integrity/entry.html", entry=entry, status=entry.status(clock.today()),
                           status_labels=STATUS_LABELS, objections=objections, can_object=can_object,
                           events=audit.history(entry) if can("integrity.view_lists") else None,
                           form=RevokeForm())


@bp.post("/entries/<int:entry_id>/revoke")
@permission_required("integrity.revoke_entry")
def entry_revoke(entry_id: int):
    entry = _get_entry(entry_id)
    form = RevokeForm()
    if form.validate_on_submit():
        perform(lambda: services.revoke_entry(entry, actor=current_user, reason=form.reason.data),
                _("Entry revoked."))
    else:
        flash(_("Give the reason for the revocation."), "danger")
    return redirect(url_for("integrity.entry", entry_id=entry.id))


# subjects ---------------------------------------------------------------------

@bp.get("/subjects")
@permission_required("integrity.view_lists")
def subjects():
    q = request.args.get("q", "").strip()
    page = paginate(services.subject_search(q), per_page=current_app.config["PER_PAGE"], rows=True) if q else None
    return render_template("integrity/subjects.html", q=q, page=page)


@bp.get("/subjects/<subject_type>/<code>")
@permission_required("integrity.view_lists")
def subject(subject_type: str, code: str):
    if subject_type not in SubjectType.__members__:
        abort(404)
    subject_type = SubjectType(subject_type)
    code = code.strip().upper()
    entries = db.session.scalars(sa.select(IntegrityEntry).where(
        IntegrityEntry.subject_type == subject_type, IntegrityEntry.subject_code == code)
        .order_by(IntegrityEntry.start_on.desc(), IntegrityEntry.id.desc())).all()
    if subject_type == SubjectType.organization:
        orgs = db.session.scalars(sa.select(Organization).where(Organization.credit_code == code)).all()
        persons = []
        users = db.session.scalars(sa.select(User).join(Organization, User.organization_id == Organization.id)
                                   .where(Organization.credit_code == code).order_by(User.display_name)).all()
    else:
        orgs = []
        persons = db.session.scalars(sa.select(Person).where(Person.id_number == code)).all()
        users = db.session.scalars(sa.select(User).join(Person, User.person_id == Person.id)
                                   .where(Person.id_number == code)).all()
    name = (entries[0].subject_name if entries else
            orgs[0].name if orgs else persons[0].name if persons else None)
    if name is None:
        abort(404)
    objections = db.session.scalars(sa.select(IntegrityObjection).join(IntegrityEntry).where(
        IntegrityEntry.subject_type == subject_type, IntegrityEntry.subject_code == code)
        .order_by(IntegrityObjection.id)).all()
    return render_template("integrity/subject.html", subject_type=subject_type, code=code, name=name,
                           entries=entries, today=clock.today(), status_labels=STATUS_LABELS,
                           orgs=orgs, persons=persons, users=users, objections=objections,
                           sections=render_sections(subject_type, code))


# import / export ----------------------------------------------------------------

SHOWN_ERRORS = 200


@bp.route("/import", methods=["GET", "POST"])
@permission_required("integrity.add_entry")
def import_file():
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            report = import_entries(upload.read(), file_name=upload.filename or "upload.csv",
                                    actor=current_user, skip_invalid=form.skip_invalid.data)
            if report.written:
                db.session.commit()
                flash(_("File imported. %(summary)s", summary=report.summary()), "success")
            else:
                db.session.rollback()
                flash(_("%(n)s bad rows; nothing was imported. Fix them, or choose to import the good rows.",
                        n=len(report.errors)), "danger")
        except FileRefused as exc:
            db.session.rollback()
            form.file.errors = list(form.file.errors) + [str(exc)]
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
    imports = db.session.scalars(sa.select(IntegrityImport).order_by(IntegrityImport.id.desc()).limit(20)).all()
    return render_template("integrity/import.html", form=form, report=report, shown=SHOWN_ERRORS,
                           imports=imports)


@bp.get("/export.csv")
@permission_required("integrity.view_lists")
def export_file():
    out = io.StringIO()
    out.write("\ufeff")  # so that spreadsheet programs read it as UTF-8
    export_entries(out, include_revoked=False)
    name = f"integrity-{clock.today().isoformat()}.csv"
    return Response(out.getvalue().encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


# the subject's own view and objections -------------------------------------------

@bp.get("/mine")
@login_required
def mine():
    entries, objections = services.subject_record(current_user)
    return render_template("integrity/mine.html", entries=entries, objections=objections,
                           today=clock.today(), status_labels=STATUS_LABELS)


@bp.route("/entries/<int:entry_id>/objection", methods=["GET", "POST"])
@login_required
def objection_new(entry_id: int):
    entry = db.session.get(IntegrityEntry, entry_id)
    if entry is None or not services.is_subject_of(current_user, entry):
        abort(404)
    form = ObjectionForm()
    if form.validate_on_submit():
        files = [(f.filename, f.stream) for f in (form.files.data or []) if f and f.filename]
        filed = perform(lambda: services.file_objection(entry, actor=current_user, reasons=form.reasons.data,
                                                        files=files),
                        _("Objection filed. The bureau will answer it."), form=form)
        if filed:
            return redirect(url_for("integrity.objection", objection_id=filed.value.id))
    return render_template("integrity/objection_form.html", form=form, entry=entry)


@bp.get("/objections")
@permission_required("integrity.view_lists")
def objections():
    state = request.args.get("state", "open")
    page = db.paginate(services.objections_query(state), per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("integrity/objections.html", page=page, state=state,
                           state_labels=OBJECTION_STATE_LABELS)


def _get_objection(objection_id: int) -> IntegrityObjection:
    objection = db.session.get(IntegrityObjection, objection_id)
    if objection is None or not services.can_see_objection(current_user, objection):
        abort(404)
    return objection


@bp.get("/objections/<int:objection_id>")
@login_required
def objection(objection_id: int):
    objection = _get_objection(objection_id)
    actions = IntegrityObjection.__workflow__.available(objection, current_user)
    return render_template("integrity/objection.html", objection=objection, actions=actions,
                           events=audit.history(objection))


@bp.post("/objections/<int:objection_id>/<name>")
@permission_required("integrity.decide_objection")
def objection_decide(objection_id: int, name: str):
    objection = _get_objection(objection_id)
    perform(lambda: services.decide_objection(objection, name, actor=current_user,
                                              answer=request.form.get("comment"),
                                              expected_version=request.form.get("version")),
            _("Objection upheld; the entry is revoked.") if name == "uphold" else _("Objection dismissed."))
    return redirect(url_for("integrity.objection", objection_id=objection_id))


@bp.get("/objections/<int:objection_id>/files/<int:file_id>")
@login_required
def objection_file(objection_id: int, file_id: int):
    objection = _get_objection(objection_id)
    found = services.objection_file(objection, file_id) or abort(404)
    return services.send_objection_file(found)


# dashboard ------------------------------------------------------------------------

def officer_panel(user):
    today = clock.today()
    expiring = db.session.scalars(
        services.search_entries(expiring_within_days=EXPIRY_WINDOW_DAYS, on=today)
        .order_by(None).order_by(IntegrityEntry.end_on).limit(10)).all()
    # Open objections are counted with the award objections (grants.awards.dashboard).
    return Markup(render_template("integrity/_panel.html", expiring=expiring, window=EXPIRY_WINDOW_DAYS))


add_panel(_l("Integrity lists"), LIST_KEEPERS, officer_panel, order=60)
