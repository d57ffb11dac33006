"""Final acceptance (结题验收): the panel, its judgements against the task
agreement's indicators, and the outcome the officer confirms (pass,
rectification once, failure). Passing leads to the certificate area."""
from flask import Blueprint

bp = Blueprint("acceptance", __name__, url_prefix="/acceptance")

# tables, permission map, project transitions, routes, notifications
from grants.acceptance import models, notices, permissions, views, workflow  # noqa: E402,F401
