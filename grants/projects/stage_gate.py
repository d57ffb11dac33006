"""The stage gate of a parallel award (赛马制): several teams work on one challenge;
after the gate milestone (the same position in every team's agreement) the officer
compares them side by side and continues or stops each, with written reasons.

A stopped team's project is terminated through its workflow (no further tranches).
The officer may give a continuing team the stopped teams' unreleased budget as a
new tranche, due at the milestone after the gate: an amendment of its agreement
(award, "other costs" and tranches grow by the same amount; the parties confirm
it again, the versions they confirmed before are kept).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants.bids.rules import yuan
from grants.core import audit, clock
from grants.core.history import ACTION_LABELS
from grants.core.errors import Refused, ValidationFailed
from grants.core.validation import Errors
from grants.core.workflow import check_version, fire
from grants.extensions import db
from grants.projects import permissions as can
from grants.projects.models import (GateDecision, MilestoneState, Project, ProjectState, Report, ReportKind,
                                    ReportValue, StageGate)
from grants.projects.services import funding_summary

VERDICTS = ("continue", "stop")
REPORTED = (MilestoneState.submitted, MilestoneState.approved)

ACTION_LABELS.update({
    "set_stage_gate": _l("Stage gate set"),
    "decide_stage_gate": _l("Stage gate decided"),
    "gate_budget_moved": _l("Budget of stopped teams moved to this project"),
})


def gate_of(challenge) -> StageGate | None:
    return db.session.scalar(sa.select(StageGate).where(StageGate.challenge_id == challenge.id))


def gate_projects(challenge) -> list[Project]:
    """The challenge's projects (its teams), oldest first."""
    return db.session.scalars(sa.select(Project).where(Project.challenge_id == challenge.id)
                              .order_by(Project.id)).all()


def set_stage_gate(challenge, *, actor, position, expected_version=None) -> StageGate:
    """Mark milestone ``position`` (1-based) of the teams' agreements as the gate."""
    can.enforce(can.can_set_gate(actor, challenge))
    gate = gate_of(challenge)
    if gate is not None:
        can.enforce(can.can_decide_gate(actor, gate))
        check_version(gate, expected_version)
    projects = gate_projects(challenge)
    if len(projects) < 2:
        raise Refused(_("A stage gate needs at least two awarded teams; this challenge has %(n)s.",
                        n=len(projects)))
    shortest = min(len(p.milestones) for p in projects)
    if not isinstance(position, int) or not 1 <= position < shortest:
        raise ValidationFailed(
            _("The gate must follow one of milestones 1 to %(last)s, so that work remains after it.",
              last=shortest - 1) if shortest > 1 else
            _("Every team's agreement needs at least two milestones for a stage gate."),
            details={"position": "position"})
    if gate is None:
        gate = StageGate(challenge=challenge, challenge_id=challenge.id, position=position)
        db.session.add(gate)
    gate.position, gate.set_by_id = position, actor.id
    db.session.flush()
    audit.record(challenge, "set_stage_gate", actor=actor, evidence={"position": position})
    return gate


def gate_milestone(project: Project, gate: StageGate):
    milestones = sorted(project.milestones, key=lambda m: m.position)
    return milestones[gate.position - 1] if len(milestones) >= gate.position else None


def teams_waiting(gate: StageGate) -> list[Project]:
    """Teams still in the race whose gate report is neither in nor past due."""
    today = clock.today()
    waiting = []
    for project in gate_projects(gate.challenge):
        milestone = gate_milestone(project, gate)
        if project.state != ProjectState.terminated and milestone is not None and \
                milestone.state not in REPORTED and milestone.due_on >= today:
            waiting.append(project)
    return waiting


def gate_comparison(gate: StageGate) -> list[dict]:
    """Per team: indicators reached so far against target, reports, funds released against planned."""
    decisions = {d.project_id: d for d in gate.decisions}
    return [{"project": project, "milestone": gate_milestone(project, gate),
             "indicators": _indicators_reached(project), "reports": _reports(project),
             "funds": funding_summary(project), "decision": decisions.get(project.id)}
            for project in gate_projects(gate.challenge)]


def _indicators_reached(project: Project) -> list[dict]:
    latest = {}
    for value in db.session.scalars(sa.select(ReportValue).join(Report).where(Report.project_id == project.id)
                                    .order_by(Report.id)):
        latest[value.indicator_id] = value.value
    return [{"name": i.name, "unit": i.unit, "target": i.target, "binding": i.binding, "reached": latest.get(i.id)}
            for i in project.indicators]


def _reports(project: Project) -> list[Report]:
    return db.session.scalars(sa.select(Report).where(Report.project_id == project.id,
                                                      Report.kind == ReportKind.progress)
                              .order_by(Report.id)).all()


def decide_stage_gate(challenge, *, actor, decisions: dict, move_to=None, move_fen: int = 0,
                      expected_version=None) -> StageGate:
    """Continue or stop every team in the race: ``decisions`` maps a project id to
    ``(verdict, reason)``; ``move_fen`` of the stopped teams' unreleased budget goes to
    the continuing project ``move_to`` (an id) as a new tranche."""
    can.enforce(can.can_set_gate(actor, challenge))
    gate = gate_of(challenge)
    if gate is None:
        raise Refused(_("No stage gate has been set for this challenge."))
    can.enforce(can.can_decide_gate(actor, gate))
    check_version(gate, expected_version)
    teams = [p for p in gate_projects(challenge) if p.state != ProjectState.terminated]
    waiting = teams_waiting(gate)
    if waiting:
        raise Refused(_("Not every team has reached the gate: the report for milestone %(n)s is not in yet "
                        "from %(teams)s.", n=gate.position, teams="、".join(p.lead_org.name for p in waiting)))
    verdicts = _clean_verdicts(teams, decisions)
    stopped = [p for p in teams if verdicts[p.id][0] == "stop"]
    if len(stopped) == len(teams):
        raise Refused(_("A stage gate cannot stop every team: at least one must continue."))
    receiver = _receiver(teams, verdicts, stopped, move_to, move_fen)
    for project in teams:
        verdict, reason = verdicts[project.id]
        gate.decisions.append(GateDecision(project_id=project.id, verdict=verdict, reason=reason))
        if verdict == "stop":
            fire(project, "terminate", actor, comment=_("Stopped at the stage gate: %(reason)s", reason=reason))
    gate.decided_at, gate.decided_by_id = clock.now(), actor.id
    gate.moved_fen, gate.moved_to_id = move_fen or 0, receiver.id if receiver else None
    db.session.flush()
    audit.record(challenge, "decide_stage_gate", actor=actor,
                 evidence={"position": gate.position, "moved_fen": gate.moved_fen, "moved_to": gate.moved_to_id,
                           "decisions": [{"project_id": p.id, "verdict": verdicts[p.id][0]} for p in teams]})
    if receiver is not None:
        _move_budget(receiver, gate, actor=actor, from_projects=stopped)
    return gate


def _clean_verdicts(teams, decisions: dict) -> dict:
    errors = Errors()
    clean = {}
    for project in teams:
        verdict, reason = (decisions.get(project.id) or decisions.get(str(project.id)) or (None, ""))
        reason = str(reason or "").strip()
        if verdict not in VERDICTS:
            errors.add(f"verdict_{project.id}", _("Continue or stop %(team)s.", team=project.lead_org.name))
        elif not reason:
            errors.add(f"reason_{project.id}", _("Give the reasons for the decision on %(team)s.",
                                                 team=project.lead_org.name))
        clean[project.id] = (verdict, reason[:4000])
    errors.raise_if_any()
    return clean


def unreleased_fen(projects) -> int:
    return sum(funding_summary(p)["remaining_fen"] for p in projects)


def _receiver(teams, verdicts, stopped, move_to, move_fen) -> Project | None:
    """The continuing project that receives ``move_fen``, checked; None when nothing moves."""
    if not move_fen:
        return None
    if not isinstance(move_fen, int) or move_fen < 0:
        raise ValidationFailed(_("The amount to move must be a whole number of fen."), details={"move_fen": "amount"})
    receiver = next((p for p in teams if p.id == move_to and verdicts[p.id][0] == "continue"), None)
    if receiver is None:
        raise Refused(_("The remaining budget can go only to a team that continues."))
    available = unreleased_fen(stopped)
    if move_fen > available:
        raise Refused(_("%(amount)s is more than the stopped teams' remaining (unreleased) budget of "
                        "%(available)s.", amount=yuan(move_fen), available=yuan(available)))
    return receiver


def _move_budget(project: Project, gate: StageGate, *, actor, from_projects) -> None:
    """The award grows by the amount, paid as a new tranche at the milestone after the gate."""
    from grants.projects.agreement import agreement_data, edit_agreement

    amount = gate.moved_fen
    data = agreement_data(project)
    project.award_fen += amount
    data["other_fen"] += amount
    data["tranches"].append({"amount_fen": amount, "milestone": gate.position + 1})
    edit_agreement(project, actor=actor, data=data)
    audit.record(project, "gate_budget_moved", actor=actor,
                 evidence={"amount_fen": amount, "award_fen": project.award_fen,
                           "from_projects": [p.id for p in from_projects]})
