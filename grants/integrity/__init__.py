from flask import Blueprint

bp = Blueprint("integrity", __name__, url_prefix="/integrity")


def init_app(app):
    from grants.core.demo import EXTRA_SEEDERS
    from grants.core.permissions import can
    from grants.integrity import cli
    from grants.integrity.check import red_codes
    from grants.integrity.demo import seed_integrity

    cli.register(app)
    if seed_integrity not in EXTRA_SEEDERS:
        EXTRA_SEEDERS.append(seed_integrity)

    # For templates/integrity/macros.html ``trust_mark``: officers see the
    # red-list mark; lists pass ``red_codes(codes)`` once instead of a query per row.
    app.jinja_env.globals["integrity_red_codes"] = red_codes
    app.jinja_env.globals["integrity_is_red"] = lambda code: bool(code) and code in red_codes([code])
    app.jinja_env.globals["integrity_sees_marks"] = lambda: can("integrity.see_marks")


from grants.integrity import models, services, views  # noqa: E402,F401  (tables, tick job, routes)
