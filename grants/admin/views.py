from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from grants.admin import bp
from grants.admin.forms import ConfirmForm, OrganizationForm, UserForm
from grants.auth import services
from grants.auth.models import ROLE_LABELS, Organization, Role, User
from grants.core import audit
from grants.auth.permissions import ORGANISATION_READERS
from grants.core.permissions import permission_required
from grants.core.registry import add_nav
from grants.core.web import perform
from grants.core.search import contains
from grants.extensions import db

add_nav(_l("Users"), "admin.users", Role.ADMINISTRATION, order=90)
add_nav(_l("Organisations"), "admin.organizations", ORGANISATION_READERS, order=91)


def _org_choices():
    orgs = db.session.execute(sa.select(Organization.id, Organization.name)
                              .where(Organization.active).order_by(Organization.name)).all()
    return [(0, _("— none —"))] + [(o.id, o.name) for o in orgs]


# organisations ---------------------------------------------------------------

@bp.get("/organizations")
@permission_required("auth.view_organisations")
def organizations():
    q = request.args.get("q", "").strip()
    query = sa.select(Organization).order_by(Organization.name)
    if q:
        query = query.where(sa.or_(contains(Organization.name, q), contains(Organization.credit_code, q)))
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("admin/organizations.html", page=page, q=q)


@bp.route("/organizations/new", methods=["GET", "POST"])
@permission_required("auth.manage_organisations")
def organization_new():
    form = OrganizationForm()
    if form.validate_on_submit():
        created = perform(lambda: services.create_organization(
            name=form.name.data, kind=form.kind.data, credit_code=form.credit_code.data, actor=current_user),
            form=form)
        if created:
            flash(_("Organisation %(name)s registered.", name=created.value.name), "success")
            return redirect(url_for("admin.organization", org_id=created.value.id))
    return render_template("admin/organization_form.html", form=form, org=None)


def _get_org(org_id: int) -> Organization:
    return db.session.get(Organization, org_id) or abort(404)


@bp.get("/organizations/<int:org_id>")
@permission_required("auth.view_organisations")
def organization(org_id: int):
    org = _get_org(org_id)
    members = db.session.scalars(sa.select(User).where(User.organization_id == org.id).order_by(User.display_name)).all()
    return render_template("admin/organization.html", org=org, members=members,
                           events=audit.history(org), confirm=ConfirmForm())


@bp.route("/organizations/<int:org_id>/edit", methods=["GET", "POST"])
@permission_required("auth.manage_organisations")
def organization_edit(org_id: int):
    org = _get_org(org_id)
    form = OrganizationForm(obj=org)
    form.credit_code.render_kw = {"readonly": True}
    if form.validate_on_submit():
        if perform(lambda: services.update_organization(org, name=form.name.data, kind=form.kind.data,
                                                        actor=current_user), _("Saved."), form=form):
            return redirect(url_for("admin.organization", org_id=org.id))
    return render_template("admin/organization_form.html", form=form, org=org)


@bp.post("/organizations/<int:org_id>/active")
@permission_required("auth.manage_organisations")
def organization_active(org_id: int):
    org = _get_org(org_id)
    if ConfirmForm().validate_on_submit():
        if perform(lambda: services.set_organization_active(org, not org.active, actor=current_user)):
            flash(_("Organisation activated.") if org.active else _("Organisation deactivated."), "success")
    return redirect(url_for("admin.organization", org_id=org.id))


# users -----------------------------------------------------------------------

@bp.get("/users")
@permission_required("auth.manage_users")
def users():
    q = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    query = sa.select(User).order_by(User.email)
    if q:
        query = query.where(sa.or_(contains(User.email, q), contains(User.display_name, q)))
    if role in {r.value for r in Role}:
        query = query.where(User.role == role)
    else:
        role = ""
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("admin/users.html", page=page, q=q, role=role,
                           role_labels={r.value: label for r, label in ROLE_LABELS.items()})


@bp.route("/users/new", methods=["GET", "POST"])
@permission_required("auth.manage_users")
def user_new():
    form = UserForm()
    form.organization_id.choices = _org_choices()
    if form.validate_on_submit():
        org = db.session.get(Organization, form.organization_id.data) if form.organization_id.data else None
        created = perform(lambda: services.create_user(
            email=form.email.data, display_name=form.display_name.data, password=form.password.data or "",
            role=form.role.data, organization=org, id_number=form.id_number.data or None, actor=current_user),
            form=form)
        if created:
            flash(_("Account %(email)s created.", email=created.value.email), "success")
            return redirect(url_for("admin.user", user_id=created.value.id))
    return render_template("admin/user_form.html", form=form, user=None)


def _get_user(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.get("/users/<int:user_id>")
@permission_required("auth.manage_users")
def user(user_id: int):
    user = _get_user(user_id)
    return render_template("admin/user.html", user=user, events=audit.history(user), confirm=ConfirmForm())


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@permission_required("auth.manage_users")
def user_edit(user_id: int):
    user = _get_user(user_id)
    form = UserForm(obj=user)
    form.organization_id.choices = _org_choices()
    if request.method == "GET":
        form.organization_id.data = user.organization_id or 0
    del form.password, form.id_number
    form.email.render_kw = {"readonly": True}
    if form.validate_on_submit():
        org = db.session.get(Organization, form.organization_id.data) if form.organization_id.data else None
        if perform(lambda: services.update_user(user, display_name=form.display_name.data, role=form.role.data,
                                                organization=org, actor=current_user), _("Saved."), form=form):
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.post("/users/<int:user_id>/password")
@permission_required("auth.manage_users")
def user_password_reset(user_id: int):
    """A temporary password, shown once; the user must change it at the next sign-in."""
    user = _get_user(user_id)
    if ConfirmForm().validate_on_submit():
        reset = perform(lambda: services.reset_password(user, actor=current_user))
        if reset:
            return render_template("admin/password_reset.html", user=user, temporary=reset.value)
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/users/<int:user_id>/active")
@permission_required("auth.manage_users")
def user_active(user_id: int):
    user = _get_user(user_id)
    if ConfirmForm().validate_on_submit():
        if perform(lambda: services.set_user_active(user, not user.active, actor=current_user)):
            flash(_("Account activated.") if user.active else _("Account deactivated."), "success")
    return redirect(url_for("admin.user", user_id=user.id))
