"""Bid forms. Child rows (members, partners, milestones) are edited one per line."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from grants.challenges.forms import MoneyField, fen_to_yuan, split_lines, yuan_to_fen

MONEY_FIELDS = ("requested", "equipment", "materials", "personnel", "other", "own_cofunding")


class BidForm(FlaskForm):
    version = HiddenField()
    title = StringField(_l("Title of the bid"), validators=[DataRequired(), Length(max=200)])
    lead_name = StringField(_l("Team lead's name"), validators=[Optional(), Length(max=100)],
                            description=_l("Leave empty to lead the bid yourself."))
    lead_id_number = StringField(_l("Team lead's resident ID number"), validators=[Optional(), Length(max=30)])
    members = TextAreaField(_l("Team members"), render_kw={"rows": 4},
                            description=_l("One per line: name | resident ID number | role in the team."))
    partners = TextAreaField(_l("Partner organisations"), render_kw={"rows": 3},
                             description=_l("One unified social credit code per line; at most five. "
                                            "Each partner confirms its participation on the bid's page."))
    technical_approach = TextAreaField(_l("Technical approach"), render_kw={"rows": 8})
    milestones = TextAreaField(_l("Milestones"), render_kw={"rows": 4},
                               description=_l("One per line: month | title | deliverable."))
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
        self.members.data = "\n".join(f"{m.person.name} | {m.person.id_number} | {m.role}" for m in bid.members)
        self.partners.data = "\n".join(p.organization.credit_code for p in bid.partners)
        self.milestones.data = "\n".join(f"{m.month} | {m.title} | {m.deliverable}" for m in bid.milestones)
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
        data["members"] = [{"name": n, "id_number": i, "role": r} for n, i, r in split_lines(self.members.data, 3)]
        data["partners"] = [line.strip() for line in (self.partners.data or "").splitlines() if line.strip()]
        data["milestones"] = [{"month": m, "title": t, "deliverable": d}
                              for m, t, d in split_lines(self.milestones.data, 3)]
        return data


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))
