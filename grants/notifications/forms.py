from __future__ import annotations

from flask_wtf import FlaskForm


class MarkForm(FlaskForm):
    """A button that marks notifications read (only its CSRF token)."""
