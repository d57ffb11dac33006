"""Guards and effects of the project, milestone and tranche workflows."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from grants.core import clock
from grants.extensions import db
from grants.integrity.check import check, org_subject, person_subject
from grants.projects.models import PROJECT_STATE_LABELS, MilestoneState, ProjectState, Report, TaskAgreement


def project_of(obj):
    """The project of a project, milestone or tranche."""
    return getattr(obj, "project", None) or obj


def lead_and_org(attempt):
    """The subjects a tranche's release and the red-list incentive look at."""
    project = project_of(attempt.obj)
    subjects = [org_subject(project.lead_org, "organization")]
    if project.lead_person is not None:
        subjects.append(person_subject(project.lead_person, "lead"))
    return subjects


lead_and_org.__name__ = "lead_and_org"


# project -------------------------------------------------------------------------

def agreement_confirmed(attempt):
    agreement = attempt.obj.agreement
    if agreement is None or not agreement.fully_confirmed:
        return _l("The task agreement needs the confirmation of the programme officer, the enterprise "
                  "and the team lead first.")
    return None


def note_red_list_at_signing(attempt):
    """Record whether lead and organisation carry a red entry in force now (联合激励)."""
    project = attempt.obj
    subjects = lead_and_org(attempt)
    result = check(subjects, on=clock.to_local(attempt.now).date())
    red_roles = {finding.subject.role for finding in result.red}
    project.red_at_signing = project.lead_person is not None and {"organization", "lead"} <= red_roles
    attempt.evidence["integrity"] = result.evidence()
    attempt.evidence["red_at_signing"] = project.red_at_signing


def remember_where_from(attempt):
    attempt.obj.suspended_from = ProjectState(attempt.from_state)


def forget_where_from(attempt):
    attempt.obj.suspended_from = None


def suspended_from(state: ProjectState):
    def guard(attempt):
        origin = attempt.obj.suspended_from or ProjectState.contracting
        if origin != state:
            return _l("This project was suspended while %(state)s and returns there: use “%(action)s”.",
                      state=PROJECT_STATE_LABELS[origin],
                      action=_l("Resume") if origin == ProjectState.active else _l("Resume (back to contracting)"))
        return None

    guard.__name__ = f"suspended_from_{state}"
    return guard


def every_milestone_approved(attempt):
    return milestones_waiting(attempt.obj)


def milestones_waiting(project):
    waiting = [m for m in project.milestones if m.state != MilestoneState.approved]
    if waiting:
        return _l("Final acceptance can be requested only when every milestone is approved; "
                  "not yet approved: %(titles)s.", titles="、".join(m.title for m in waiting))
    return None


def final_report_given(attempt):
    if not isinstance(attempt.data.get("report"), Report):
        return _l("Attach the final report and the value reached for each indicator.")
    attempt.evidence["report_id"] = attempt.data["report"].id
    return None


# milestone and tranche -------------------------------------------------------------

def project_active(attempt):
    project = project_of(attempt.obj)
    if project.state != ProjectState.active:
        return _l("The project is %(state)s, not in progress.", state=PROJECT_STATE_LABELS[project.state])
    return None


def report_given(attempt):
    if not isinstance(attempt.data.get("report"), Report):
        return _l("Submit the progress report with its text and the indicator values reached so far.")
    attempt.evidence["report_id"] = attempt.data["report"].id
    return None


def latest_report(milestone):
    return db.session.scalar(sa.select(Report).where(Report.milestone_id == milestone.id)
                             .order_by(Report.id.desc()).limit(1))


def stamp_decision(decision: str):
    def effect(attempt):
        report = latest_report(attempt.obj)
        if report is not None:
            report.decision, report.decision_comment = decision, attempt.comment
            report.decided_at = attempt.now
            report.decided_by_id = attempt.actor.id if attempt.actor else None

    effect.__name__ = f"stamp_{decision}"
    return effect


PARTY_LABELS = dict(zip(TaskAgreement.PARTIES, (_l("the programme officer"), _l("the enterprise"), _l("the team lead"))))


def agreement_in_force(attempt):
    """Funds follow only an agreement all three parties confirmed as it stands: an amendment
    waiting for confirmations holds every release until it is signed again."""
    agreement = project_of(attempt.obj).agreement
    if agreement is None or not agreement.fully_confirmed:
        waiting = [p for p in TaskAgreement.PARTIES if agreement is None or not agreement.confirmed_by(p)]
        return _l("The task agreement was changed and waits for the confirmation of %(parties)s; funds are "
                  "released only under an agreement all three parties have confirmed.",
                  parties="、".join(str(PARTY_LABELS[p]) for p in waiting))
    return None


def expert_check_refusal(milestone) -> str | None:
    """Why the milestone's report may not be approved for want of the experts' check, or None.

    The one statement of the rule (DESIGN "Research integrity lists"): the mid-way milestone's
    report is approved only after a satisfactory expert check, unless the check was waived under
    the red-list incentive; after a not-satisfactory check it can only be returned. The approve
    transition guards with it; pages and the API show its answer.
    """
    from grants.projects.permissions import midway_milestone

    midway = midway_milestone(milestone.project)
    if midway is None or midway.id != milestone.id:
        return None
    report = latest_report(milestone)
    conclusion = report.expert_conclusion if report is not None else None
    if conclusion == "not_satisfactory":
        return _l("The experts found the mid-way report not satisfactory: it can only be returned for revision.")
    if conclusion == "satisfactory" or milestone.project.waived_milestone_id == milestone.id:
        return None
    return _l("The mid-way milestone needs the experts' check before its report can be approved.")


def expert_check_done(attempt):
    """Guard of ``approve``: :func:`expert_check_refusal`; the evidence says how the check was met."""
    reason = expert_check_refusal(attempt.obj)
    if reason:
        return reason
    project = attempt.obj.project
    if project.waived_milestone_id == attempt.obj.id:
        attempt.evidence["expert_check"] = "waived"
    else:
        report = latest_report(attempt.obj)
        if report is not None and report.expert_conclusion:
            attempt.evidence["expert_check"] = report.expert_conclusion
    return None


def milestone_approved(attempt):
    milestone = attempt.obj.milestone
    if milestone is not None and milestone.state != MilestoneState.approved:
        return _l("This tranche is due when milestone “%(title)s” is approved; it is %(state)s.",
                  title=milestone.title, state=milestone.state_label)
    return None


def stamp_release(attempt):
    tranche = attempt.obj
    tranche.released_at = attempt.now
    tranche.released_on = clock.to_local(attempt.now).date()
    tranche.released_by_id = attempt.actor.id if attempt.actor else None
    attempt.evidence["amount_fen"] = tranche.amount_fen
