from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from grants.core.errors import ValidationFailed
from grants.core.permissions import role_required
from grants.core.registry import add_nav
from grants.extensions import db
from grants.reviews import bp, services
from grants.reviews.forms import ReviewerProfileForm
from grants.reviews.models import FIELD_LABELS, ChallengeField

add_nav(_l("Expert pool"), "reviews.pool", {"officer", "admin"}, order=40)
add_nav(_l("My expert profile"), "reviews.profile", {"reviewer"}, order=41)


def apply_errors(form, exc: ValidationFailed) -> None:
    placed = False
    for name, message in exc.details.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [message]
            placed = True
    if not placed:
        flash(str(exc), "danger")


@bp.get("/experts")
@role_required("officer", "admin")
def pool():
    field = request.args.get("field", "")
    if field not in {f.value for f in ChallengeField}:
        field = ""
    q = request.args.get("q", "").strip()
    available_only = request.args.get("available") == "1"
    query = services.reviewer_pool_query(field=field or None, q=q or None, available_only=available_only)
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("reviews/pool.html", page=page, field=field, q=q, available_only=available_only,
                           field_labels=FIELD_LABELS)


@bp.route("/profile", methods=["GET", "POST"])
@role_required("reviewer")
def profile():
    existing = services.profile_of(current_user)
    form = ReviewerProfileForm(obj=existing)
    if request.method == "GET" and existing is not None:
        form.fields.data = existing.fields
    if form.validate_on_submit():
        try:
            services.save_reviewer_profile(current_user, fields=form.fields.data, title=form.title.data,
                                           available=form.available.data, actor=current_user)
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Your expert profile is saved."), "success")
            return redirect(url_for("reviews.profile"))
    return render_template("reviews/profile.html", form=form, profile=existing)
