"""The outcome of a round: the rule's preview, the officer's confirmation
(which fires the project's transition and records the decision), and the
inputs of the certificate after a pass."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from grants.acceptance import permissions as can
from grants.acceptance import rules
from grants.acceptance.models import OUTCOME_LABELS, Decision, Judgement, Outcome
from grants.acceptance.services import OUTCOME_TRANSITIONS, current_round, voting_members
from grants.core import clock
from grants.core.errors import Refused, ValidationFailed
from grants.core.workflow import fire
from grants.extensions import db
from grants.projects.models import Project

MAX_CONCLUSION_LENGTH = 4000


@dataclass
class Progress:
    members: int
    submitted: int
    result: rules.Result | None  # once every voting member has submitted

    @property
    def short(self) -> bool:
        """Fewer voting members than a panel needs (one was withdrawn): the officer adds one."""
        return self.members < rules.MIN_VOTING_MEMBERS

    @property
    def complete(self) -> bool:
        return not self.short and self.submitted == self.members


def judgements(project: Project, round_: int | None = None) -> list[Judgement]:
    return db.session.scalars(sa.select(Judgement).where(
        Judgement.project_id == project.id, Judgement.round == (round_ or current_round(project)))
        .options(sa.orm.selectinload(Judgement.indicators)).order_by(Judgement.id)).all()


def votes_of(project: Project) -> list[rules.Vote]:
    voters = {m.user_id for m in voting_members(project)}
    return [rules.Vote(j.score, {i.indicator_id: (i.met, i.value) for i in j.indicators})
            for j in judgements(project) if j.submitted and j.reviewer_id in voters]


def progress(project: Project) -> Progress:
    """How many voting members have submitted, and the rule's result once all have."""
    members, votes = voting_members(project), votes_of(project)
    result = None
    if len(members) >= rules.MIN_VOTING_MEMBERS and len(votes) == len(members):
        binding = [i.id for i in project.indicators if i.binding]
        result = rules.outcome(binding, votes, rectified_before=current_round(project) > 1)
    return Progress(len(members), len(votes), result)


def short_panel_message(members: int) -> str:
    return _("The acceptance panel has %(count)s voting members; add a reviewer so that at least %(n)s judge.",
             count=members, n=rules.MIN_VOTING_MEMBERS)


def _parse_deadline(outcome: Outcome, deadline_on, fixes: str) -> tuple[date | None, dict]:
    errors = {}
    if outcome != Outcome.rectifying:
        return None, errors
    if not fixes:
        errors["fixes"] = _("List what the team must rectify.")
    if isinstance(deadline_on, str):
        try:
            deadline_on = date.fromisoformat(deadline_on)
        except ValueError:
            deadline_on = None
    latest, today = rules.latest_deadline(clock.today()), clock.today()
    if not isinstance(deadline_on, date):
        errors["deadline_on"] = _("Give the rectification deadline as a date.")
    elif not today < deadline_on <= latest:
        errors["deadline_on"] = _("The rectification deadline must be after today and at most three months "
                                  "away (by %(latest)s).", latest=latest.isoformat())
    return deadline_on, errors


def _refuse_unwanted_rectification(project: Project, result: rules.Result, asked: bool) -> None:
    """A list of fixes or a deadline asks for a rectification, which the rule must give."""
    if not asked or result.outcome == Outcome.rectifying:
        return
    if current_round(project) > 1:
        raise Refused(_("Rectification is allowed only once; this project has already been rectified."))
    raise Refused(_("The panel's judgements give “%(outcome)s”, not a rectification.",
                    outcome=OUTCOME_LABELS[result.outcome]))


def confirm_outcome(project: Project, *, actor, conclusion: str, fixes: str = "", deadline_on=None,
                    misconduct: bool = False, expected_version=None):
    """Confirm the rule's outcome with a written conclusion; fires pass_acceptance, rectify or fail_acceptance."""
    can.enforce("acceptance.confirm_outcome", actor, project)
    state = progress(project)
    if state.short:
        raise Refused(short_panel_message(state.members))
    if not state.complete:
        raise Refused(_("The outcome can be confirmed once every voting member has submitted "
                        "(%(submitted)s of %(members)s so far).", submitted=state.submitted, members=state.members))
    conclusion, fixes = (conclusion or "").strip(), (fixes or "").strip()
    _refuse_unwanted_rectification(project, state.result, fixes or deadline_on)
    deadline_on, errors = _parse_deadline(state.result.outcome, deadline_on, fixes)
    if not conclusion:
        errors["conclusion"] = _("Give the written conclusion.")
    elif len(conclusion) > MAX_CONCLUSION_LENGTH:
        errors["conclusion"] = _("At most %(n)s characters.", n=MAX_CONCLUSION_LENGTH)
    if errors:
        raise ValidationFailed(" ".join(str(m) for m in errors.values()), details=errors)
    event = fire(project, OUTCOME_TRANSITIONS[state.result.outcome], actor, comment=conclusion,
                 expected_version=expected_version, outcome=state.result)
    db.session.add(Decision(
        project_id=project.id, round=current_round(project), outcome=state.result.outcome, conclusion=conclusion,
        fixes=fixes, deadline_on=deadline_on, misconduct=bool(misconduct) and state.result.outcome == Outcome.failed,
        mean_score=state.result.mean_score, decided_at=clock.now(), decided_by_id=actor.id))
    db.session.flush()
    return event


def decisions_of(project: Project) -> list[Decision]:
    return db.session.scalars(sa.select(Decision).where(Decision.project_id == project.id)
                              .order_by(Decision.round)).all()


def certificate_inputs(project: Project) -> tuple[str, dict[int, str]]:
    """The passing round's conclusion and the reached values the panel's majority accepted,
    keyed by the challenge's indicator ids as the certificate expects."""
    passed = next((d for d in decisions_of(project) if d.outcome == Outcome.passed), None)
    if passed is None:
        raise Refused(_("This project has not passed acceptance."))
    votes = [rules.Vote(j.score, {i.indicator_id: (i.met, i.value) for i in j.indicators})
             for j in judgements(project, passed.round) if j.submitted]
    accepted = rules.accepted_values(votes)
    challenge_ids = _challenge_indicator_ids(project)
    reached = {challenge_ids[i.id]: accepted[i.id] for i in project.indicators
               if i.id in accepted and i.id in challenge_ids}
    return passed.conclusion, reached


def _challenge_indicator_ids(project: Project) -> dict[int, int]:
    """The challenge indicator each project indicator came from: its recorded link, or the
    bid's promise of the same name (the task agreement copies the challenge indicator's name)."""
    by_name = {p.challenge_indicator.name: p.challenge_indicator_id for p in project.bid.indicators}
    found = {}
    for indicator in project.indicators:
        challenge_id = indicator.challenge_indicator_id or by_name.get(indicator.name)
        if challenge_id is not None:
            found[indicator.id] = challenge_id
    return found


def issue_project_certificate(project: Project, *, actor):
    """Issue the certificate with the passing round's conclusion and accepted values."""
    from grants.certificates.services import issue_certificate

    conclusion, reached = certificate_inputs(project)
    return issue_certificate(project, actor, conclusion=conclusion, reached=reached)
