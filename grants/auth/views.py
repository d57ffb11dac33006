from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from grants.auth import bp
from grants.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, ResetPasswordForm
from grants.auth.resets import find_reset, request_answer, request_password_reset, reset_password_with_link
from grants.auth.services import authenticate, change_password, end_sessions, normalize_login
from grants.core import audit, clock
from grants.core.errors import DomainError
from grants.core.web import perform
from grants.extensions import db, limiter

# Browsers ignore tabs and newlines inside a URL and read a backslash as a slash.
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]")


def safe_next(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site, as a browser would read it; else ``default``."""
    cleaned = _IGNORED_IN_URLS.sub("", target or "").replace("\\", "/")
    parts = urlsplit(cleaned)
    if not cleaned.startswith("/") or cleaned.startswith("//") or parts.scheme or parts.netloc:
        return default
    return cleaned


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _failed(response) -> bool:
    # Only failed attempts count towards the limit: a success redirects.
    return request.method == "POST" and response.status_code != 302


def _account_key() -> str:
    return f"login-account:{normalize_login(request.form.get('email', ''))}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed,
               key_func=lambda: f"login:{request.remote_addr}")
@limiter.limit(_account_limit, methods=["POST"], deduct_when=_failed, key_func=_account_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Wrong email or password."))
        elif not user.is_active:
            form.email.errors.append(_("This account is deactivated. Contact the administrator."))
        else:
            login_user(user, remember=form.remember.data)
            user.last_login_at = clock.now()
            audit.record(user, "login", actor=user)
            db.session.commit()
            if user.must_change_password:
                return redirect(url_for("auth.change_password_page"))
            return redirect(safe_next(request.args.get("next"), url_for("core.dashboard")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    # Every session and remember-me cookie of this account ends, here and elsewhere.
    end_sessions(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("core.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password_page():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        done = perform(lambda: change_password(user, current=form.current_password.data,
                                               new=form.new_password.data, confirm=form.confirm.data),
                       form=form)
        if done:
            # The new generation ended every other session; this one carries on.
            login_user(user, remember=False)
            flash(_("Your password is changed. Other devices are signed out."), "success")
            return redirect(url_for("core.dashboard"))
    return render_template("auth/change_password.html", form=form,
                           forced=user.must_change_password)


def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


def _reset_account_limit() -> str:
    return current_app.config["PASSWORD_RESET_ACCOUNT_RATE_LIMIT"]


def _reset_link_limit() -> str:
    return current_app.config["PASSWORD_RESET_LINK_RATE_LIMIT"]


def _reset_account_key() -> str:
    return f"reset-account:{normalize_login(request.form.get('email', ''))}"


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"], key_func=lambda: f"reset:{request.remote_addr}")
@limiter.limit(_reset_account_limit, methods=["POST"], key_func=_reset_account_key)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit() and perform(lambda: request_password_reset(form.email.data), request_answer()):
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_link_limit, key_func=lambda: f"reset-link:{request.remote_addr}")
def reset_password_page(token: str):
    # A GET only shows the form: mail scanners that open links must not spend them.
    try:
        find_reset(token)
    except DomainError as exc:
        db.session.rollback()
        return render_template("auth/link_refused.html", reason=str(exc)), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        done = perform(lambda: reset_password_with_link(token, new=form.new_password.data,
                                                        confirm=form.confirm.data),
                       _("Your new password is set; sign in with it. Every device that was signed in "
                         "is signed out."), form=form)
        if done:
            logout_user()
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


# Pages a user who must replace a temporary password may still open.
_OPEN_WHILE_CHANGING = {"auth.change_password_page", "auth.logout", "auth.forgot_password",
                        "auth.reset_password_page", "core.set_language", "static",
                        "bootstrap.static"}


def require_new_password():
    """before_request: after an administrator's reset, the temporary password is
    replaced before anything else."""
    if request.path.startswith("/api/") or request.endpoint in _OPEN_WHILE_CHANGING:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        flash(_("Choose a new password before you go on."), "warning")
        return redirect(url_for("auth.change_password_page"))
    return None
