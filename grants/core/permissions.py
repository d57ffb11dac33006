"""Role checks for views."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def role_required(*roles: str):
    """Signed-in users of ``roles`` only; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def is_officer(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in ("officer", "admin")
