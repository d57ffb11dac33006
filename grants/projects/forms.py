"""Project forms. The agreement's rows are edited as rows (grants/core/rows.py), like a bid's."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, HiddenField, MultipleFileField, RadioField, SelectField, StringField,
                     SubmitField, TextAreaField)
from wtforms.validators import DataRequired, Optional

from grants.challenges.forms import MoneyField, fen_to_yuan, yuan_to_fen
from grants.core.rows import RowForm, Rows
from grants.projects.agreement_rules import BUDGET

# service field -> form field
AGREEMENT_FIELDS = {key: key.replace("_fen", "_yuan") for key in BUDGET}


class MilestoneRow(RowForm):
    due_on = StringField(_l("Due date (YYYY-MM-DD)"), render_kw={"data-col": "col-md-3"})
    title = StringField(_l("Title"))
    deliverables = StringField(_l("Deliverables"), render_kw={"data-col": "col-md-5"})


class IndicatorRow(RowForm):
    name = StringField(_l("Indicator"), render_kw={"data-col": "col-md-4"})
    unit = StringField(_l("Unit"))
    baseline = StringField(_l("Baseline"))
    target = StringField(_l("Target"))
    binding = BooleanField(_l("Binding"))


class TrancheRow(RowForm):
    amount = StringField(_l("Amount (yuan)"), render_kw={"inputmode": "decimal"})
    milestone = StringField(_l("Released on approval of milestone no. (0: at signing)"),
                            render_kw={"inputmode": "numeric", "data-col": "col-md-6"})


class AgreementForm(FlaskForm):
    version = HiddenField()
    start_on = DateField(_l("Start date"), validators=[DataRequired()])
    end_on = DateField(_l("End date"), validators=[DataRequired()])
    equipment_yuan = MoneyField(_l("Equipment (yuan)"))
    materials_yuan = MoneyField(_l("Materials (yuan)"))
    personnel_yuan = MoneyField(_l("Personnel (yuan)"))
    other_yuan = MoneyField(_l("Other costs (yuan)"))
    milestones = Rows(MilestoneRow, _l("Milestones"), description=_l("In the order they are due."))
    indicators = Rows(IndicatorRow, _l("Performance indicators"),
                      description=_l("A binding indicator is the team's pledge."))
    tranches = Rows(TrancheRow, _l("Funding tranches"),
                    description=_l("Milestones are numbered from 1 in the order above. "
                                   "The tranches add up to the award."))
    submit = SubmitField(_l("Save the agreement"))

    def fill_from(self, data: dict, version: int) -> None:
        from datetime import date

        self.version.data = version
        self.start_on.data = date.fromisoformat(data["start_on"])
        self.end_on.data = date.fromisoformat(data["end_on"])
        for key in BUDGET:
            getattr(self, AGREEMENT_FIELDS[key]).data = fen_to_yuan(data[key])
        self.milestones.fill([{key: str(m[key] or "") for key in ("due_on", "title", "deliverables")}
                              for m in data["milestones"]])
        self.indicators.fill([dict({key: str(i[key] or "") for key in ("name", "unit", "baseline", "target")},
                                   binding=bool(i["binding"])) for i in data["indicators"]])
        self.tranches.fill([{"amount": str(fen_to_yuan(t["amount_fen"])), "milestone": str(t["milestone"] or 0)}
                            for t in data["tranches"]])

    def to_data(self) -> dict:
        data = {"start_on": self.start_on.data, "end_on": self.end_on.data}
        for key in BUDGET:
            data[key] = yuan_to_fen(getattr(self, AGREEMENT_FIELDS[key]).data) or 0
        data["milestones"] = self.milestones.rows()
        data["indicators"] = self.indicators.rows()
        # An amount that is not a number goes through as typed, for the service to name the problem.
        data["tranches"] = [{"amount_fen": _fen_or_text(row["amount"]), "milestone": row["milestone"] or None}
                            for row in self.tranches.rows()]
        return data


def _fen_or_text(amount: str):
    fen = yuan_to_fen(amount)
    return amount if fen is None else fen


class ReportForm(FlaskForm):
    version = HiddenField()
    text = TextAreaField(_l("Progress"), validators=[Optional()], render_kw={"rows": 6})
    values = HiddenField()  # carries the errors of the indicator values entered beside it
    files = MultipleFileField(_l("PDF attachments (at most 20 MB each)"))
    submit = SubmitField(_l("Submit the progress report"))


class ExpertCheckForm(FlaskForm):
    """The experts' check of the mid-way report; the service names what is missing."""

    version = HiddenField()
    experts = StringField(_l("Experts"), description=_l("Their names, separated by commas."))
    opinion = TextAreaField(_l("Experts' opinion"), render_kw={"rows": 3})
    conclusion = RadioField(_l("Experts' conclusion"), validate_choice=False,
                            choices=[("satisfactory", _l("satisfactory")),
                                     ("not_satisfactory", _l("not satisfactory"))])
    submit = SubmitField(_l("Record the experts' check"))


class AcceptanceForm(FlaskForm):
    version = HiddenField()
    text = TextAreaField(_l("Summary of the final report"), validators=[Optional()], render_kw={"rows": 6})
    values = HiddenField()
    file = FileField(_l("Final report (PDF, at most 20 MB)"))
    submit = SubmitField(_l("Request final acceptance"))


class ContributionForm(FlaskForm):
    source = SelectField(_l("Source"), choices=[("own", _l("Team's own co-funding")), ("enterprise", _l("Enterprise"))])
    amount_yuan = MoneyField(_l("Amount (yuan)"))
    paid_on = DateField(_l("Paid on"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional()], render_kw={"rows": 2})
    proof = FileField(_l("Proof (PDF, optional)"))
    submit = SubmitField(_l("Record the contribution"))

    def service_data(self) -> dict:
        return {"source": self.source.data, "amount_fen": _fen_or_text(self.amount_yuan.raw_data[0]
                                                                       if self.amount_yuan.raw_data else ""),
                "paid_on": self.paid_on.data or "", "note": self.note.data}


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))


def uploads_of(field) -> list:
    """(stream, filename) pairs of the files chosen in a file field (none chosen: empty)."""
    items = field.data if isinstance(field.data, list) else [field.data]
    return [(f.stream, f.filename) for f in items if f is not None and getattr(f, "filename", "")]
