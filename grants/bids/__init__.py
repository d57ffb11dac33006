from flask import Blueprint

bp = Blueprint("bids", __name__, url_prefix="/bids")

from grants.bids import models, workflow, services, views  # noqa: E402,F401
