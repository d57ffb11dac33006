"""Projects (立项后): one per awarded bid, from the task agreement to acceptance."""
from flask import Blueprint

bp = Blueprint("projects", __name__, url_prefix="/projects")

from grants.projects import models, progress_views, reminders, views, workflow  # noqa: E402,F401  (tables, routes, machines, jobs)
