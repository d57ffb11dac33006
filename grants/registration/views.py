"""Pages of self-service registration: the public forms and links, the bureau's
decisions, an organisation's accounts and an expert's own record."""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from grants.auth.models import User
from grants.core import audit
from grants.core.attachments import send_attachment
from grants.core.errors import DomainError
from grants.core.history import ACTION_LABELS
from grants.core.permissions import Role, can, has_role, permission_required
from grants.core.registry import add_nav, add_panel
from grants.core.web import perform
from grants.core.workflow import fire
from grants.extensions import db, limiter
from grants.registration import bp, members, services
from grants.registration.forms import (AcceptForm, ExpertForm, ExpertRecordForm, InviteForm, OrganisationForm,
                                       ResendForm)
from grants.registration.models import (APPLICATION_STATE_LABELS, ExpertApplication, OrgRegistration,
                                        RegistrationFile)
from grants.registration.permissions import DECIDERS, MANAGERS, is_manager

ACTION_LABELS.update({
    "submit": _l("Submitted"),
    "confirm_email": _l("E-mail address confirmed"),
    "invite": _l("Member invited"),
    "join": _l("Member joined"),
    "hand_over_manager": _l("Manager's part handed over"),
    "appoint_manager": _l("Manager appointed"),
    "use": _l("Link used"),
})

add_nav(_l("Registrations"), "registration.queue", DECIDERS, order=45)


def rate_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


def _limited(view):
    """The public forms: a limited number of POSTs per address (a GET is free)."""
    return limiter.limit(rate_limit, methods=["POST"], key_func=lambda: f"register:{request.remote_addr}")(view)


def _upload(form_field):
    upload = form_field.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return upload.stream, upload.filename


# public --------------------------------------------------------------------------

@bp.route("/organisation", methods=["GET", "POST"])
@_limited
def organisation():
    form = OrganisationForm()
    if form.is_submitted():
        done = perform(lambda: services.register_organisation(request.form.to_dict(), licence=_upload(form.licence)),
                       form=form)
        if done:
            return render_template("registration/sent.html", email=done.value.contact_email, form=ResendForm())
    return render_template("registration/organisation.html", form=form)


@bp.route("/expert", methods=["GET", "POST"])
@_limited
def expert():
    form = ExpertForm()
    if form.is_submitted():
        data = request.form.to_dict()
        data["fields"] = request.form.getlist("fields")
        done = perform(lambda: services.apply_as_expert(data, cv=_upload(form.cv)), form=form)
        if done:
            return render_template("registration/sent.html", email=done.value.email, form=ResendForm())
    return render_template("registration/expert.html", form=form)


@bp.post("/resend")
@_limited
def resend():
    perform(lambda: services.resend_confirmation(request.form.get("email", "")),
            _("If a registration of this address is waiting for its confirmation, a new link is on its way."))
    return redirect(url_for("core.index"))


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@_limited
def confirm(token: str):
    # A GET only shows the button: mail scanners that open links must not spend them.
    if request.method == "POST":
        if perform(lambda: services.confirm_email(token),
                   _("Thank you: your e-mail address is confirmed. The bureau will now check the "
                     "application; you will be able to sign in once it is approved.")):
            return redirect(url_for("core.index"))
    return render_template("registration/confirm.html", token=token)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@_limited
def accept(token: str):
    try:
        link = members.invitation(token)
    except DomainError as exc:
        db.session.rollback()
        return render_template("registration/link_refused.html", reason=str(exc)), 410
    form = AcceptForm()
    if form.is_submitted():
        data = request.form
        if perform(lambda: members.accept_invitation(token, name=data.get("name", ""), password=data.get("password", ""),
                                                     id_number=data.get("id_number")),
                   _("Your account is open; sign in with your e-mail address and password."),
                   form=form, mapping={"display_name": "name"}):
            return redirect(url_for("auth.login"))
    return render_template("registration/accept.html", form=form, link=link)


# the bureau ----------------------------------------------------------------------

@bp.get("/")
@permission_required("registration.decide")
def queue():
    kind = request.args.get("kind", "organisations")
    state = request.args.get("state", "submitted")
    state = state if state in APPLICATION_STATE_LABELS else None
    query = (services.applications_query(state) if kind == "experts" else services.registrations_query(state))
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("registration/queue.html", page=page, kind=kind, state=state or "",
                           states=APPLICATION_STATE_LABELS)


def _registration(registration_id: int) -> OrgRegistration:
    return db.get_or_404(OrgRegistration, registration_id)


def _application(application_id: int) -> ExpertApplication:
    return db.get_or_404(ExpertApplication, application_id)


@bp.get("/organisations/<int:registration_id>")
@permission_required("registration.decide")
def registration(registration_id: int):
    reg = _registration(registration_id)
    return render_template("registration/registration.html", reg=reg, events=audit.history(reg),
                           actions=reg.__workflow__.available(reg, current_user))


@bp.get("/experts/<int:application_id>")
@permission_required("registration.decide")
def application(application_id: int):
    app_ = _application(application_id)
    return render_template("registration/application.html", app_=app_, events=audit.history(app_),
                           actions=app_.__workflow__.available(app_, current_user))


def _decide(obj, name: str):
    if name not in obj.__workflow__.transitions:
        abort(404)
    return perform(lambda: fire(obj, name, current_user, comment=request.form.get("comment"),
                                expected_version=request.form.get("version")),
                   _("Done: %(action)s.", action=obj.__workflow__.transitions[name].label))


@bp.post("/organisations/<int:registration_id>/<name>")
@permission_required("registration.decide")
def decide_registration(registration_id: int, name: str):
    _decide(_registration(registration_id), name)
    return redirect(url_for("registration.registration", registration_id=registration_id))


@bp.post("/experts/<int:application_id>/<name>")
@permission_required("registration.decide")
def decide_application(application_id: int, name: str):
    _decide(_application(application_id), name)
    return redirect(url_for("registration.application", application_id=application_id))


@bp.get("/files/<int:file_id>")
@permission_required("registration.decide")
def file(file_id: int):
    return send_attachment(db.get_or_404(RegistrationFile, file_id))


# an organisation's accounts ------------------------------------------------------

def _my_organisation():
    organisation = current_user.organization
    if not can("registration.manage_members", organisation):
        abort(403)
    return organisation


@bp.get("/members")
@login_required
def members_page():
    organisation = _my_organisation()
    page = db.paginate(members.members_query(organisation), per_page=current_app.config["PER_PAGE"],
                       error_out=False)
    invitations = db.session.scalars(members.pending_invitations_query(organisation)).all()
    return render_template("registration/members.html", org=organisation, page=page, invitations=invitations,
                           form=InviteForm(), manager=members.manager_of(organisation))


@bp.post("/members/invite")
@login_required
def invite():
    organisation = _my_organisation()
    perform(lambda: members.invite_member(organisation, request.form.get("email", ""), actor=current_user),
            _("The invitation is on its way; the link is valid for 7 days."))
    return redirect(url_for("registration.members_page"))


def _member(user_id: int) -> User:
    member = db.get_or_404(User, user_id)
    return member


@bp.post("/members/<int:user_id>/deactivate")
@login_required
def deactivate(user_id: int):
    organisation = _my_organisation()
    perform(lambda: members.deactivate_member(organisation, _member(user_id), actor=current_user),
            _("The account is deactivated."))
    return redirect(url_for("registration.members_page"))


@bp.post("/members/<int:user_id>/manager")
@login_required
def hand_over(user_id: int):
    organisation = _my_organisation()
    if perform(lambda: members.hand_over(organisation, _member(user_id), actor=current_user),
               _("The manager's part is handed over.")):
        return redirect(url_for("core.dashboard"))
    return redirect(url_for("registration.members_page"))


@bp.post("/organizations/<int:org_id>/manager")
@permission_required("registration.appoint_manager")
def appoint_manager(org_id: int):
    """The administrator names the manager of an organisation's accounts (its admin page)."""
    from grants.auth.models import Organization

    organisation = db.get_or_404(Organization, org_id)
    member = db.get_or_404(User, request.form.get("user_id", type=int) or 0)
    perform(lambda: members.appoint_manager(organisation, member, actor=current_user),
            _("%(name)s now manages the accounts of %(org)s.", name=member.display_name, org=organisation.name))
    return redirect(url_for("admin.organization", org_id=org_id))


@bp.app_template_global()
def org_manager(organisation) -> User | None:
    """The manager of ``organisation``'s accounts, for the administrator's organisation page."""
    return members.manager_of(organisation)


@bp.app_template_global()
def may_manage_accounts(user) -> bool:
    """Whether ``user``'s kind of account can manage an organisation's accounts."""
    return user.active and has_role(user, MANAGERS)


def _members_panel(user):
    if not is_manager(user, user.organization):
        return None
    return render_template("registration/_members_panel.html", org=user.organization)


add_panel(_l("The organisation's accounts"), MANAGERS, _members_panel, order=5)


# an expert's own record -----------------------------------------------------------

@bp.route("/expert/profile", methods=["GET", "POST"])
@login_required
def expert_profile():
    record = services.expert_record(current_user)
    if record is None or not can("registration.keep_expert_record", record):
        abort(404)
    form = ExpertRecordForm(obj=record)
    if request.method == "GET":
        form.fields.data = list(record.fields)
        form.employer_code.data = record.employer.credit_code if record.employer else ""
    if form.is_submitted():
        data = request.form.to_dict()
        data["fields"] = request.form.getlist("fields")
        if perform(lambda: services.update_expert_record(record, data, actor=current_user), _("Saved."), form=form):
            return redirect(url_for("registration.expert_profile"))
    return render_template("registration/expert_profile.html", form=form, record=record)


def _expert_panel(user):
    if services.expert_record(user) is None:
        return None
    return render_template("registration/_expert_panel.html")


add_panel(_l("Your expert record"), Role.EXPERTS, _expert_panel, order=6)
