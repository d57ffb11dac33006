"""Acceptance certificates (验收证书): issued for a project that passed acceptance,
rendered to PDF, signed with the bureau's key, verifiable by anyone, revocable."""
from flask import Blueprint

bp = Blueprint("certificates", __name__)


def init_app(app):
    from grants.certificates import cli
    from grants.certificates.demo import seed_projects
    from grants.core.demo import EXTRA_SEEDERS

    cli.register(app)
    if seed_projects not in EXTRA_SEEDERS:
        EXTRA_SEEDERS.append(seed_projects)


from grants.certificates import models, permissions, views, workflow  # noqa: E402,F401  (tables, map, routes, machine)
