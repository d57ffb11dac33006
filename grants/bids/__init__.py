from flask import Blueprint

bp = Blueprint("bids", __name__, url_prefix="/bids")

from grants.bids import models, workflow, services, views  # noqa: E402,F401


def init_app(app):
    from grants.bids.demo import seed_challenges_and_bids
    from grants.core.demo import EXTRA_SEEDERS

    if seed_challenges_and_bids not in EXTRA_SEEDERS:
        EXTRA_SEEDERS.append(seed_challenges_and_bids)
