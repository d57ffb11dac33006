from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from grants.core import bp
from grants.core.permissions import Role
from grants.core.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_DAYS
from grants.core.registry import add_nav, panels_for, queues_for

add_nav(_l("Home"), "core.index", {"*"}, order=0)
add_nav(_l("Dashboard"), "core.dashboard", Role.EVERYONE, order=1)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    return render_template("core/index.html",
                           has_board="challenges.board" in current_app.view_functions)


@bp.get("/dashboard")
@login_required
def dashboard():
    panels = []
    for panel in panels_for(current_user):
        body = panel.render(current_user)
        if body is not None:
            panels.append((panel.title, body))
    has_charts = any("data-chart=" in body for _, body in panels)  # the chart scripts load only then
    return render_template("core/dashboard.html", queues=queues_for(current_user), panels=panels,
                           has_charts=has_charts)


@bp.post("/lang/<code>")
def set_language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    target = request.form.get("next") or request.referrer or url_for("core.index")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("core.index")
    response = redirect(target)
    # Remembered for a year on this browser, signed in or not (the session ends with the browser).
    response.set_cookie(LANGUAGE_COOKIE, code, max_age=LANGUAGE_COOKIE_DAYS * 86400, samesite="Lax",
                        httponly=True, secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response
