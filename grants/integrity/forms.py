from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from grants.integrity.models import LIST_LABELS, SUBJECT_LABELS


class EntryForm(FlaskForm):
    list_kind = SelectField(_l("List"), choices=[(k.value, v) for k, v in LIST_LABELS.items()])
    subject_type = SelectField(_l("Subject type"), choices=[(k.value, v) for k, v in SUBJECT_LABELS.items()])
    code = StringField(_l("Credit code or resident ID number"), validators=[DataRequired(), Length(max=30)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=5000)])
    basis = StringField(_l("Basis (document number)"), validators=[DataRequired(), Length(max=200)],
                        description=_l("e.g. 咸科技发〔2021〕1号"))
    authority = StringField(_l("Issuing authority"), validators=[DataRequired(), Length(max=200)])
    start_on = DateField(_l("Start date"), validators=[DataRequired()])
    end_on = DateField(_l("End date"), validators=[Optional()], description=_l("Empty: indefinite."))
    submit = SubmitField(_l("Add entry"))


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason for revocation"), validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField(_l("Revoke"))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired()])
    skip_invalid = BooleanField(_l("Import the good rows even if some rows are bad"))
    submit = SubmitField(_l("Import"))


class ObjectionForm(FlaskForm):
    reasons = TextAreaField(_l("Reasons"), validators=[DataRequired(), Length(max=10000)])
    files = MultipleFileField(_l("Attachments (PDF, at most 20 MB each)"))
    submit = SubmitField(_l("File objection"))
