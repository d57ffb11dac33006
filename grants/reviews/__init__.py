"""Expert review: reviewer profiles, assignment without conflicts, blind
weighted scoring, aggregation and ranking."""
from flask import Blueprint

bp = Blueprint("reviews", __name__, url_prefix="/reviews")

from grants.reviews import dashboard, models, reminders, views, workflow  # noqa: E402,F401  (tables, routes, machines, tick)


def init_app(app):
    from grants.core.demo import EXTRA_SEEDERS
    from grants.reviews import cli
    from grants.reviews.demo import seed_reviewer_pool

    cli.register(app)
    if seed_reviewer_pool not in EXTRA_SEEDERS:
        EXTRA_SEEDERS.append(seed_reviewer_pool)
