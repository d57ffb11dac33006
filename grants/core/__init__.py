from flask import Blueprint

bp = Blueprint("core", __name__)


def init_app(app):
    from grants.core import cli

    cli.register(app)
    demo_clock.init_app(app)


from grants.core import checkpoint, demo_clock, models, views  # noqa: E402,F401  (tables, routes, tick job)
