"""Projects (立项后): one per awarded bid, from the task agreement to acceptance."""
from flask import Blueprint

bp = Blueprint("projects", __name__, url_prefix="/projects")

from grants.projects import (gate_views, models, notices, progress_views, reminders, stage_gate,  # noqa: E402,F401
                             views, workflow)  # (tables, routes, machines, jobs, notifications)
