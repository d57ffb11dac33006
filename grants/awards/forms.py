from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length


class ObjectionForm(FlaskForm):
    reasons = TextAreaField(_l("Reasons for the objection"), validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField(_l("File the objection"))
