"""The task agreement (任务书 / 军令状): drafted from the winning bid, edited by the
officer, confirmed by the officer, the enterprise and the team lead.

An agreement is handled as one plain dict (:func:`agreement_data`), the same
shape the API reads and writes and the snapshots keep::

    {"start_on": "2026-03-02", "end_on": "2028-03-02",
     "equipment_fen": ..., "materials_fen": ..., "personnel_fen": ..., "other_fen": ...,
     "milestones": [{"title", "due_on", "deliverables"}],
     "indicators": [{"name", "unit", "baseline", "target", "binding"}],
     "tranches": [{"amount_fen", "milestone"}]}   # milestone: its number (1-based), None = at signing

Rows are matched by position, so an amendment keeps a milestone's reports and a
released tranche; what has been reported on or paid cannot be removed.
"""
from __future__ import annotations

import calendar
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import flag_modified

from grants.core.validation import saving_edit
from grants.core.workflow import check_version
from grants.core import audit, clock
from grants.core.errors import Refused
from grants.core.workflow import fire
from grants.extensions import db
from grants.projects import notices
from grants.projects import permissions as can
from grants.projects.agreement_rules import BUDGET, validate
from grants.projects.models import (AgreementVersion, Indicator, Milestone, MilestoneState, Project,
                                    ProjectState, ReportValue, TaskAgreement, Tranche, TrancheState)

SIGNING_SHARE = 30  # percent of the award paid at signing in a drafted plan


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def draft_from_bid(project: Project, start_on: date | None = None) -> dict:
    """The agreement the winning bid implies: its milestones, promised indicators and budget lines."""
    bid = project.bid
    start_on = start_on or clock.today()
    months = [m.month for m in bid.milestones]
    duration = bid.challenge.duration_months or max(months, default=12)
    end_on = add_months(start_on, max(duration, *months, 1))
    milestones = [{"title": m.title, "due_on": add_months(start_on, m.month).isoformat(),
                   "deliverables": m.deliverable or ""} for m in bid.milestones]
    milestones = milestones or [{"title": _("Final deliverables"), "due_on": end_on.isoformat(), "deliverables": ""}]
    return {"start_on": start_on.isoformat(), "end_on": end_on.isoformat(),
            **_budget_lines(project), "milestones": milestones, "indicators": _promised_indicators(bid),
            "tranches": _tranche_plan(project.award_fen, len(milestones))}


def _promised_indicators(bid) -> list[dict]:
    """The bid's promised values against the challenge's indicators (or the challenge's targets)."""
    promised = [{"name": i.challenge_indicator.name, "unit": i.challenge_indicator.unit or "",
                 "baseline": "", "target": i.promised_value, "binding": i.challenge_indicator.binding}
                for i in bid.indicators]
    return promised or [{"name": ci.name, "unit": ci.unit or "", "baseline": "", "target": ci.target_value,
                         "binding": ci.binding} for ci in bid.challenge.indicators]


def _budget_lines(project: Project) -> dict:
    """The bid's budget lines when they add up to the award; otherwise the award as "other"."""
    budget = {key: getattr(project.bid, key) or 0 for key in BUDGET}
    if sum(budget.values()) != project.award_fen:
        budget = {key: 0 for key in BUDGET} | {"other_fen": project.award_fen}
    return budget


def _tranche_plan(award_fen: int, n_milestones: int) -> list[dict]:
    """30 % at signing, the rest evenly over the milestones (the last takes the remainder)."""
    if n_milestones == 0:
        return [{"amount_fen": award_fen, "milestone": None}]
    signing = award_fen * SIGNING_SHARE // 100
    each = (award_fen - signing) // n_milestones
    plan = [{"amount_fen": signing, "milestone": None}] if signing else []
    plan += [{"amount_fen": each, "milestone": n + 1} for n in range(n_milestones - 1)]
    plan.append({"amount_fen": award_fen - signing - each * (n_milestones - 1), "milestone": n_milestones})
    return [t for t in plan if t["amount_fen"] > 0]


def draft_agreement(project: Project, *, actor=None, record: bool = True) -> TaskAgreement:
    """Write the drafted agreement (at award, where the project's creation event
    records it, or later for an older project)."""
    if project.agreement is not None:
        raise Refused(_("The task agreement has already been drafted."))
    data = validate(project, draft_from_bid(project), existing=None)
    project.agreement = TaskAgreement(start_on=data["start_on"], end_on=data["end_on"])
    _apply(project, data)
    db.session.flush()
    if record:
        audit.record(project, "draft_agreement", actor=actor, evidence=agreement_data(project))
    notices.ask_to_confirm(project)
    return project.agreement


def agreement_data(project: Project) -> dict:
    agreement = project.agreement
    if agreement is None:
        return {}
    milestones = sorted(project.milestones, key=lambda m: m.position)
    number = {m.id: n for n, m in enumerate(milestones, 1)}
    return {
        "start_on": agreement.start_on.isoformat(), "end_on": agreement.end_on.isoformat(),
        **{key: getattr(agreement, key) for key in BUDGET},
        "milestones": [{"title": m.title, "due_on": m.due_on.isoformat(), "deliverables": m.deliverables}
                       for m in milestones],
        "indicators": [{"name": i.name, "unit": i.unit, "baseline": i.baseline, "target": i.target,
                        "binding": i.binding} for i in sorted(project.indicators, key=lambda i: i.position)],
        "tranches": [{"amount_fen": t.amount_fen, "milestone": number.get(t.milestone_id)}
                     for t in sorted(project.tranches, key=lambda t: t.position)],
    }


def edit_agreement(project: Project, *, actor, data: dict, expected_version=None) -> TaskAgreement:
    """Change the agreement (officer); any change asks the three parties to confirm again."""
    can.enforce(can.can_edit_agreement(actor, project))
    agreement = project.agreement or draft_agreement(project, actor=actor)
    check_version(agreement, expected_version)
    proposed = agreement_data(project) | {k: v for k, v in data.items() if k in agreement_data(project)}
    clean = validate(project, proposed, existing=_locked_rows(project))
    # Who had confirmed must confirm the changed agreement again (the others were asked already).
    again = [party for party in ("enterprise", "lead") if getattr(agreement, f"{party}_confirmed_at")]
    with saving_edit():
        _apply(project, clean)
        for party in TaskAgreement.PARTIES:
            setattr(agreement, f"{party}_confirmed_at", None)
            setattr(agreement, f"{party}_confirmed_by_id", None)
        agreement.updated_at = clock.now()
        flag_modified(agreement, "updated_at")  # a new version even when only the rows changed
    audit.record(project, "edit_agreement", actor=actor, evidence=agreement_data(project))
    if again:
        notices.ask_to_confirm(project, again)
    return agreement


def _locked_rows(project: Project) -> dict:
    """What an amendment may not remove: reported (or waived) milestones, reported indicators,
    released tranches."""
    reported = set(db.session.scalars(sa.select(ReportValue.indicator_id).join(Indicator).where(
        Indicator.project_id == project.id)).all())
    return {"milestones": [m.state != MilestoneState.pending or m.id == project.waived_milestone_id
                           for m in _ordered(project.milestones)],
            "indicators": [i.id in reported for i in _ordered(project.indicators)],
            "tranches": [t.state == TrancheState.released for t in _ordered(project.tranches)],
            "released": [(t.amount_fen, t.milestone_id) for t in _ordered(project.tranches)
                         if t.state == TrancheState.released],
            "milestone_ids": [m.id for m in _ordered(project.milestones)]}


def _ordered(rows):
    return sorted(rows, key=lambda row: row.position)


def _apply(project: Project, data: dict) -> None:
    agreement = project.agreement
    agreement.start_on, agreement.end_on = data["start_on"], data["end_on"]
    for key in BUDGET:
        setattr(agreement, key, data[key])
    for tranche in project.tranches:
        tranche.milestone_id = None  # re-linked below, once the milestones are in place
    db.session.flush()
    milestones = _sync(project, project.milestones, data["milestones"], Milestone)
    _sync(project, project.indicators, data["indicators"], Indicator)
    tranches = _sync(project, project.tranches, [{k: v for k, v in t.items() if k != "milestone"}
                                                 for t in data["tranches"]], Tranche)
    for tranche, values in zip(tranches, data["tranches"]):
        tranche.milestone = milestones[values["milestone"] - 1] if values["milestone"] else None
    db.session.flush()


def _sync(project, rows, values: list[dict], model):
    """Update rows by position, add the missing ones, delete the rest; the rows in order."""
    ordered = _ordered(rows)
    kept = []
    for position, fields in enumerate(values):
        row = ordered[position] if position < len(ordered) else None
        if row is None:
            row = model(project=project)
            db.session.add(row)
        row.position = position
        for key, value in fields.items():
            setattr(row, key, value)
        kept.append(row)
    for row in ordered[len(values):]:
        rows.remove(row)
        db.session.delete(row)
    return kept


# confirmation -----------------------------------------------------------------------

def confirm_agreement(project: Project, *, actor, expected_version=None) -> TaskAgreement:
    """One party confirms the agreement as it is now; the third confirmation signs it."""
    can.enforce(can.can_confirm_agreement(actor, project))
    agreement = project.agreement
    check_version(agreement, expected_version)
    party = can.party_of(actor, project)
    with saving_edit():
        setattr(agreement, f"{party}_confirmed_at", clock.now())
        setattr(agreement, f"{party}_confirmed_by_id", actor.id)
        agreement.updated_at = clock.now()
    audit.record(project, "confirm_agreement", actor=actor, evidence={"party": party})
    notices.agreement_confirmed(project, party)
    if agreement.fully_confirmed:
        _keep_version(project, agreement)
        if project.state == ProjectState.contracting:
            fire(project, "sign", actor)
    return agreement


def _keep_version(project: Project, agreement: TaskAgreement) -> AgreementVersion:
    agreement.confirmed_versions += 1
    version = AgreementVersion(project_id=project.id, number=agreement.confirmed_versions,
                               confirmed_at=clock.now(), snapshot=agreement_data(project))
    db.session.add(version)
    db.session.flush()
    audit.record(project, "agreement_confirmed", actor=None,
                 evidence={"agreement_version": version.number})
    return version


def agreement_versions(project: Project) -> list[AgreementVersion]:
    return db.session.scalars(sa.select(AgreementVersion).where(AgreementVersion.project_id == project.id)
                              .order_by(AgreementVersion.number.desc())).all()


def agreement_version(project: Project, number: int) -> AgreementVersion | None:
    return db.session.scalar(sa.select(AgreementVersion).where(
        AgreementVersion.project_id == project.id, AgreementVersion.number == number))
