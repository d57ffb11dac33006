"""Certificate pages: the bureau's list (issue, revoke), the parties' download,
and the public verification pages (by number, the QR code's target, or by file)."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from grants.certificates import bp, services, verification
from grants.certificates.forms import IssueForm, LookupForm, RevokeForm, UploadForm
from grants.certificates.models import Certificate
from grants.core import audit
from grants.core.errors import ValidationFailed
from grants.certificates.permissions import CERTIFICATE_READERS
from grants.core.permissions import can, permission_required
from grants.core.registry import add_nav
from grants.core.web import perform
from grants.extensions import db, limiter

add_nav(_l("Certificates"), "certificates.index", CERTIFICATE_READERS, order=31)
add_nav(_l("Verify a certificate"), "certificates.verify", {"anonymous"}, order=90)


def get_visible(certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not can("certificates.view", certificate):
        abort(404)
    return certificate


def _reached_from(form_data) -> dict[str, str]:
    prefix = "reached-"
    return {key[len(prefix):]: value for key, value in form_data.items() if key.startswith(prefix)}


@bp.get("/certificates")
@permission_required("certificates.list")
def index():
    page = db.paginate(services.certificates_visible_to(current_user), per_page=current_app.config["PER_PAGE"],
                       error_out=False)
    awaiting = db.session.scalars(services.projects_awaiting_certificate()).all() \
        if can("certificates.issue") else []
    return render_template("certificates/index.html", page=page, awaiting=awaiting, form=IssueForm())


@bp.post("/certificates/issue/<int:project_id>")
@permission_required("certificates.issue")
def issue(project_id: int):
    from grants.projects.models import Project

    project = db.session.get(Project, project_id) or abort(404)
    form = IssueForm()
    done = perform(lambda: services.issue_certificate(project, current_user, conclusion=form.conclusion.data,
                                                      reached=_reached_from(request.form)))
    if done:
        flash(_("Certificate %(number)s issued.", number=done.value.number), "success")
        if not done.value.is_rendered:
            flash(being_prepared(done.value), "info")
        return redirect(url_for("certificates.show", certificate_id=done.value.id))
    return redirect(url_for("certificates.index"))


@bp.get("/certificates/<int:certificate_id>")
@permission_required("certificates.list")
def show(certificate_id: int):
    certificate = get_visible(certificate_id)
    return render_template("certificates/show.html", certificate=certificate, form=RevokeForm(),
                           events=audit.history(certificate))


@bp.post("/certificates/<int:certificate_id>/revoke")
@permission_required("certificates.revoke")
def revoke(certificate_id: int):
    certificate = get_visible(certificate_id)
    form = RevokeForm()
    if form.validate_on_submit():
        if perform(lambda: services.revoke_certificate(certificate, current_user, reason=form.reason.data,
                                                       expected_version=request.form.get("version")),
                   _("Certificate %(number)s revoked.", number=certificate.number)):
            return redirect(url_for("certificates.show", certificate_id=certificate.id))
    return render_template("certificates/show.html", certificate=certificate, form=form,
                           events=audit.history(certificate)), 422


@bp.get("/certificates/<int:certificate_id>/certificate.pdf")
@permission_required("certificates.list")
def download(certificate_id: int):
    certificate = get_visible(certificate_id)
    if not certificate.is_rendered:
        flash(being_prepared(certificate), "info")
        return redirect(url_for("certificates.show", certificate_id=certificate.id))
    return pdf_response(certificate)


def being_prepared(certificate: Certificate) -> str:
    return _("The signed PDF of certificate %(number)s is being prepared; reload the page in a moment.",
             number=certificate.number)


def pdf_response(certificate: Certificate) -> Response:
    """The stored bytes, exactly as issued."""
    response = Response(certificate.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
    response.headers["X-Content-SHA256"] = certificate.pdf_sha256
    return response


# public verification ---------------------------------------------------------------

def _verify_limit() -> str:
    return current_app.config["CERT_VERIFY_RATE_LIMIT"]


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(_verify_limit, methods=["POST"], key_func=lambda: f"verify:{request.remote_addr}")
def verify():
    lookup = LookupForm(request.args, meta={"csrf": False})
    if request.method == "GET" and lookup.number.data:
        return redirect(url_for("certificates.verify_number", number=lookup.number.data.strip().upper()))
    upload = UploadForm()
    verdict = None
    if request.method == "POST" and upload.validate_on_submit():
        file = upload.file.data
        try:
            verdict = verification.verify_pdf(file.read() if file else b"")
        except ValidationFailed as exc:
            upload.file.errors = [str(exc)]
    status = 422 if upload.file.errors else 200
    return render_template("certificates/verify.html", lookup=lookup, upload=upload, verdict=verdict), status


@bp.get("/verify/<number>")
def verify_number(number: str):
    certificate = services.certificate_by_number(number)
    if certificate is None:
        return render_template("certificates/verify_number.html", certificate=None, number=number[:40]), 404
    return render_template("certificates/verify_number.html", certificate=certificate, number=certificate.number)
