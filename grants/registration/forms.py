"""The registration forms. The services check every field and say what is wrong in
words; the forms only carry the values (and CSRF)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField, SubmitField

from grants.auth.models import ORG_KIND_LABELS
from grants.challenges.models import FIELD_LABELS


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name of the organisation"))
    kind = SelectField(_l("Kind"), choices=[(k.value, v) for k, v in ORG_KIND_LABELS.items()])
    credit_code = StringField(_l("Unified social credit code"), description=_l("18 characters, as on the licence."))
    address = StringField(_l("Address"))
    contact_name = StringField(_l("Contact person"),
                               description=_l("The contact becomes the manager of the organisation's accounts."))
    contact_email = EmailField(_l("Contact's e-mail"), description=_l("A confirmation link is sent there."))
    contact_mobile = StringField(_l("Contact's mobile number"))
    contact_id_number = StringField(_l("Contact's resident ID number"),
                                    description=_l("Required unless the organisation is an enterprise."))
    password = PasswordField(_l("Password of the contact's account (at least 8 characters)"))
    licence = FileField(_l("Business licence or legal-person certificate (PDF, at most 20 MB)"))
    submit = SubmitField(_l("Register"))


class ExpertForm(FlaskForm):
    name = StringField(_l("Name"))
    email = EmailField(_l("E-mail"), description=_l("A confirmation link is sent there."))
    mobile = StringField(_l("Mobile number"))
    id_number = StringField(_l("Resident ID number"))
    password = PasswordField(_l("Password (at least 8 characters)"))
    title = StringField(_l("Professional title"))
    fields = SelectMultipleField(_l("Fields of expertise"), choices=[(k.value, v) for k, v in FIELD_LABELS.items()])
    employer_code = StringField(_l("Employer's credit code (if it is registered here)"))
    employer_name = StringField(_l("Employer's name (if it is not registered)"))
    years = StringField(_l("Years of experience"))
    cv = FileField(_l("Short CV (PDF, at most 20 MB)"))
    submit = SubmitField(_l("Apply"))


class ExpertRecordForm(FlaskForm):
    title = StringField(_l("Professional title"))
    fields = SelectMultipleField(_l("Fields of expertise"), choices=[(k.value, v) for k, v in FIELD_LABELS.items()])
    employer_code = StringField(_l("Employer's credit code (if it is registered here)"))
    employer_name = StringField(_l("Employer's name (if it is not registered)"))
    years = StringField(_l("Years of experience"))
    submit = SubmitField(_l("Save"))


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail of the new member"))
    submit = SubmitField(_l("Send the invitation"))


class AcceptForm(FlaskForm):
    name = StringField(_l("Your name"))
    id_number = StringField(_l("Resident ID number"),
                            description=_l("Required for an account that bids (team lead, member)."))
    password = PasswordField(_l("Password (at least 8 characters)"))
    submit = SubmitField(_l("Open my account"))


class ResendForm(FlaskForm):
    email = EmailField(_l("E-mail"))
    submit = SubmitField(_l("Send the link again"))
