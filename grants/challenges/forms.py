"""Challenge forms. Child rows (indicators, rubric) are edited as rows (grants/core/rows.py)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateTimeLocalField, DecimalField, HiddenField, IntegerField, SelectField,
                     StringField, SubmitField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from grants.challenges.models import FIELD_LABELS
from grants.core import clock
from grants.core.rows import RowForm, Rows


def yuan_to_fen(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value)) * 100
    except InvalidOperation:
        return None
    return int(amount.to_integral_value())


def fen_to_yuan(fen: int | None):
    return None if fen is None else Decimal(fen) / 100


class MoneyField(DecimalField):
    """An amount in yuan, with at most two decimals, shown and read as fen by the form."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators=validators or [Optional(), NumberRange(min=0)], places=2, **kwargs)


class IndicatorRow(RowForm):
    name = StringField(_l("Indicator"), render_kw={"data-col": "col-md-5"})
    target_value = StringField(_l("Target value"))
    unit = StringField(_l("Unit"))
    binding = BooleanField(_l("Binding"))


class CriterionRow(RowForm):
    name = StringField(_l("Criterion"), render_kw={"data-col": "col-md-7"})
    weight = StringField(_l("Weight"))


class ChallengeForm(FlaskForm):
    version = HiddenField()
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    field = SelectField(_l("Field"), choices=[("", "—")] + [(k.value, v) for k, v in FIELD_LABELS.items()])
    problem = TextAreaField(_l("Technical problem"), render_kw={"rows": 6})
    budget_yuan = MoneyField(_l("Budget offered by the bureau (yuan)"))
    enterprise_cofunding_yuan = MoneyField(_l("Enterprise co-funding (yuan)"))
    max_winners = IntegerField(_l("Maximum number of winners"), default=1,
                               description=_l("1 for a single award; more for a parallel award (赛马制)."))
    pass_mark = IntegerField(_l("Pass mark (0-100)"), default=60)
    deadline = DateTimeLocalField(_l("Bidding deadline (Beijing time)"), format="%Y-%m-%dT%H:%M",
                                  validators=[Optional()])
    duration_months = IntegerField(_l("Project duration (months)"), validators=[Optional()])
    blind_review = BooleanField(_l("Blind review (reviewers do not see names or organisations)"))
    notice_days = IntegerField(_l("Public notice period (days)"), default=5)
    indicators = Rows(IndicatorRow, _l("Required indicators"),
                      description=_l("A binding indicator is part of the team's pledge (军令状)."))
    rubric = Rows(CriterionRow, _l("Scoring rubric"), description=_l("Weights add up to 100."))
    submit = SubmitField(_l("Save draft"))

    def fill_from(self, challenge) -> None:
        self.version.data = challenge.version
        for name in ("title", "problem", "max_winners", "pass_mark", "duration_months", "blind_review",
                     "notice_days"):
            getattr(self, name).data = getattr(challenge, name)
        self.field.data = challenge.field.value if challenge.field else ""
        self.budget_yuan.data = fen_to_yuan(challenge.budget_fen)
        self.enterprise_cofunding_yuan.data = fen_to_yuan(challenge.enterprise_cofunding_fen)
        self.deadline.data = (clock.to_local(challenge.deadline_at).replace(tzinfo=None)
                              if challenge.deadline_at else None)
        self.indicators.fill([{"name": i.name, "target_value": i.target_value, "unit": i.unit, "binding": i.binding}
                              for i in challenge.indicators])
        self.rubric.fill([{"name": c.name, "weight": str(c.weight)} for c in challenge.rubric])

    def to_data(self) -> dict:
        data = {name: getattr(self, name).data for name in
                ("title", "field", "problem", "max_winners", "pass_mark", "duration_months", "blind_review",
                 "notice_days")}
        data["budget_fen"] = yuan_to_fen(self.budget_yuan.data)
        data["enterprise_cofunding_fen"] = yuan_to_fen(self.enterprise_cofunding_yuan.data)
        data["deadline_at"] = clock.from_local(self.deadline.data) if self.deadline.data else None
        data["indicators"] = self.indicators.rows()
        rubric = self.rubric.rows()
        if rubric:
            data["rubric"] = rubric
        return data


class RatioForm(FlaskForm):
    cofund_own = IntegerField(_l("Own (team)"), validators=[Optional(), NumberRange(min=1)])
    cofund_public = IntegerField(_l("Public (bureau)"), validators=[Optional(), NumberRange(min=1)])
    submit = SubmitField(_l("Set the co-funding ratio"))

