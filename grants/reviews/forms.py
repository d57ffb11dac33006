from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import Length, Optional

from grants.reviews.models import FIELD_LABELS


class ReviewerProfileForm(FlaskForm):
    title = StringField(_l("Professional title"), validators=[Optional(), Length(max=100)])
    fields = SelectMultipleField(_l("Fields of expertise"),
                                 choices=[(k.value, v) for k, v in FIELD_LABELS.items()])
    available = BooleanField(_l("Available for reviews"), default=True)
    submit = SubmitField(_l("Save"))
