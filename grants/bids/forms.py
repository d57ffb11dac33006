"""Bid forms. Child rows (members, partners, milestones) are edited as rows (grants/core/rows.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from grants.challenges.forms import MoneyField, fen_to_yuan, yuan_to_fen
from grants.core.rows import RowForm, Rows

MONEY_FIELDS = ("requested", "equipment", "materials", "personnel", "other", "own_cofunding")


class MemberRow(RowForm):
    name = StringField(_l("Full name"))
    id_number = StringField(_l("Resident ID number"), render_kw={"data-col": "col-md-4"})
    role = StringField(_l("Role in the team"))


class PartnerRow(RowForm):
    credit_code = StringField(_l("Unified social credit code"),
                              description=_l("Type a name or a credit code to look it up."))


class BidMilestoneRow(RowForm):
    month = StringField(_l("Month"), render_kw={"data-col": "col-md-2", "inputmode": "numeric"})
    title = StringField(_l("Title"))
    deliverable = StringField(_l("Deliverable"), render_kw={"data-col": "col-md-5"})


class BidForm(FlaskForm):
    version = HiddenField()
    title = StringField(_l("Title of the bid"), validators=[DataRequired(), Length(max=200)])
    lead_name = StringField(_l("Team lead's name"), validators=[Optional(), Length(max=100)],
                            description=_l("Leave empty to lead the bid yourself."))
    lead_id_number = StringField(_l("Team lead's resident ID number"), validators=[Optional(), Length(max=30)])
    members = Rows(MemberRow, _l("Team members"))
    partners = Rows(PartnerRow, _l("Partner organisations"),
                    description=_l("At most five, each a registered organisation. "
                                   "Each partner confirms its participation on the bid's page."))
    technical_approach = TextAreaField(_l("Technical approach"), render_kw={"rows": 8})
    milestones = Rows(BidMilestoneRow, _l("Milestones"),
                      description=_l("Month: months after the project starts (1-120)."))
    requested_yuan = MoneyField(_l("Budget requested (yuan)"))
    equipment_yuan = MoneyField(_l("of which equipment (yuan)"))
    materials_yuan = MoneyField(_l("of which materials (yuan)"))
    personnel_yuan = MoneyField(_l("of which personnel (yuan)"))
    other_yuan = MoneyField(_l("of which other costs (yuan)"))
    own_cofunding_yuan = MoneyField(_l("Own co-funding (yuan)"))
    declaration = BooleanField(_l("I, the team lead, declare that this bid is true and complete, and that the "
                                  "team will honour the binding indicators it promises."))
    submit = SubmitField(_l("Save draft"))

    def fill_from(self, bid) -> None:
        self.version.data = bid.version
        self.title.data = bid.title
        self.technical_approach.data = bid.technical_approach
        if bid.lead:
            self.lead_name.data, self.lead_id_number.data = bid.lead.name, bid.lead.id_number
        self.members.fill([{"name": m.person.name, "id_number": m.person.id_number, "role": m.role}
                           for m in bid.members])
        self.partners.fill([{"credit_code": p.organization.credit_code} for p in bid.partners])
        self.milestones.fill([{"month": str(m.month), "title": m.title, "deliverable": m.deliverable}
                              for m in bid.milestones])
        for name in MONEY_FIELDS:
            getattr(self, f"{name}_yuan").data = fen_to_yuan(getattr(bid, f"{name}_fen"))
        self.declaration.data = bid.declaration_confirmed

    def to_data(self, promised: dict) -> dict:
        data = {"title": self.title.data, "technical_approach": self.technical_approach.data,
                "declaration": self.declaration.data, "indicators": promised}
        for name in MONEY_FIELDS:
            data[f"{name}_fen"] = yuan_to_fen(getattr(self, f"{name}_yuan").data)
        if self.lead_name.data or self.lead_id_number.data:
            data["lead"] = {"name": self.lead_name.data, "id_number": self.lead_id_number.data}
        data["members"] = self.members.rows()
        data["partners"] = [row["credit_code"] for row in self.partners.rows()]
        data["milestones"] = self.milestones.rows()
        return data


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))
