from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from grants.auth.models import ORG_KIND_LABELS, ROLE_LABELS


class OrganizationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[(k.value, v) for k, v in ORG_KIND_LABELS.items()])
    credit_code = StringField(_l("Unified social credit code"), validators=[DataRequired(), Length(max=30)])
    submit = SubmitField(_l("Save"))


class UserForm(FlaskForm):
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    role = SelectField(_l("Role"), choices=[(r.value, v) for r, v in ROLE_LABELS.items()])
    organization_id = SelectField(_l("Organisation"), coerce=int, validators=[Optional()])
    id_number = StringField(_l("Resident ID number"), validators=[Optional(), Length(max=30)])
    password = PasswordField(_l("Initial password"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))
