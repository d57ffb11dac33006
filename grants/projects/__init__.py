"""Projects (立项后): one per awarded bid, from the task agreement to acceptance."""
from flask import Blueprint

bp = Blueprint("projects", __name__, url_prefix="/projects")

from grants.projects import (gate_views, models, progress_views, reminders, stage_gate, views,  # noqa: E402,F401
                             workflow)  # (tables, routes, machines, jobs)
