"""Self-service registration: organisations, their members and experts join without the
bureau typing them in (public forms, the bureau's approval, invitations, e-mail links)."""
from flask import Blueprint

bp = Blueprint("registration", __name__, url_prefix="/register")


from grants.registration import cli, models, workflow, views  # noqa: E402,F401
