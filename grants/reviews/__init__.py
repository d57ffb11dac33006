"""Expert review: reviewer profiles, assignment without conflicts, blind
weighted scoring, aggregation and ranking."""
from flask import Blueprint

bp = Blueprint("reviews", __name__, url_prefix="/reviews")

from grants.reviews import models, views, workflow  # noqa: E402,F401  (tables, routes, machines)
