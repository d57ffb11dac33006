"""WSGI entry point: ``gunicorn wsgi:app``, and the app of the ``flask``
command (``FLASK_APP=wsgi`` in ``.flaskenv``).

A missing or bad setting ends the process with one line saying what to set
and exit status 2, not a traceback.
"""
import sys

from config import ConfigError
from grants import create_app


def _refuse(message: str):
    if "gunicorn" in sys.modules:
        # Gunicorn restarts a worker that exits for any other reason, forever;
        # an application that cannot load stops the server.
        from gunicorn.errors import AppImportError

        raise AppImportError(message)
    print(message, file=sys.stderr)
    raise SystemExit(2)


try:
    app = create_app()
except ConfigError as exc:
    _refuse(f"Error: {exc}")
