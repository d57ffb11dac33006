"""Forms of the acceptance pages. Per-indicator fields come as ``met-<id>`` and
``value-<id>``; the panel's reviewers as repeated ``reviewer`` values."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from grants.acceptance.decisions import MAX_CONCLUSION_LENGTH


class ActionForm(FlaskForm):
    """A POST with nothing to fill in: CSRF and the version seen."""

    version = HiddenField()


class JudgementForm(FlaskForm):
    version = HiddenField()
    score = IntegerField(_l("Overall score (0–100)"), validators=[Optional()])
    opinion = TextAreaField(_l("Opinion"), validators=[Length(max=5000)])
    save = SubmitField(_l("Save draft"))
    submit = SubmitField(_l("Submit"))


class OutcomeForm(FlaskForm):
    version = HiddenField()
    conclusion = TextAreaField(_l("Written conclusion"),
                               validators=[DataRequired(), Length(max=MAX_CONCLUSION_LENGTH)])
    fixes = TextAreaField(_l("What to rectify (rectification only)"), validators=[Length(max=5000)])
    deadline_on = DateField(_l("Rectification deadline (at most three months)"), validators=[Optional()])
    misconduct = BooleanField(_l("Failed on grounds of misconduct"))
    confirm = BooleanField(_l("I confirm this outcome; it fires the project's transition."),
                           validators=[DataRequired(_l("Tick the box to confirm."))])
    submit = SubmitField(_l("Confirm the outcome"))
