from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from grants.reviews.models import FIELD_LABELS


class ReviewerProfileForm(FlaskForm):
    title = StringField(_l("Professional title"), validators=[Optional(), Length(max=100)])
    fields = SelectMultipleField(_l("Fields of expertise"),
                                 choices=[(k.value, v) for k, v in FIELD_LABELS.items()])
    available = BooleanField(_l("Available for reviews"), default=True)
    submit = SubmitField(_l("Save"))


def _default_due_on():
    from grants.reviews.services import default_due_on

    return default_due_on()


class DrawForm(FlaskForm):
    size = IntegerField(_l("Number of reviewers to draw"), validators=[DataRequired(), NumberRange(min=1, max=50)],
                        default=5)
    seed = IntegerField(_l("Seed (leave empty for a random one)"), validators=[Optional(), NumberRange(min=0)])
    due_on = DateField(_l("Reviews due on"), validators=[Optional()], default=_default_due_on)
    submit = SubmitField(_l("Draw at random"))


class RecuseForm(FlaskForm):
    reason = TextAreaField(_l("Your conflict of interest"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Recuse"))


class AcceptForm(FlaskForm):
    no_conflict = BooleanField(_l("I declare that I have no conflict of interest with any bid or organisation "
                                  "in this challenge."))
    submit = SubmitField(_l("Accept the assignment"))

