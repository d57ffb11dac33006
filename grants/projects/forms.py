"""Project forms. The agreement's rows are edited one per line, like a bid's."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, MultipleFileField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Optional

from grants.challenges.forms import YES, MoneyField, fen_to_yuan, split_lines, yuan_to_fen
from grants.projects.agreement_rules import BUDGET

# service field -> form field
AGREEMENT_FIELDS = {key: key.replace("_fen", "_yuan") for key in BUDGET}


class AgreementForm(FlaskForm):
    version = HiddenField()
    start_on = DateField(_l("Start date"), validators=[DataRequired()])
    end_on = DateField(_l("End date"), validators=[DataRequired()])
    equipment_yuan = MoneyField(_l("Equipment (yuan)"))
    materials_yuan = MoneyField(_l("Materials (yuan)"))
    personnel_yuan = MoneyField(_l("Personnel (yuan)"))
    other_yuan = MoneyField(_l("Other costs (yuan)"))
    milestones = TextAreaField(_l("Milestones"), render_kw={"rows": 5},
                               description=_l("One per line, in the order they are due: "
                                              "due date (YYYY-MM-DD) | title | deliverables."))
    indicators = TextAreaField(_l("Performance indicators"), render_kw={"rows": 5},
                               description=_l("One per line: name | unit | baseline | target | "
                                              "binding (yes/no: a binding indicator is the team's pledge)."))
    tranches = TextAreaField(_l("Funding tranches"), render_kw={"rows": 4},
                             description=_l("One per line: amount (yuan) | number of the milestone whose "
                                            "approval releases it (0: at signing). They add up to the award."))
    submit = SubmitField(_l("Save the agreement"))

    def fill_from(self, data: dict, version: int) -> None:
        from datetime import date

        self.version.data = version
        self.start_on.data = date.fromisoformat(data["start_on"])
        self.end_on.data = date.fromisoformat(data["end_on"])
        for key in BUDGET:
            getattr(self, AGREEMENT_FIELDS[key]).data = fen_to_yuan(data[key])
        self.milestones.data = "\n".join(f"{m['due_on']} | {m['title']} | {m['deliverables']}"
                                         for m in data["milestones"])
        self.indicators.data = "\n".join(
            f"{i['name']} | {i['unit']} | {i['baseline']} | {i['target']} | {'yes' if i['binding'] else 'no'}"
            for i in data["indicators"])
        self.tranches.data = "\n".join(f"{fen_to_yuan(t['amount_fen'])} | {t['milestone'] or 0}"
                                       for t in data["tranches"])

    def to_data(self) -> dict:
        data = {"start_on": self.start_on.data, "end_on": self.end_on.data}
        for key in BUDGET:
            data[key] = yuan_to_fen(getattr(self, AGREEMENT_FIELDS[key]).data) or 0
        data["milestones"] = [{"due_on": d, "title": t, "deliverables": x}
                              for d, t, x in split_lines(self.milestones.data, 3)]
        data["indicators"] = [{"name": n, "unit": u, "baseline": b, "target": t, "binding": y.lower() in YES}
                              for n, u, b, t, y in split_lines(self.indicators.data, 5)]
        # An amount that is not a number goes through as typed, for the service to name the problem.
        data["tranches"] = [{"amount_fen": _fen_or_text(a), "milestone": m or None}
                            for a, m in split_lines(self.tranches.data, 2)]
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
