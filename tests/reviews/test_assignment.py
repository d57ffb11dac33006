"""Assigning reviewers: conflicts never assigned (with the reason), recusal, the
random draw, and withdrawal when a reviewer is black-listed."""
import pytest
import sqlalchemy as sa

from grants.bids.models import BidState
from grants.challenges.models import ChallengeState
from grants.core import audit
from grants.core.errors import Forbidden, Refused
from grants.core.workflow import fire
from grants.extensions import db
from grants.reviews import services
from grants.reviews.conflicts import draw_panel
from grants.reviews.models import AssignmentState, ReviewAssignment
from tests.reviews.helpers import reviewing, team_bid, to_review


def test_start_review_needs_an_eligible_bid_and_moves_bids_under_review(make):
    officer = make.user("officer")
    challenge = make.challenge(officer=officer)
    bid = team_bid(make, challenge)
    from datetime import timedelta

    from grants.core import clock
    clock.set_now(challenge.deadline_at + timedelta(seconds=1))
    fire(challenge, "close_bidding", None)
    with pytest.raises(Refused, match="尚待形式审查"):
        fire(challenge, "start_review", officer)
    assert challenge.state == ChallengeState.closed
    fire(bid, "accept", officer)
    fire(challenge, "start_review", officer)
    assert challenge.state == ChallengeState.reviewing and bid.state == BidState.under_review


def test_conflicted_reviewers_are_never_assigned_and_the_reason_is_shown(make, login, client):
    owner = make.org("秦川智能装备有限公司", kind="enterprise")
    officer = make.user("officer")
    challenge = make.challenge(owner_org=owner, officer=officer)
    bidder = make.org("西北理工大学", kind="university")
    partner = make.org("长安新材料研究院", kind="institute")
    bid = team_bid(make, challenge, org=bidder, lead_name="张教授", members=["李研究员"], partner=partner)
    to_review(make, challenge, officer, [bid])

    from_owner = make.reviewer(org=owner, name="企业专家")
    from_bidder = make.reviewer(org=bidder, name="同校专家")
    from_partner = make.reviewer(org=partner, name="合作单位专家")
    member_user = make.reviewer(name="李研究员账号")
    member_user.person_id = bid.members[0].person_id  # the team member's own reviewer account
    lead_user = make.reviewer(name="张教授账号")
    lead_user.person_id = bid.lead_id
    db.session.commit()
    black = make.reviewer(name="失信专家")
    make.black(black.person)
    clean = make.reviewer(name="独立专家")

    expected = {
        from_owner: "就职于本榜单的发榜企业",
        from_bidder: "就职于本榜单的揭榜单位",
        from_partner: "就职于本榜单的揭榜单位",
        member_user: "是本榜单某项揭榜申报的负责人或团队成员",
        lead_user: "是本榜单某项揭榜申报的负责人或团队成员",
        black: "在科研诚信黑名单中",
    }
    for reviewer, reason in expected.items():
        with pytest.raises(Refused) as exc:
            services.assign_reviewer(challenge, reviewer, actor=officer)
        assert reason in str(exc.value) and "不能评审本榜单" in str(exc.value)
    assert db.session.scalar(sa.select(sa.func.count(ReviewAssignment.id))) == 0
    services.assign_reviewer(challenge, clean, actor=officer)
    db.session.commit()

    login(officer)
    html = client.get(f"/reviews/challenges/{challenge.id}").get_data(as_text=True)
    assert "不予指派：企业专家就职于本榜单的发榜企业" in html
    assert "不予指派：同校专家就职于本榜单的揭榜单位" in html
    assert "不予指派：失信专家在科研诚信黑名单中" in html
    assert "不予指派：李研究员账号是本榜单某项揭榜申报的负责人或团队成员" in html
    response = client.post(f"/reviews/challenges/{challenge.id}/assign", data={"reviewer_id": from_bidder.id})
    assert "不能评审本榜单" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_reviewer_accepts_declaring_no_conflict_or_recuses_with_a_reason(make, login, client):
    challenge, officer, _bids = reviewing(make)
    first, second, replacement = make.reviewer(name="甲"), make.reviewer(name="乙"), make.reviewer(name="丙")
    a1 = services.assign_reviewer(challenge, first, actor=officer)
    a2 = services.assign_reviewer(challenge, second, actor=officer)
    db.session.commit()

    login(first)
    client.post(f"/reviews/assignments/{a1.id}/accept", data={})
    db.session.refresh(a1)
    assert a1.state == AssignmentState.assigned  # no declaration ticked: refused
    response = client.post(f"/reviews/assignments/{a1.id}/accept", data={"no_conflict": "y"}, follow_redirects=True)
    db.session.refresh(a1)
    assert a1.state == AssignmentState.accepted and a1.declared_at is not None
    assert "您的声明已记录" in response.get_data(as_text=True)

    with pytest.raises(Refused, match="须填写理由"):
        fire(a2, "recuse", second)
    fire(a2, "recuse", second, comment="曾与揭榜团队合作发表论文")
    db.session.commit()
    assert a2.state == AssignmentState.recused and a2.recusal_reason == "曾与揭榜团队合作发表论文"
    with pytest.raises(Forbidden):
        fire(a1, "recuse", second, comment="x")  # not theirs

    # the officer replaces the recused reviewer
    services.assign_reviewer(challenge, replacement, actor=officer)
    db.session.commit()
    states = {a.reviewer.display_name: a.state for a in services.assignments_of(challenge)}
    assert states == {"甲": "accepted", "乙": "recused", "丙": "assigned"}

    # someone else's assignment is not found
    client.post("/logout")
    login(replacement)
    assert client.get(f"/reviews/assignments/{a1.id}").status_code == 404


def test_the_random_draw_records_seed_and_candidates_and_can_be_redone(make):
    challenge, officer, bids = reviewing(make, field="biomedicine")
    qualified = [make.reviewer(["biomedicine"]) for _ in range(6)]
    make.reviewer(["biomedicine"], available=False)  # unavailable
    make.reviewer(["modern_agriculture"])  # other field
    make.reviewer(["biomedicine"], org=bids[0].organization)  # conflict
    blacklisted = make.reviewer(["biomedicine"])
    make.black(blacklisted.person)

    drawn = services.draw_reviewers(challenge, size=4, actor=officer, seed=20260302)
    db.session.commit()
    assert len(drawn) == 4 and all(a.drawn for a in drawn)
    event = [e for e in audit.history(challenge) if e.action == "draw_reviewers"][-1]
    assert event.evidence["seed"] == 20260302
    assert event.evidence["candidates"] == sorted(u.id for u in qualified)
    assert draw_panel(event.evidence["candidates"], 4, event.evidence["seed"]) == event.evidence["drawn"]
    assert sorted(a.reviewer_id for a in drawn) == event.evidence["drawn"]

    with pytest.raises(Refused, match="仅有 2 名符合条件的专家"):
        services.draw_reviewers(challenge, size=3, actor=officer)


def test_a_black_entry_withdraws_the_reviewers_pending_assignments(make):
    challenge, officer, _bids = reviewing(make)
    reviewer = make.reviewer()
    assignment = services.assign_reviewer(challenge, reviewer, actor=officer)
    db.session.commit()
    entry = make.black(reviewer.person)  # in force today: its effects apply at once
    db.session.refresh(assignment)
    assert assignment.state == AssignmentState.recused
    assert assignment.withdrawn_entry_id == entry.id
    assert entry.basis in assignment.recusal_reason
    event = audit.history(assignment)[-1]
    assert event.action == "withdraw" and entry.basis in event.comment


def test_officer_and_reviewer_pages(make, login, client):
    challenge, officer, _bids = reviewing(make)
    reviewers = [make.reviewer(name=f"专家{i}") for i in range(3)]
    login(officer)
    assert challenge.title in client.get("/reviews/").get_data(as_text=True)
    response = client.post(f"/reviews/challenges/{challenge.id}/draw", data={"size": "2", "seed": "7"},
                           follow_redirects=True)
    assert "已抽取 2 名专家" in response.get_data(as_text=True)
    drawn = services.assignments_of(challenge)
    assert len(drawn) == 2
    client.post("/logout")
    login(drawn[0].reviewer)
    html = client.get("/reviews/mine").get_data(as_text=True)
    assert challenge.title in html and "待声明" in html
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "待您评审" in dashboard and challenge.title in dashboard
    assert "本人声明与本榜单的任何揭榜申报及单位均无利益冲突" in client.get(
        f"/reviews/assignments/{drawn[0].id}").get_data(as_text=True)
    assert {a.reviewer for a in drawn} <= set(reviewers)
