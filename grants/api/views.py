"""The "My account" page: profile and personal API tokens."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from grants.api import bp
from grants.api.forms import RevokeForm, TokenForm
from grants.api.models import ApiToken
from grants.api.permissions import ACCOUNT_HOLDERS
from grants.api.services import create_token, revoke_token, tokens_of
from grants.core import clock
from grants.core.errors import DomainError
from grants.core.permissions import can
from grants.core.registry import add_nav
from grants.core.web import perform
from grants.extensions import db

add_nav(_l("My account"), "account.account", ACCOUNT_HOLDERS, order=99)


def _page(form, secret=None, status=200):
    response = render_template("api/account.html", form=form, revoke=RevokeForm(),
                               tokens=tokens_of(current_user), secret=secret, now_at=clock.now())
    return response, status, {"Cache-Control": "no-store"}


@bp.get("/account")
@login_required
def account():
    return _page(TokenForm())


@bp.post("/account/tokens")
@login_required
def token_create():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    created = perform(lambda: create_token(current_user, name=form.name.data, days=form.days.data,
                                           actor=current_user), form=form)
    if not created:
        return _page(form, status=422)
    token, secret = created.value
    # Shown on this response only: the token is not stored and never shown again.
    flash(_("Token “%(name)s” created. Copy it now: it will not be shown again.", name=token.name), "success")
    return _page(TokenForm(formdata=None), secret=secret)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def token_revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or not can("api.revoke_token", token):
        abort(404)
    if RevokeForm().validate_on_submit():
        try:
            revoke_token(token, actor=current_user)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "warning")
        else:
            flash(_("Token “%(name)s” revoked.", name=token.name), "success")
    return redirect(url_for("account.account"))
