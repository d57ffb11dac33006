from flask import Blueprint

bp = Blueprint("challenges", __name__, url_prefix="/challenges")

from grants.challenges import models, workflow, services, views  # noqa: E402,F401
