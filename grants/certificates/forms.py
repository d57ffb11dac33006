from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from grants.certificates.services import MAX_CONCLUSION_LENGTH


class IssueForm(FlaskForm):
    """The conclusion; the reached values come as ``reached-<indicator id>`` fields."""

    conclusion = TextAreaField(_l("Conclusion of the acceptance panel"),
                               validators=[DataRequired(), Length(max=MAX_CONCLUSION_LENGTH)])
    submit = SubmitField(_l("Issue certificate"))


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason for revocation"), validators=[DataRequired(), Length(max=5000)])
    confirm = BooleanField(_l("I confirm the revocation; it cannot be undone."),
                           validators=[DataRequired(_l("Tick the box to confirm."))])
    submit = SubmitField(_l("Revoke"))


class LookupForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only reads

    number = StringField(_l("Certificate number"), validators=[DataRequired(), Length(max=24)],
                         description=_l("e.g. XN-JB-2026-0001"))


class UploadForm(FlaskForm):
    file = FileField(_l("Certificate PDF"))
    submit = SubmitField(_l("Check the file"))
