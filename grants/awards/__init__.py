"""The award of a challenge after its expert review: the proposal from the
ranking, the public notice (公示), objections (异议) and their answers, the
confirmation, and a challenge that fails without a winner. Its pages and API
keep the review's URL prefix (/reviews, /api/v1/reviews)."""
from flask import Blueprint

bp = Blueprint("awards", __name__, url_prefix="/reviews")

# tables, routes, machines, the confirm_awards tick job
from grants.awards import dashboard, models, permissions, services, views, workflow  # noqa: E402,F401
