"""Acceptance certificates (验收证书): issued for a project that passed acceptance,
rendered to PDF, signed with the bureau's key, verifiable by anyone, revocable."""
from flask import Blueprint

bp = Blueprint("certificates", __name__)


def init_app(app):
    from grants.certificates import cli

    cli.register(app)


from grants.certificates import models, permissions, views, workflow  # noqa: E402,F401  (tables, map, routes, machine)
