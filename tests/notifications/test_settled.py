"""A notification that asks someone to act stops waiting once the request is answered or
withdrawn: it is marked read, so the inbox and the unread count show only what still waits.
Those of others who were asked the same thing and have not answered stay unread."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from grants.core.workflow import fire
from grants.extensions import db
from grants.notifications.models import Notification
from grants.notifications.services import unread_count
from tests.notifications.test_events import enterprise_accounts, officers, team_accounts


def waiting(kind: str) -> set[int]:
    """Ids of the users with an unread notification of ``kind``."""
    return set(db.session.scalars(sa.select(Notification.user_id).where(
        Notification.kind == kind, Notification.read_at.is_(None))))


def ids(*users) -> set[int]:
    return {user.id for user in users}


def test_accepting_a_review_assignment_clears_it_from_the_inbox_and_the_unread_count(client, login, make):
    from grants.reviews.services import assign_reviewer
    from tests.reviews.helpers import reviewing

    challenge, officer, _bids = reviewing(make, n_bids=1)
    reviewer, other = make.reviewer(), make.reviewer()
    mine = assign_reviewer(challenge, reviewer, actor=officer)
    assign_reviewer(challenge, other, actor=officer)
    db.session.commit()
    login(reviewer)
    page = client.get("/inbox").get_data(as_text=True)
    assert '<span class="inbox-unread rounded-pill text-bg-danger px-2 small fw-semibold">1</span>' in page
    response = client.post(f"/reviews/assignments/{mine.id}/accept",
                           data={"no_conflict": "y"}, follow_redirects=True)
    assert response.status_code == 200
    page = client.get("/inbox").get_data(as_text=True)
    assert "inbox-unread" not in page and unread_count(reviewer) == 0
    assert waiting("reviews.assigned") == ids(other)  # the other reviewer has not answered yet


def test_recusing_or_being_withdrawn_clears_the_request_too(app, make):
    from grants.reviews.services import assign_reviewer
    from tests.reviews.helpers import reviewing

    challenge, officer, _bids = reviewing(make, n_bids=1)
    recusing, withdrawn = make.reviewer(), make.reviewer()
    first = assign_reviewer(challenge, recusing, actor=officer)
    second = assign_reviewer(challenge, withdrawn, actor=officer)
    db.session.commit()
    assert waiting("reviews.assigned") == ids(recusing, withdrawn)
    fire(first, "recuse", recusing, comment="与揭榜单位有合作")
    db.session.commit()
    assert waiting("reviews.assigned") == ids(withdrawn)
    fire(second, "withdraw", officer, comment="另有安排")
    db.session.commit()
    assert waiting("reviews.assigned") == set()


def test_a_partner_confirming_clears_its_organisations_invitation_only(app, make):
    from grants.bids import services as bids

    challenge = make.challenge()
    first_org, second_org = make.org(kind="university"), make.org(kind="institute")
    first = [make.user("applicant", org=first_org), make.user("applicant", org=first_org)]
    second = make.user("applicant", org=second_org)
    team = make.user("applicant")
    bid = make.bid(challenge, user=team, submit=False, partners=[first_org.credit_code, second_org.credit_code])
    db.session.commit()
    assert waiting("bids.partner_invited") == ids(*first, second)
    bids.confirm_partner(bid, actor=first[0])
    db.session.commit()
    # One account answered for its organisation: its colleague is not asked any more either.
    assert waiting("bids.partner_invited") == ids(second)


def test_a_partner_dropped_from_the_draft_or_a_submitted_bid_is_no_longer_asked(app, make):
    from grants.bids import services as bids

    challenge = make.challenge()
    first_org, second_org = make.org(kind="university"), make.org(kind="institute")
    first, second = make.user("applicant", org=first_org), make.user("applicant", org=second_org)
    team = make.user("applicant")
    bid = make.bid(challenge, user=team, submit=False, partners=[first_org.credit_code, second_org.credit_code])
    bids.update_bid(bid, actor=team, data={"partners": [first_org.credit_code]})
    db.session.commit()
    assert waiting("bids.partner_invited") == ids(first)
    bids.confirm_partner(bid, actor=first)
    fire(bid, "submit", team)
    db.session.commit()
    assert waiting("bids.partner_invited") == set()


def test_each_party_confirming_the_agreement_clears_its_own_accounts_request(app, make):
    from grants.projects import agreement as agreements
    from tests.notifications.test_events import _awarded_with_parties

    project, officer, owner, _team = _awarded_with_parties(make)
    team, owners = team_accounts(project), enterprise_accounts(project)
    assert waiting("projects.agreement_to_confirm") == ids(*owners, *team)
    agreements.confirm_agreement(project, actor=owner)
    db.session.commit()
    assert waiting("projects.agreement_to_confirm") == ids(*team)  # the team has not confirmed yet
    # A change after the enterprise confirmed asks it again: a new request that waits.
    agreements.edit_agreement(project, actor=officer, data={"end_on": project.agreement.end_on + timedelta(days=30)})
    db.session.commit()
    assert waiting("projects.agreement_to_confirm") == ids(*owners, *team)
    agreements.confirm_agreement(project, actor=team[0])
    db.session.commit()
    assert waiting("projects.agreement_to_confirm") == ids(*owners)


def test_an_answered_objection_no_longer_waits_for_any_officer(app, make):
    from grants.awards import services as awards
    from grants.integrity import services as integrity
    from tests.reviews.test_objection_counts import _award_objection, _integrity_objection

    _challenge, officer, award_objection = _award_objection(make)
    entry_objection = _integrity_objection(make)
    everyone = ids(*officers())
    assert waiting("awards.objection_filed") == everyone and waiting("integrity.objection_filed") == everyone
    awards.dismiss_objection(award_objection, actor=officer, answer="经核查，材料属实。")
    db.session.commit()
    assert waiting("awards.objection_filed") == set() and waiting("integrity.objection_filed") == everyone
    integrity.decide_objection(entry_objection, "dismiss", actor=officer, answer="决定书事实清楚")
    db.session.commit()
    assert waiting("integrity.objection_filed") == set()


def test_a_report_reviewed_no_longer_waits_for_the_bureau_and_a_resubmitted_one_for_the_team(app, make):
    from grants.projects import reports
    from tests.projects.helpers import pdf, signed

    parties = signed(make)
    project, team = parties.project, parties.team
    milestone = project.milestones[0]
    values = {i.id: "0.5" for i in project.indicators}
    reports.submit_report(milestone, actor=team, text="进展", values=values, uploads=[pdf()])
    db.session.commit()
    assert waiting("projects.report_submitted") == ids(*officers())
    fire(milestone, "return_for_revision", parties.officer, comment="数据不全")
    db.session.commit()
    assert waiting("projects.report_submitted") == set()
    assert waiting("projects.report_returned") == ids(*team_accounts(project))
    reports.submit_report(milestone, actor=team, text="补充数据", values=values, uploads=[pdf()])
    db.session.commit()
    assert waiting("projects.report_returned") == set()
    assert waiting("projects.report_submitted") == ids(*officers())  # the new report waits


def test_a_returned_challenge_resubmitted_no_longer_asks_to_revise(app, make):
    owner = make.user("enterprise")
    challenge = make.challenge(state="submitted", owner=owner)
    officer = make.user("officer")
    fire(challenge, "return_for_revision", officer, comment="经费预算不清，请补充")
    db.session.commit()
    assert waiting("challenges.returned") == ids(owner)
    fire(challenge, "submit", owner)
    db.session.commit()
    assert waiting("challenges.returned") == set()


def test_acceptance_organised_and_judged_no_longer_waits(app, make):
    from tests.acceptance.helpers import judge_all, under_acceptance

    acceptance = under_acceptance(make)
    assert waiting("projects.acceptance_requested") == set()  # the panel was formed and started
    assert waiting("acceptance.panel_member") == ids(*acceptance.panel)
    judge_all(acceptance, [85, 80, 90])
    assert waiting("acceptance.panel_member") == set()


def test_settling_marks_only_the_named_request(app, make):
    from grants.notifications.services import notify, settle

    user = make.user("applicant")
    first, second = make.challenge(), make.challenge()
    notify(user, "challenges.returned", about=first, challenge=first.title, comment="甲")
    notify(user, "challenges.returned", about=second, challenge=second.title, comment="乙")
    notify(user, "challenges.returned", challenge="无关", comment="丙")  # about nothing: never settled
    assert settle(first) == 1 and settle(first) == 0
    assert unread_count(user) == 2
