"""Each event that asks someone to act writes exactly one notification for each person it asks,
none for anyone else, in the event's own transaction."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from grants.auth.models import User
from grants.core import clock
from grants.core.errors import Refused
from grants.core.web import perform
from grants.core.workflow import fire
from grants.extensions import db
from grants.notifications.models import Notification
from tests.projects.helpers import pdf, signed


def told(kind: str) -> dict[int, int]:
    """user id -> how many notifications of ``kind`` they have."""
    rows = db.session.execute(sa.select(Notification.user_id, sa.func.count()).where(Notification.kind == kind)
                              .group_by(Notification.user_id)).all()
    return dict(rows)


def once(*users) -> dict[int, int]:
    return {u.id: 1 for u in users}


def officers() -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.role == "officer")))


def team_accounts(project) -> list[User]:
    """The lead organisation's team accounts (these projects' leads have no account of their own)."""
    return list(db.session.scalars(sa.select(User).where(User.organization_id == project.lead_org_id,
                                                         User.role == "applicant")))


def enterprise_accounts(project) -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.organization_id == project.challenge.owner_org_id,
                                                         User.role == "enterprise")))


def the(kind: str) -> Notification:
    return db.session.scalars(sa.select(Notification).where(Notification.kind == kind)
                              .order_by(Notification.id.desc())).first()


# bids ---------------------------------------------------------------------------------

def test_a_partner_invitation_asks_the_partner_organisations_accounts_once(app, make):
    from grants.bids import services as bids

    challenge = make.challenge()
    partner_org = make.org(kind="university")
    asked = [make.user("applicant", org=partner_org), make.user("applicant", org=partner_org)]
    team = make.user("applicant")
    make.user("applicant")  # a stranger
    bid = make.bid(challenge, user=team, submit=False, partners=[partner_org.credit_code])
    assert told("bids.partner_invited") == once(*asked)
    note = the("bids.partner_invited")
    assert note.link == f"/bids/{bid.id}/partner"
    assert challenge.title in note.text and team.organization.name in note.text
    bids.update_bid(bid, actor=team, data={"title": "再次保存"})  # the same partner: not asked again
    second_org = make.org(kind="institute")
    second = make.user("applicant", org=second_org)
    bids.update_bid(bid, actor=team, data={"partners": [partner_org.credit_code, second_org.credit_code]})
    db.session.commit()
    assert told("bids.partner_invited") == once(*asked, second)


def test_a_bid_flagged_by_the_integrity_check_tells_its_lead_and_the_bureau(app, make):
    officer = make.user("officer")
    challenge = make.challenge(officer=officer)
    org = make.org(kind="university")
    lead = make.user("applicant", org=org)
    colleague = make.user("applicant", org=org)
    bid = make.bid(challenge, user=lead)
    assert bid.lead_id == lead.person_id
    make.black(org)
    assert bid.integrity_flagged_at is not None
    recipients = told("bids.flagged")
    assert recipients == once(lead, *officers()) and officer.id in recipients and colleague.id not in recipients
    assert the("bids.flagged").link == f"/bids/{bid.id}"


# challenges ---------------------------------------------------------------------------

def test_a_returned_challenge_asks_the_posting_enterprise_to_revise_it(app, make):
    owner = make.user("enterprise")
    colleague = make.user("enterprise", org=owner.organization)
    make.user("enterprise")  # another enterprise
    challenge = make.challenge(state="submitted", owner=owner)
    officer = make.user("officer")
    assert told("challenges.returned") == {}
    fire(challenge, "return_for_revision", officer, comment="经费预算不清，请补充")
    db.session.commit()
    assert told("challenges.returned") == once(owner, colleague)
    assert the("challenges.returned").text == f"您的榜单“{challenge.title}”被退回修改：经费预算不清，请补充"


def test_the_notification_is_rolled_back_with_its_event(app, make):
    owner = make.user("enterprise")
    challenge = make.challenge(state="submitted", owner=owner)
    officer = make.user("officer")

    def returned_then_refused():
        fire(challenge, "return_for_revision", officer, comment="经费预算不清")
        assert told("challenges.returned") == once(owner)  # written, not yet committed
        raise Refused("后续步骤失败")

    with app.test_request_context("/"):
        assert not perform(returned_then_refused)
    db.session.expire_all()
    assert challenge.state == "submitted"
    assert told("challenges.returned") == {}


def test_a_refused_event_notifies_nobody(app, make):
    challenge = make.challenge(state="submitted")
    with pytest.raises(Refused):
        fire(challenge, "return_for_revision", make.user("officer"))  # no reason given
    db.session.rollback()
    assert told("challenges.returned") == {}


# reviews and awards -------------------------------------------------------------------------

def test_a_review_assignment_asks_the_reviewer_to_accept(app, make):
    from grants.reviews.services import assign_reviewer
    from tests.reviews.helpers import reviewing

    challenge, officer, _bids = reviewing(make, n_bids=1)
    reviewer, other = make.reviewer(), make.reviewer()
    assignment = assign_reviewer(challenge, reviewer, actor=officer)
    db.session.commit()
    assert told("reviews.assigned") == once(reviewer) and other.id not in told("reviews.assigned")
    assert the("reviews.assigned").link == f"/reviews/assignments/{assignment.id}"


def test_an_objection_to_an_award_asks_the_bureau_to_answer(app, make):
    from tests.reviews.test_objection_counts import _award_objection

    _challenge, officer, _objection = _award_objection(make)
    assert told("awards.objection_filed") == once(*officers()) and officer.id in told("awards.objection_filed")
    assert the("awards.objection_filed").link == "/reviews/objections"


def test_an_objection_to_an_integrity_entry_asks_the_bureau_to_answer(app, make):
    from tests.reviews.test_objection_counts import _integrity_objection

    officer = make.user("officer")
    objection = _integrity_objection(make)
    assert told("integrity.objection_filed") == once(*officers()) and officer.id in told("integrity.objection_filed")
    note = the("integrity.objection_filed")
    assert note.link == f"/integrity/objections/{objection.id}" and "异议单位" in note.text


# projects ---------------------------------------------------------------------------------

def _awarded_with_parties(make):
    """A confirmed award whose enterprise and team accounts exist before the project is created."""
    from grants.bids.models import Bid
    from grants.projects.services import create_project
    from tests.reviews.helpers import team_bid, to_review

    officer = make.user("officer")
    challenge = make.challenge(officer=officer)
    bid = team_bid(make, challenge)
    to_review(make, challenge, officer, [bid])
    owner = make.user("enterprise", org=challenge.owner_org)
    team = make.user("applicant", org=bid.organization)
    project = create_project(db.session.get(Bid, bid.id), actor=officer)
    db.session.commit()
    return project, officer, owner, team


def test_the_drafted_agreement_asks_the_enterprise_and_the_team_to_confirm(app, make):
    from grants.projects import agreement as agreements

    project, officer, owner, team = _awarded_with_parties(make)
    team = team_accounts(project)  # the lead has no account of their own: the team's accounts are asked
    owners = enterprise_accounts(project)
    assert len(team) == 2 and len(owners) == 2 and owner in owners
    assert told("projects.agreement_to_confirm") == once(*owners, *team)
    assert the("projects.agreement_to_confirm").link == f"/projects/{project.id}/agreement"
    # An edit of a draft nobody has confirmed asks nobody again.
    agreements.edit_agreement(project, actor=officer, data={})
    db.session.commit()
    assert told("projects.agreement_to_confirm") == once(*owners, *team)
    # Once the enterprise confirmed, a change asks it (and only it) again.
    agreements.confirm_agreement(project, actor=owner)
    agreements.edit_agreement(project, actor=officer, data={"end_on": project.agreement.end_on + timedelta(days=30)})
    db.session.commit()
    counts = told("projects.agreement_to_confirm")
    assert counts[owner.id] == 2 and all(counts[u.id] == 2 for u in owners)  # the enterprise's accounts
    assert all(counts[u.id] == 1 for u in team)


def test_a_submitted_report_asks_the_bureau_and_a_returned_one_the_team(app, make):
    from grants.projects import reports

    parties = signed(make)
    project, team = parties.project, parties.team
    milestone = project.milestones[0]
    values = {i.id: "0.5" for i in project.indicators}
    reports.submit_report(milestone, actor=team, text="进展", values=values, uploads=[pdf()])
    db.session.commit()
    assert told("projects.report_submitted") == once(*officers())
    assert the("projects.report_submitted").link == f"/projects/{project.id}/milestones"
    fire(milestone, "return_for_revision", parties.officer, comment="数据不全")
    db.session.commit()
    assert told("projects.report_returned") == once(*team_accounts(project)) and team.id in told(
        "projects.report_returned")
    assert "数据不全" in the("projects.report_returned").text
    assert parties.owner.id not in told("projects.report_returned")


def test_reminders_notify_the_team_once_each_even_when_tick_runs_twice(app, make):
    parties = signed(make)
    first = parties.project.milestones[0]
    runner = app.test_cli_runner()
    for days, kind in ((14, "projects.due_in_14_days"), (3, "projects.due_in_3_days"), (-1, "projects.overdue")):
        clock.set_now(clock.start_of_day(first.due_on - timedelta(days=days)))
        runner.invoke(args=["tick"])
        runner.invoke(args=["tick"])
        assert told(kind) == once(*team_accounts(parties.project)), kind
    assert first.due_on.isoformat() in the("projects.overdue").text
    assert parties.owner.id not in told("projects.overdue")


# acceptance and certificates ----------------------------------------------------------------

def test_acceptance_asks_the_bureau_then_the_panel_and_tells_the_team_the_outcome(app, make):
    from tests.acceptance.helpers import confirm, judge_all, requested, under_acceptance

    acceptance = requested(make)
    assert told("projects.acceptance_requested") == once(*officers())
    assert the("projects.acceptance_requested").link == f"/acceptance/projects/{acceptance.project.id}"

    acceptance = under_acceptance(make)
    panel_told = told("acceptance.panel_member")
    assert panel_told == once(*acceptance.panel)
    assert the("acceptance.panel_member").link == f"/acceptance/projects/{acceptance.project.id}/judge"
    judge_all(acceptance, [85, 80, 90])
    confirm(acceptance)
    assert told("acceptance.passed") == once(*team_accounts(acceptance.project))
    assert told("acceptance.failed") == {} and told("acceptance.rectify") == {}


def test_a_rectification_tells_the_team_what_to_fix(app, make):
    from tests.acceptance.helpers import confirm, judge_all, under_acceptance

    acceptance = under_acceptance(make)
    judge_all(acceptance, [58, 55, 52])
    confirm(acceptance, conclusion="需整改", fixes="补充测试数据", deadline_on=clock.today() + timedelta(days=60))
    assert told("acceptance.rectify") == once(*team_accounts(acceptance.project))
    assert "需整改" in the("acceptance.rectify").text
    assert told("acceptance.passed") == {}


def test_an_issued_certificate_tells_the_team_and_the_enterprise(app, make):
    from grants.certificates.services import issue_certificate
    from tests.certificates.conftest import accepted_project, reached_values

    project = accepted_project(make)
    team = make.user("applicant", org=project.lead_org)
    owner = make.user("enterprise", org=project.challenge.owner_org)
    make.user("applicant")  # a stranger
    certificate = issue_certificate(project, make.user("officer"), conclusion="同意通过验收。",
                                    reached=reached_values(project))
    db.session.commit()
    told_now = told("certificates.issued")
    assert told_now == once(*team_accounts(project), *enterprise_accounts(project))
    assert team.id in told_now and owner.id in told_now
    note = the("certificates.issued")
    assert certificate.number in note.text and note.link == f"/certificates/{certificate.id}"


def test_a_lead_with_an_account_of_their_own_is_the_one_reminded(app, make):
    parties = signed(make)
    project = parties.project
    lead = make.user("applicant", org=project.lead_org, id_number_=project.lead_person.id_number,
                     name=project.lead_person.name)
    assert lead.person_id == project.lead_person_id
    clock.set_now(clock.start_of_day(project.milestones[0].due_on + timedelta(days=1)))
    app.test_cli_runner().invoke(args=["tick"])
    assert told("projects.overdue") == once(lead)
