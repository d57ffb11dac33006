"""Overview pages: the bureau's charts on its dashboard, the public statistics of the
bureau's plan, the public lists of award notices and of the project library
(中长期项目库), and a help page per role. Every figure is counted by the area that owns
it (their services); this area only lays them out."""
from flask import Blueprint

bp = Blueprint("overview", __name__)

from grants.overview import charts, views  # noqa: E402,F401  (dashboard charts, routes)
