"""An awarded project with its three parties, built through the real transitions."""
from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from grants.extensions import db
from grants.projects import agreement as agreements
from grants.projects.services import create_project
from tests.reviews.helpers import team_bid, to_review
from tests.factories import pdf_bytes

TWO_MILESTONES = [{"title": "样机研制", "month": 6, "deliverable": "样机一台"},
                  {"title": "中试验证", "month": 12, "deliverable": "中试报告"}]


@dataclass
class Parties:
    project: object
    officer: object
    owner: object  # the challenge's enterprise
    team: object  # an applicant of the lead organisation


def awarded(make, milestones=TWO_MILESTONES, challenge_fields=None, **bid_fields) -> Parties:
    """A project in contracting, its agreement drafted from a bid with ``milestones``."""
    officer = make.user("officer")
    challenge = make.challenge(officer=officer, **(challenge_fields or {}))
    bid = team_bid(make, challenge, milestones=list(milestones), **bid_fields)
    to_review(make, challenge, officer, [bid])
    project = create_project(bid, actor=officer)
    db.session.commit()
    owner = make.user("enterprise", org=challenge.owner_org)
    team = make.user("applicant", org=bid.organization)
    return Parties(project, officer, owner, team)


def signed(make, **kwargs) -> Parties:
    """A project whose agreement the three parties have confirmed: active."""
    parties = awarded(make, **kwargs)
    for user in (parties.officer, parties.owner, parties.team):
        agreements.confirm_agreement(parties.project, actor=user)
        db.session.commit()
    return parties


def red_signed(make, **kwargs) -> Parties:
    """A project signed while its lead and lead organisation were on the red list (联合激励)."""
    parties = awarded(make, **kwargs)
    make.red(parties.project.lead_org)
    make.red(parties.project.lead_person)
    for user in (parties.officer, parties.owner, parties.team):
        agreements.confirm_agreement(parties.project, actor=user)
        db.session.commit()
    return parties


def expert_check(milestone, officer, conclusion: str = "satisfactory"):
    """The officer records the experts' check of the mid-way milestone's report."""
    from grants.projects import reports

    return reports.record_expert_check(milestone, actor=officer, experts=["王建国", "李晓梅"],
                                       opinion="进展符合任务书要求。", conclusion=conclusion)


def approve_report(milestone, officer, comment=None):
    """The officer approves a submitted report; the mid-way milestone's after a satisfactory
    experts' check (unless it was waived)."""
    from grants.core.workflow import fire
    from grants.projects.permissions import midway_milestone

    project = milestone.project
    midway = midway_milestone(project)
    if midway is not None and midway.id == milestone.id and project.waived_milestone_id != milestone.id:
        expert_check(milestone, officer)
    return fire(milestone, "approve", officer, comment=comment)


def pdf(name: str = "report.pdf"):
    return BytesIO(pdf_bytes("progress report")), name


@dataclass
class Race:
    """A parallel award (赛马制): one challenge, several signed projects."""
    challenge: object
    officer: object
    owner: object
    teams: list  # Parties of each project, oldest first


def parallel_award(make, n_teams: int = 3, milestones=TWO_MILESTONES) -> Race:
    officer = make.user("officer")
    challenge = make.challenge(officer=officer, max_winners=n_teams)
    bids = [team_bid(make, challenge, milestones=list(milestones), requested_fen=100_000_00) for _ in range(n_teams)]
    to_review(make, challenge, officer, bids)
    owner = make.user("enterprise", org=challenge.owner_org)
    teams = []
    for bid in bids:
        project = create_project(bid, actor=officer)
        db.session.commit()
        team = make.user("applicant", org=bid.organization)
        for user in (officer, owner, team):
            agreements.confirm_agreement(project, actor=user)
            db.session.commit()
        teams.append(Parties(project, officer, owner, team))
    return Race(challenge, officer, owner, teams)


def co_fund(parties, amount_fen: int, source: str = "own"):
    """The team records a contribution paid today."""
    from grants.core import clock
    from grants.projects import funding

    row = funding.record_contribution(parties.project, actor=parties.team, data={
        "source": source, "amount_fen": amount_fen, "paid_on": clock.today().isoformat(), "note": "自筹资金到账"})
    db.session.commit()
    return row
