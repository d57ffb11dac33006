from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from grants.auth import bp
from grants.auth.forms import LoginForm
from grants.auth.services import user_by_email
from grants.core import audit, clock
from grants.extensions import db, limiter


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed(response) -> bool:
    # Only failed attempts count towards the limit: a success redirects.
    return request.method == "POST" and response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed,
               key_func=lambda: f"login:{request.remote_addr}")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = user_by_email(form.email.data)
        if user is None or not user.check_password(form.password.data):
            form.password.errors.append(_("Wrong email or password."))
        elif not user.is_active:
            form.email.errors.append(_("This account is deactivated. Contact the administrator."))
        else:
            login_user(user, remember=form.remember.data)
            user.last_login_at = clock.now()
            audit.record(user, "login", actor=user)
            db.session.commit()
            target = request.args.get("next", "")
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("core.dashboard")
            return redirect(target)
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("core.index"))
