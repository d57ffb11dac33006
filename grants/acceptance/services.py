"""Acceptance operations: form the panel, start, judge, confirm the outcome.

Each flushes and never commits; refusals are in words and leave nothing
changed. The conflict rules are those of bid review
(:mod:`grants.reviews.conflicts`), applied to the project's own bid.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants.acceptance import permissions as can
from grants.acceptance import rules
from grants.acceptance.models import Decision, IndicatorJudgement, Judgement, Outcome, PanelMember
from grants.auth.models import Person, User
from grants.core import audit, clock
from grants.core.errors import DomainError, Refused, ValidationFailed
from grants.core.permissions import Role, has_role
from grants.core.registry import tick_job
from grants.core.workflow import check_version, fire
from grants.extensions import db
from grants.integrity.effects import on_black_entry
from grants.notifications.kinds import register_kind
from grants.notifications.services import link_for, notify, settle
from grants.integrity.models import IntegrityEntry, SubjectType
from grants.projects.models import Project, ProjectState
from grants.reviews.conflicts import ChallengeParties, conflict_reason
from grants.reviews.profiles import reviewer_pool_query
from grants.reviews.services import _black_reasons as black_reasons  # the pool's integrity check
from grants.reviews.services import reviewer_org_ids

OUTCOME_TRANSITIONS = {Outcome.passed: "pass_acceptance", Outcome.rectifying: "rectify",
                       Outcome.failed: "fail_acceptance"}


# the panel --------------------------------------------------------------------------------

def project_parties(project: Project) -> ChallengeParties:
    """The other side of the acceptance: the enterprise, the team's organisations and people."""
    bid = project.bid
    orgs = {bid.organization_id, *(p.organization_id for p in bid.partners)}
    persons = {bid.lead_id, *(m.person_id for m in bid.members)}
    return ChallengeParties(project.challenge.owner_org_id, frozenset(orgs - {None}), frozenset(persons - {None}))


@dataclass
class Candidate:
    user: User
    reason: Any = None  # why excluded, or None
    member: PanelMember | None = None


def panel_candidates(project: Project) -> list[Candidate]:
    """Every reviewer of the pool, with the reason they may not sit on this panel."""
    users = [p.user for p in db.session.scalars(reviewer_pool_query()).all()]
    parties, black = project_parties(project), black_reasons(users)
    members = {m.user_id: m for m in panel_of(project)}
    return [Candidate(u, conflict_reason(reviewer_org_ids(u), u.person_id, parties) or black.get(u.id),
                      members.get(u.id)) for u in users]


def panel_of(project: Project) -> list[PanelMember]:
    return db.session.scalars(sa.select(PanelMember).where(PanelMember.project_id == project.id)
                              .options(sa.orm.joinedload(PanelMember.user)).order_by(PanelMember.id)).all()


def voting_members(project: Project) -> list[PanelMember]:
    return [m for m in panel_of(project) if m.voting]


def _unfit(user: User, parties: ChallengeParties, black: dict):
    """Why ``user`` may not vote on this panel (not a reviewer, a conflict, black-listed), or None."""
    return (None if has_role(user, Role.EXPERTS) else _l("is not a reviewer")) or \
        conflict_reason(reviewer_org_ids(user), user.person_id, parties) or black.get(user.id)


def _panel_refusals(project: Project, reviewers: list[User], observer: User | None) -> list[str]:
    refusals = []
    if len(reviewers) < rules.MIN_VOTING_MEMBERS:
        refusals.append(_("An acceptance panel needs at least %(n)s voting reviewers; %(given)s given.",
                          n=rules.MIN_VOTING_MEMBERS, given=len(reviewers)))
    parties, black = project_parties(project), black_reasons(reviewers)
    for user in reviewers:
        why = _unfit(user, parties, black)
        if why:
            refusals.append(_("%(name)s %(reason)s.", name=user.display_name, reason=why))
    if observer is not None and not (has_role(observer, Role.CHALLENGE_OWNERS)
                                     and observer.organization_id == project.challenge.owner_org_id):
        refusals.append(_("The non-voting member must be a member of the enterprise that posted the challenge."))
    return refusals


def form_panel(project: Project, reviewers: list[User], *, actor, observer: User | None = None) -> list[PanelMember]:
    """Replace the panel: ``reviewers`` vote; ``observer``, named by the enterprise, sits without a vote."""
    can.enforce("acceptance.form_panel", actor, project)
    reviewers = list(dict.fromkeys(reviewers))
    refusals = _panel_refusals(project, reviewers, observer)
    if refusals:
        raise Refused(" ".join(refusals))
    for member in panel_of(project):
        db.session.delete(member)
    db.session.flush()
    members = [PanelMember(project_id=project.id, user_id=u.id, voting=True) for u in reviewers]
    if observer is not None:
        members.append(PanelMember(project_id=project.id, user_id=observer.id, voting=False))
    db.session.add_all(members)
    db.session.flush()
    audit.record(project, "form_acceptance_panel", actor=actor,
                 evidence={"voting": [u.id for u in reviewers], "observer": getattr(observer, "id", None)})
    return members


def add_panel_member(project: Project, reviewer: User, *, actor) -> PanelMember:
    """Add one voting reviewer to a formed panel (after a member was withdrawn), under the
    same conflict and integrity rules; the current round goes on, the newcomer judges in it."""
    can.enforce("acceptance.add_member", actor, project)
    if any(m.user_id == reviewer.id for m in panel_of(project)):
        raise Refused(_("%(name)s is already on the acceptance panel.", name=reviewer.display_name))
    why = _unfit(reviewer, project_parties(project), black_reasons([reviewer]))
    if why:
        raise Refused(_("%(name)s %(reason)s.", name=reviewer.display_name, reason=why))
    member = PanelMember(project_id=project.id, user_id=reviewer.id, voting=True)
    db.session.add(member)
    db.session.flush()
    audit.record(project, "add_panel_member", actor=actor, evidence={"user_id": reviewer.id})
    return member


def start_acceptance(project: Project, *, actor, expected_version=None):
    can.enforce("acceptance.start", actor, project)
    return fire(project, "start_acceptance", actor, expected_version=expected_version)


# judging ----------------------------------------------------------------------------------

def current_round(project: Project) -> int:
    """1, or 2 after a rectification."""
    return 1 + db.session.scalar(sa.select(sa.func.count(Decision.id)).where(
        Decision.project_id == project.id, Decision.outcome == Outcome.rectifying))


def judgement_of(project: Project, user, round_: int | None = None) -> Judgement | None:
    return db.session.scalar(sa.select(Judgement).where(
        Judgement.project_id == project.id, Judgement.reviewer_id == user.id,
        Judgement.round == (round_ or current_round(project))))


def _parse_judgement(project: Project, score, indicators: dict) -> tuple[int | None, dict]:
    errors = {}
    try:
        score = None if score in (None, "") else int(score)
    except (TypeError, ValueError):
        errors["score"] = _("The score must be a whole number from 0 to 100.")
    if isinstance(score, int) and not 0 <= score <= 100:
        errors["score"] = _("The score must be a whole number from 0 to 100.")
    known = {i.id for i in project.indicators}
    parsed = {}
    for key, (met, value) in (indicators or {}).items():
        if int(key) not in known:
            errors[f"indicator-{key}"] = _("This project has no indicator %(id)s.", id=key)
        elif len(str(value or "")) > 100:
            errors[f"indicator-{key}"] = _("At most %(n)s characters.", n=100)
        else:
            parsed[int(key)] = (bool(met), str(value or "").strip())
    if errors:
        raise ValidationFailed(" ".join(str(m) for m in errors.values()), details=errors)
    return score, parsed


def save_judgement(project: Project, *, actor, score=None, opinion: str = "", indicators: dict | None = None,
                   submit: bool = False, expected_version=None) -> Judgement:
    """Save a draft judgement, or submit it (then it is locked). ``indicators``:
    {indicator id: (met, value accepted as reached)}."""
    can.enforce("acceptance.judge", actor, project)
    score, parsed = _parse_judgement(project, score, indicators)
    judgement = judgement_of(project, actor)
    if judgement is not None and judgement.submitted:
        raise Refused(_("Your judgement has been submitted and can no longer be changed."))
    if judgement is None:
        judgement = Judgement(project_id=project.id, reviewer_id=actor.id, round=current_round(project))
        db.session.add(judgement)
    else:
        check_version(judgement, expected_version)
    if submit and score is None:
        raise ValidationFailed(_("Give an overall score to submit."), details={"score": _("Required.")})
    judgement.score, judgement.opinion = score, (opinion or "").strip()
    by_id = {j.indicator_id: j for j in judgement.indicators}
    for indicator_id, (met, value) in parsed.items():
        row = by_id.get(indicator_id) or IndicatorJudgement(indicator_id=indicator_id)
        row.met, row.value = met, value
        if row not in judgement.indicators:
            judgement.indicators.append(row)
    if submit:
        judgement.submitted_at = clock.now()
    db.session.flush()
    if submit:
        audit.record(project, "submit_judgement", actor=actor, evidence={"judgement_id": judgement.id,
                                                                        "round": judgement.round})
        # Given: the request to judge no longer waits in the member's inbox.
        settle(project, kinds=["acceptance.panel_member"], users=actor)
    return judgement


# the clock ----------------------------------------------------------------------------------

register_kind("acceptance.rectification_failed",
              _l("The rectification of “%(project)s” was not followed by a new request for acceptance by its "
                 "deadline (%(day)s): the project has failed acceptance."))


def overdue_rectifications_query():
    """Projects still rectifying after their rectification deadline, oldest deadline first."""
    return (sa.select(Project).join(Decision, Decision.project_id == Project.id)
            .where(Project.state == ProjectState.rectifying, Decision.outcome == Outcome.rectifying,
                   Decision.deadline_on < clock.today())
            .order_by(Decision.deadline_on, Project.id))


@tick_job("fail_rectifications", order=65)
def fail_overdue_rectifications() -> int:
    """A rectification whose deadline passed without the team asking for acceptance
    again fails, as the system, with its audit event (once: the project is then failed)."""
    done = 0
    for project in db.session.scalars(overdue_rectifications_query()).unique().all():
        deadline = _rectification_deadline(project)
        try:
            with db.session.begin_nested():
                fire(project, "fail_rectification", None,
                     comment=_("The rectification deadline (%(day)s) passed without a new request for acceptance.",
                               day=deadline.isoformat()))
                notify(team_accounts(project), "acceptance.rectification_failed",
                       link=link_for("projects.show", project_id=project.id), project=project.title, day=deadline)
            done += 1
        except DomainError:
            continue
    return done


def team_accounts(project: Project) -> list[User]:
    """The team's active accounts in the lead organisation (the lead among them)."""
    return db.session.scalars(sa.select(User).where(
        User.organization_id == project.lead_org_id, User.role.in_(Role.BIDDERS), User.active.is_(True))
        .order_by(User.id)).all()


def _rectification_deadline(project: Project):
    return db.session.scalar(sa.select(Decision.deadline_on).where(Decision.project_id == project.id,
                                                                   Decision.outcome == Outcome.rectifying))


# the black list -----------------------------------------------------------------------------

IN_ACCEPTANCE = (ProjectState.acceptance_requested, ProjectState.under_acceptance, ProjectState.rectifying)


def _members_in_acceptance():
    return (sa.select(PanelMember, Person.id_number).join(User, User.id == PanelMember.user_id)
            .join(Person, Person.id == User.person_id).join(Project, Project.id == PanelMember.project_id)
            .where(Project.state.in_(IN_ACCEPTANCE)))


def codes_of_acceptance_members(subject_type: str, codes: set[str]) -> set[str]:
    """Which of ``codes`` belong to members of a panel whose project is still in acceptance."""
    if subject_type != SubjectType.person:
        return set()
    return {code for _member, code in db.session.execute(
        _members_in_acceptance().where(Person.id_number.in_(codes)))}


@on_black_entry("withdraw_acceptance_members", live_codes=codes_of_acceptance_members)
def withdraw_panel_members(entry: IntegrityEntry, actor) -> int:
    """A panel member black-listed while the project is in acceptance leaves the panel
    (as bid review withdraws a reviewer's assignments): their judgement of the round,
    draft or submitted, no longer counts, and the officer adds a member when fewer than
    three voting members remain."""
    if entry.subject_type != SubjectType.person:
        return 0
    rows = db.session.execute(_members_in_acceptance().where(
        Person.id_number == entry.subject_code).order_by(PanelMember.id)).all()
    for member, _code in rows:
        project, user, voting = db.session.get(Project, member.project_id), member.user, member.voting
        db.session.delete(member)
        db.session.flush()
        audit.record(project, "withdraw_panel_member", actor=None,
                     comment=_("%(name)s withdrawn from the acceptance panel: black-list entry %(basis)s.",
                               name=user.display_name, basis=entry.basis),
                     evidence={"entry_id": entry.id, "user_id": user.id, "voting": voting})
    return len(rows)
# work queues ----------------------------------------------------------------------

ACCEPTANCE_STATES = (ProjectState.acceptance_requested, ProjectState.under_acceptance, ProjectState.rectifying)


def count_in_acceptance(lead_org_id: int | None = None) -> dict[ProjectState, int]:
    """Projects in each acceptance state: one organisation's, or all of them. One query."""
    query = (sa.select(Project.state, sa.func.count()).where(Project.state.in_(ACCEPTANCE_STATES))
             .group_by(Project.state))
    if lead_org_id is not None:
        query = query.where(Project.lead_org_id == lead_org_id)
    counts = {ProjectState(state): n for state, n in db.session.execute(query)}
    return {state: counts.get(state, 0) for state in ACCEPTANCE_STATES}


def acceptance_outcomes() -> dict[str, int]:
    """Projects that passed and that failed final acceptance (a rectification still counts as
    open). One query."""
    rows = dict(db.session.execute(sa.select(Project.state, sa.func.count()).where(
        Project.state.in_((ProjectState.accepted, ProjectState.failed))).group_by(Project.state)).all())
    return {"passed": rows.get(ProjectState.accepted, 0), "failed": rows.get(ProjectState.failed, 0)}
