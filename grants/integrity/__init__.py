from flask import Blueprint

bp = Blueprint("integrity", __name__, url_prefix="/integrity")

from grants.integrity import models  # noqa: E402,F401  (tables)
