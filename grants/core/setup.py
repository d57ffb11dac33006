"""Wiring of extensions, templates, error pages and database quirks."""
from __future__ import annotations


import click
import flask_babel
import sqlalchemy as sa
from flask import Flask, g, has_request_context, render_template, request
from flask_babel import format_date, format_datetime
from flask_babel import refresh as refresh_locale
from flask_babel.speaklater import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from grants.core import clock, display, permissions
from grants.core.errors import CHANGED_MESSAGE, DomainError, json_error
from grants.core.i18n import select_locale, translation_directories
from grants.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate


def init_extensions(app: Flask) -> None:
    from grants.core import requests

    requests.install_converter(app)
    requests.init_app(app)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(translation_directories()))
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "warning"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    babel.domain_instance = _RequestDomain(domain=app.config.get("BABEL_DOMAIN", "messages"))
    # The locale is cached on the app context; a request that shares one
    # (CLI-driven test clients do) must still choose afresh.
    app.before_request(refresh_locale)
    app.before_request(_forget_cached_user)
    from grants.core.security import clean_page_input, init_security_headers

    app.before_request(clean_page_input)
    init_security_headers(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    _check_limits_only_where_declared(app)
    with app.app_context():
        _tune_sqlite(db.engine, app.config.get("SQLITE_BUSY_TIMEOUT_MS", 5000))
    _init_templates(app)
    _bind_translations(app)
    _init_error_pages(app)

    login_manager.login_message = _l("Please sign in to see this page.")


class _RequestDomain(flask_babel.Domain):
    """Flask-Babel's message domain, with the translations looked up once per locale
    object: Flask-Babel finds the domain, the locale and the catalogue again for every
    ``_()`` and every lazy label shown (a sixth of the cost of a page without queries).
    Kept next to the locale object it was looked up for, so ``refresh()`` and
    ``force_locale`` (which replace that object) are followed."""

    def get_translations(self):
        ctx = g.get("_flask_babel")
        cached = getattr(ctx, "grants_translations", None)
        if cached is not None and cached[0] is getattr(ctx, "babel_locale", None):
            return cached[1]
        translations = super().get_translations()
        ctx = g.get("_flask_babel")
        locale = getattr(ctx, "babel_locale", None)
        if locale is not None:
            ctx.grants_translations = (locale, translations)
        return translations


def _request_translations():
    """The translations of the request's locale (see :class:`_RequestDomain`)."""
    return flask_babel.get_domain().get_translations()


def shown_label(label) -> str:
    """A label for the page: a plain ``lazy_gettext`` string (the navigation's) through
    :func:`_request_translations`, anything else as ``str`` does."""
    if isinstance(label, LazyString) and label._func is flask_babel.gettext and not label._kwargs \
            and len(label._args) == 1:
        return _request_translations().ugettext(label._args[0])
    return str(label)


def _bind_translations(app: Flask) -> None:
    """Templates translate through :func:`_request_translations` (after Flask-Babel has
    installed its own callables, which these replace)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: _request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_translations().unpgettext(c, s, p, n),
        newstyle=True)


def _check_limits_only_where_declared(app: Flask) -> None:
    """A page's rate limit is a view's decorator, which checks its own limit, and the API
    checks its blueprints' limits before its own requests (grants.api.setup); with no limit
    for the whole application, the check Flask-Limiter adds before every request only looks
    for limits that are not there (a tenth of the cost of a page without queries)."""
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:
        hooks.remove(limiter._check_request_limit)


def _forget_cached_user() -> None:
    # Flask-Login caches the user on the app context; a request that shares
    # one with earlier requests (test clients do) must load its own.
    g.pop("_login_user", None)


def _tune_sqlite(engine: sa.Engine, busy_timeout_ms: int = 5000) -> None:
    """SQLite for several workers and threads at once: pysqlite honours
    transactions (and SAVEPOINTs) and foreign keys; WAL lets readers go on while
    one writes; a writer waits up to ``busy_timeout_ms`` for the lock; and a
    transaction that may write takes the write lock when it begins (BEGIN
    IMMEDIATE), since a deferred one that read first cannot wait for it later
    and fails at once. A lock still held after the wait is told as "busy, try
    again" (see ``_init_error_pages``)."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode=WAL")  # an in-memory database stays "memory"
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")


def _may_write() -> bool:
    """A page or API request that changes something, or a ``flask`` command."""
    if has_request_context():
        return request.method not in ("GET", "HEAD", "OPTIONS")
    return click.get_current_context(silent=True) is not None


def is_busy(err: sa.exc.OperationalError) -> bool:
    """A lock the database could not get in time: SQLite's "database is locked",
    PostgreSQL's lock timeout, deadlock or serialization failure."""
    if "database is locked" in str(err.orig) or "database table is locked" in str(err.orig):
        return True
    return getattr(err.orig, "sqlstate", None) in ("55P03", "40P01", "40001")


# Babel date patterns made only of numbers, the same in every locale, written without Babel's lookups.
NUMERIC_PATTERNS = {
    "yyyy-MM-dd HH:mm": lambda t: f"{t.year:04d}-{t.month:02d}-{t.day:02d} {t.hour:02d}:{t.minute:02d}",
    "yyyy-MM-dd": lambda t: f"{t.year:04d}-{t.month:02d}-{t.day:02d}",
    "yyyy-MM-dd HH:mm:ss": lambda t: f"{t.year:04d}-{t.month:02d}-{t.day:02d} {t.hour:02d}:{t.minute:02d}:{t.second:02d}",
}


def _init_templates(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    def local_datetime(value, fmt="yyyy-MM-dd HH:mm"):
        if value is None:
            return display.EMPTY
        local = clock.to_local(value).replace(tzinfo=None)
        numeric = NUMERIC_PATTERNS.get(fmt)  # the same digits in every locale, without Babel's lookups
        return numeric(local) if numeric else format_datetime(local, fmt, rebase=False)

    def local_date(value, fmt="yyyy-MM-dd"):
        if value is None:
            return display.EMPTY
        numeric = NUMERIC_PATTERNS.get(fmt)
        return numeric(value) if numeric and fmt == "yyyy-MM-dd" else format_date(value, fmt)

    def yuan(fen):
        if fen is None:
            return display.EMPTY
        return f"¥{fen / 100:,.2f}"

    app.jinja_env.filters["dt"] = local_datetime
    app.jinja_env.filters["d"] = local_date
    app.jinja_env.filters["yuan"] = yuan
    app.jinja_env.filters["or_empty"] = display.or_empty
    app.jinja_env.filters["with_unit"] = display.with_unit
    app.jinja_env.globals["joined"] = display.joined
    from grants.core.evidence import evidence_lines, shown_evidence
    from grants.core.history import action_label, state_label

    app.jinja_env.globals["event_action"] = action_label
    app.jinja_env.globals["event_state"] = state_label
    app.jinja_env.globals["can"] = permissions.can
    app.jinja_env.globals["evidence_lines"] = lambda evidence: evidence_lines(shown_evidence(evidence))
    app.jinja_env.globals["sees_evidence"] = lambda: permissions.can("core.see_evidence")

    from grants.core import chrome

    chrome.init_app(app)  # the top of every page: navigation, languages, account

    @app.context_processor
    def inject():
        return {"now": clock.now, "current_locale": select_locale()}


# Errors answered with a page, or with the API's JSON error under /api/: what, and why.
ERROR_PAGES = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    403: (_l("Not allowed"), _l("Your account may not open this page.")),
    404: (_l("Not found"), _l("There is no such page, or it is not visible to you.")),
    405: (_l("Not allowed"), _l("This page does not accept that kind of request.")),
    413: (_l("Too large"), _l("The upload is larger than allowed.")),
    429: (_l("Too many attempts"), _l("Too many attempts in a short time. Wait a minute and try again.")),
}
CSRF_PAGE = (_l("Form expired"), _l("The form was missing its security token or it expired. "
                                    "Go back, reload the page and submit again."))
BUSY_PAGE = (_l("Busy, try again"),
             _l("Many people are saving at this moment and your change could not be saved. "
                "Nothing was saved. Please try again in a few seconds."))
SERVER_ERROR_PAGE = (_l("Something went wrong"),
                     _l("The server could not complete the request. Nothing was saved. "
                        "Please try again; if it keeps happening, tell the administrator."))


def _error_page(status: int, title, message, *, code: str | None = None, details=None):
    if request.path.startswith("/api/"):
        return json_error(status, message, code=code, details=details)
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _answer(status: int, title, message, *, rollback: bool = False):
    def handler(err):
        if rollback:
            db.session.rollback()
        return _error_page(status, title, message)

    return handler


def _init_error_pages(app: Flask) -> None:
    for status, (title, message) in ERROR_PAGES.items():
        app.register_error_handler(status, _answer(status, title, message))
    app.register_error_handler(CSRFError, _answer(400, *CSRF_PAGE))
    app.register_error_handler(500, _answer(500, *SERVER_ERROR_PAGE, rollback=True))

    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):
        db.session.rollback()
        details = err.details
        if isinstance(details, dict) and "evidence" in details:
            from grants.core.evidence import shown_evidence

            details = {**details, "evidence": shown_evidence(details["evidence"])}
        return _error_page(err.status, _("Not possible"), str(err), code=err.code, details=details)

    @app.errorhandler(sa.exc.IntegrityError)
    def lost_race(err):
        # The rules are checked before writing; a constraint that still fires
        # means someone else wrote the same thing a moment earlier.
        db.session.rollback()
        return _error_page(409, _("Not possible"), CHANGED_MESSAGE, code="conflict")

    @app.errorhandler(sa.exc.OperationalError)
    def busy(err):
        if not is_busy(err):
            raise err
        db.session.rollback()
        response = _error_page(503, *BUSY_PAGE, code="busy")
        response = response if not isinstance(response, tuple) else app.make_response(response)
        response.headers["Retry-After"] = "2"
        return response
