"""What a task agreement must satisfy, checked on the whole proposed agreement.

* the project ends after it starts; every milestone is due between the start
  and the end, in order;
* at least one milestone and one indicator (with a name and a target), and at
  most MAX_ROWS milestones, indicators and tranches each: an agreement is read
  and signed by people, and its pages show every row;
* the budget breakdown and the tranches each add up exactly to the award
  (integer fen); at most one tranche is paid at signing, the others each at a
  milestone of the agreement;
* an amendment keeps what has happened: a milestone with a report, an indicator
  with reported values and a released tranche (its amount and milestone) stay.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants.core.validation import Errors, whole_number
from grants.bids.rules import yuan

BUDGET = ("equipment_fen", "materials_fen", "personnel_fen", "other_fen")
BUDGET_LABELS = (_l("Equipment"), _l("Materials"), _l("Personnel"), _l("Other costs"))
MAX_FEN = 10**15
MAX_ROWS = 50
ROW_LABELS = {"milestones": _l("milestones"), "indicators": _l("indicators"), "tranches": _l("funding tranches")}


def _day(errors: Errors, value, field: str, label) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors.add(field, _("%(field)s is not a date (YYYY-MM-DD).", field=label))
        return None


def _text(value, limit: int) -> str:
    return str(value or "").strip()[:limit]


def validate(project, data: dict, existing: dict | None) -> dict:
    """The proposed agreement, cleaned; raises ValidationFailed naming each problem's field."""
    errors = Errors()
    start_on = _day(errors, data.get("start_on"), "start_on", _l("Start date"))
    end_on = _day(errors, data.get("end_on"), "end_on", _l("End date"))
    if start_on and end_on and end_on <= start_on:
        errors.add("end_on", _("The project must end after it starts."))
    clean = {"start_on": start_on, "end_on": end_on}
    for key, label in zip(BUDGET, BUDGET_LABELS):
        clean[key] = whole_number(errors, data, key, label, low=0, high=MAX_FEN) or 0
    if not errors.details.keys() & set(BUDGET) and sum(clean[k] for k in BUDGET) != project.award_fen:
        errors.add("equipment_fen", _("The budget breakdown adds up to %(total)s, not the award of %(award)s.",
                                      total=yuan(sum(clean[k] for k in BUDGET)), award=yuan(project.award_fen)))
    clean["milestones"] = _milestones(errors, data.get("milestones") or [], start_on, end_on)
    clean["indicators"] = _indicators(errors, data.get("indicators") or [])
    clean["tranches"] = _tranches(errors, project, data.get("tranches") or [], len(clean["milestones"]))
    for key, label in ROW_LABELS.items():
        if len(clean[key]) > MAX_ROWS:
            errors.add(key, _("An agreement has at most %(max)s %(rows)s; this one has %(n)s.",
                              max=MAX_ROWS, rows=label, n=len(clean[key])))
    if existing:
        _keeps_history(errors, clean, existing)
    errors.raise_if_any()
    return clean


def _milestones(errors: Errors, rows: list, start_on, end_on) -> list[dict]:
    if not rows:
        errors.add("milestones", _("The agreement needs at least one milestone."))
    clean, previous = [], None
    for n, row in enumerate(rows, 1):
        title = _text(row.get("title"), 200)
        due_on = _day(errors, row.get("due_on"), "milestones", _l("Due date of milestone %(n)s", n=n))
        if not title:
            errors.add("milestones", _("Milestone %(n)s needs a title.", n=n))
        if due_on and start_on and due_on < start_on:
            errors.add("milestones", _("Milestone %(n)s is due on %(due)s, before the project starts on "
                                       "%(start)s.", n=n, due=due_on.isoformat(), start=start_on.isoformat()))
        elif due_on and end_on and due_on > end_on:
            errors.add("milestones", _("Milestone %(n)s is due on %(due)s, after the project ends on %(end)s.",
                                       n=n, due=due_on.isoformat(), end=end_on.isoformat()))
        elif due_on and previous and due_on < previous:
            errors.add("milestones", _("Milestone %(n)s is due before the milestone listed above it; list "
                                       "the milestones in the order they are due.", n=n))
        previous = due_on or previous
        clean.append({"title": title, "due_on": due_on, "deliverables": _text(row.get("deliverables"), 5000)})
    return clean


def _indicators(errors: Errors, rows: list) -> list[dict]:
    if not rows:
        errors.add("indicators", _("The agreement needs at least one indicator."))
    clean = []
    for n, row in enumerate(rows, 1):
        name, target = _text(row.get("name"), 200), _text(row.get("target"), 100)
        if not name or not target:
            errors.add("indicators", _("Indicator %(n)s needs a name and a target value.", n=n))
        clean.append({"name": name, "unit": _text(row.get("unit"), 50), "baseline": _text(row.get("baseline"), 100),
                      "target": target, "binding": bool(row.get("binding"))})
    return clean


def _tranches(errors: Errors, project, rows: list, n_milestones: int) -> list[dict]:
    if not rows:
        errors.add("tranches", _("The agreement needs at least one funding tranche."))
    clean, at_signing = [], 0
    for n, row in enumerate(rows, 1):
        amount = whole_number(errors, row, "amount_fen", _l("Amount of tranche %(n)s", n=n), low=1, high=MAX_FEN,
                              required=True)
        milestone = row.get("milestone")
        if milestone in (None, "", 0, "0"):
            milestone, at_signing = None, at_signing + 1
        else:
            milestone = whole_number(errors, row, "milestone", _l("Milestone of tranche %(n)s", n=n), low=1,
                                     high=max(n_milestones, 1))
        clean.append({"amount_fen": amount or 0, "milestone": milestone})
    for key in ("amount_fen", "milestone"):
        if key in errors.details:
            errors.add("tranches", errors.details.pop(key))
    if at_signing > 1:
        errors.add("tranches", _("Only one tranche may be paid at signing."))
    total = sum(t["amount_fen"] for t in clean)
    if rows and "tranches" not in errors.details and total != project.award_fen:
        errors.add("tranches", _("The tranches add up to %(total)s, not the award of %(award)s.",
                                 total=yuan(total), award=yuan(project.award_fen)))
    return clean


def _keeps_history(errors: Errors, clean: dict, existing: dict) -> None:
    messages = {"milestones": lambda n: _("Milestone %(n)s has a progress report and cannot be removed.", n=n),
                "indicators": lambda n: _("Indicator %(n)s has reported values and cannot be removed.", n=n),
                "tranches": lambda n: _("Tranche %(n)s has been released and cannot be removed.", n=n)}
    for key, message in messages.items():
        for n, locked in enumerate(existing[key], 1):
            if locked and n > len(clean[key]):
                errors.add(key, message(n))
    ids = existing["milestone_ids"]
    kept = [(t["amount_fen"], ids[t["milestone"] - 1] if t["milestone"] and t["milestone"] <= len(ids) else None)
            for n, t in enumerate(clean["tranches"]) if n < len(existing["tranches"]) and existing["tranches"][n]]
    if len(kept) == len(existing["released"]) and kept != existing["released"]:
        errors.add("tranches", _("A released tranche keeps its amount and its milestone."))
