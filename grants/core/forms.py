"""Forms more than one area shows."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SubmitField
from wtforms.validators import DataRequired


class AttachmentForm(FlaskForm):
    file = FileField(_l("PDF file (at most 20 MB)"), validators=[DataRequired()])
    submit = SubmitField(_l("Upload"))
