from flask import Blueprint

bp = Blueprint("core", __name__)


def init_app(app):
    from grants.core import cli

    cli.register(app)


from grants.core import models, views  # noqa: E402,F401  (tables, routes)
