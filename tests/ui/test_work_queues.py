"""Work queues: each role's dashboard starts with what waits for it, a count and a link
to the list behind it; the officer's dashboard costs the same queries for one item or many."""
import re
from datetime import timedelta
from html import unescape

from grants.bids import services as bid_services
from grants.core import clock
from grants.core.workflow import fire
from grants.extensions import db
from grants.integrity import services as integrity
from tests.challenges.test_pages import signed_in
from tests.factories import bid_data
from tests.integrity.test_query_counts import queries
from tests.projects.helpers import awarded, signed
from tests.reviews.helpers import accepted_panel, reviewing, score_all

QUEUE = re.compile(r'<a class="card h-100 text-decoration-none queue[^"]*" href="([^"]+)">\s*'
                   r'<div class="card-body[^"]*">\s*<div class="queue-count[^"]*">(\d+)</div>\s*'
                   r'<div class="queue-label[^"]*">([^<]+)</div>(?:\s*<div class="queue-detail[^"]*">([^<]+)</div>)?')


def queues(client) -> dict[str, tuple[int, str, str | None]]:
    """{label: (count, link, detail)} of the dashboard's work queues."""
    html = client.get("/dashboard").get_data(as_text=True)
    return {unescape(label): (int(count), unescape(href), detail and unescape(detail))
            for href, count, label, detail in QUEUE.findall(html)}


def test_the_officer_sees_challenges_to_vet_and_the_link_lists_them(app, make):
    officer = make.user("officer")
    client = signed_in(app, officer)
    assert queues(client)["待审核的榜单"][0] == 0
    challenge = make.challenge(state="submitted")
    count, link, _ = queues(client)["待审核的榜单"]
    assert (count, link) == (1, "/challenges/manage?state=submitted")
    assert challenge.title in client.get(link).get_data(as_text=True)


def test_the_officer_sees_closed_challenges_awaiting_the_eligibility_check(app, make):
    officer = make.user("officer")
    challenge = make.challenge(officer=officer)
    make.bid(challenge)
    clock.set_now(challenge.deadline_at + timedelta(seconds=1))
    fire(challenge, "close_bidding", None)
    db.session.commit()
    client = signed_in(app, officer)
    count, link, _ = queues(client)["截止揭榜待形式审查的榜单"]
    assert (count, link) == (1, "/challenges/manage?state=closed")
    assert challenge.title in client.get(link).get_data(as_text=True)


def test_reviews_in_progress_show_their_completion(app, make):
    challenge, officer, bids = reviewing(make, n_bids=2)
    assignments = accepted_panel(make, challenge, officer, n=2)
    score_all(assignments[0], bids[0], 8)
    client = signed_in(app, officer)
    count, link, detail = queues(client)["评审中的榜单"]
    assert (count, link) == (1, "/reviews/?state=reviewing")
    assert detail == "已提交 1 / 4 份评审（25%）"
    assert challenge.title in client.get(link).get_data(as_text=True)


def test_the_reviewer_sees_assignments_to_accept_and_to_score(app, make):
    challenge, officer, bids = reviewing(make, n_bids=1)
    scoring = accepted_panel(make, challenge, officer, n=1)[0]
    from grants.reviews import services as reviews

    other, _, _ = reviewing(make, n_bids=1)
    reviews.assign_reviewer(other, scoring.reviewer, actor=officer)
    db.session.commit()
    client = signed_in(app, scoring.reviewer)
    found = queues(client)
    assert found["待接受的评审任务（声明利益冲突）"][:2] == (1, "/reviews/mine")
    assert found["待评分的评审任务"][:2] == (1, "/reviews/mine")
    assert challenge.title in client.get("/reviews/mine").get_data(as_text=True)


def test_agreements_wait_for_the_officer_then_for_the_enterprise_and_the_team(app, make):
    parties = awarded(make)
    officer = signed_in(app, parties.officer)
    count, link, _ = queues(officer)["待拟定和确认的任务书"]
    assert (count, link) == (1, "/projects/monitor?state=contracting")
    assert parties.project.title in officer.get(link).get_data(as_text=True)
    for user in (parties.owner, parties.team):
        count, link, _ = queues(signed_in(app, user))["待确认的任务书"]
        assert (count, link) == (1, "/projects/")
    from grants.projects import agreement as agreements

    agreements.confirm_agreement(parties.project, actor=parties.owner)
    db.session.commit()
    assert queues(signed_in(app, parties.owner))["待确认的任务书"][0] == 0
    assert queues(signed_in(app, parties.team))["待确认的任务书"][0] == 1


def test_the_team_sees_reports_due_and_the_officer_reports_to_review(app, make):
    parties = signed(make)
    milestone = parties.project.milestones[0]
    team = signed_in(app, parties.team)
    label = "14 天内到期或已逾期的里程碑报告"
    assert queues(team)[label][0] == 0
    clock.set_now(clock.now() + timedelta(days=(milestone.due_on - clock.today()).days - 3))
    count, link, _ = queues(team)[label]
    assert (count, link) == (1, "/projects/")
    assert parties.project.title in team.get(link).get_data(as_text=True)
    from grants.projects import reports

    reports.submit_report(milestone, actor=parties.team, text="样机已完成")
    db.session.commit()
    assert queues(team)[label][0] == 0
    assert queues(signed_in(app, parties.officer))["待审核的里程碑报告"][0] == 1


def test_the_enterprise_sees_returned_drafts_and_its_challenges_by_state(app, make):
    owner = make.user("enterprise")
    officer = make.user("officer")
    returned = make.challenge(owner=owner, state="submitted")
    fire(returned, "return_for_revision", officer, comment="请补充指标")
    make.challenge(owner=owner, state="draft")
    make.challenge(owner=owner, officer=officer, state="published")
    db.session.commit()
    client = signed_in(app, owner)
    found = queues(client)
    assert found["退回修改的草稿"][:2] == (1, "/challenges/manage?state=draft")
    assert found["我的榜单：草稿"][:2] == (2, "/challenges/manage?state=draft")
    assert found["我的榜单：揭榜中"][:2] == (1, "/challenges/manage?state=published")
    assert returned.title in client.get("/challenges/manage?state=draft").get_data(as_text=True)


def test_the_applicant_sees_draft_bids_and_partner_invitations(app, make):
    challenge = make.challenge()
    partner_org = make.org(kind="university")
    partner = make.user("applicant", org=partner_org)
    team = make.user("applicant")
    data = bid_data(challenge)
    data["partners"] = [partner_org.credit_code]
    bid_services.create_bid(challenge, actor=team, data=data)
    db.session.commit()
    found = queues(signed_in(app, team))
    assert found["申报草稿"][:2] == (1, "/bids/mine")
    client = signed_in(app, partner)
    count, link, _ = queues(client)["邀请贵单位参与的申报"]
    assert (count, link) == (1, "/bids/mine#invitations")
    assert 'id="invitations"' in client.get("/bids/mine").get_data(as_text=True)


def test_objections_are_counted_with_links(app, make):
    officer = make.user("officer")
    org = make.org()
    member = make.user("enterprise", org=org)
    integrity.file_objection(make.black(org), actor=member, reasons="决定书认定事实有误")
    db.session.commit()
    count, link, _ = queues(signed_in(app, officer))["待处理的科研诚信异议"]
    assert (count, link) == (1, "/integrity/objections?state=open")


def test_the_officer_dashboard_costs_the_same_queries_for_one_item_or_many(app, make):
    officer = make.user("officer")
    client = signed_in(app, officer)
    make.challenge(state="submitted")
    awarded(make)
    few = queries(client, "/dashboard")
    for _ in range(3):
        make.challenge(state="submitted")
        awarded(make)
    assert queries(client, "/dashboard") == few
