"""From the review to the award: ranking, the proposal, public notice,
objections, confirmation (by the officer or the clock), projects, and 流榜."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from grants.awards import services as awards
from grants.awards.models import Objection, ObjectionState
from grants.awards.rules import notice_of
from grants.bids.models import BidState
from grants.challenges.models import ChallengeState
from grants.core import clock
from grants.core.cli import run_tick
from grants.core.errors import Refused
from grants.core.workflow import fire
from grants.extensions import db
from grants.projects.models import Project, ProjectState
from grants.reviews import services
from grants.reviews.tables import export_csv, export_xlsx, officer_table
from tests.reviews.helpers import accepted_panel, reviewing, score_all


def scored(make, marks, n_reviewers=3, **fields):
    """A challenge whose bids each got ``marks[i]`` on every criterion from every reviewer."""
    challenge, officer, bids = reviewing(make, n_bids=len(marks), **fields)
    panel = accepted_panel(make, challenge, officer, n=n_reviewers)
    for assignment in panel:
        for bid, mark in zip(bids, marks):
            score_all(assignment, bid, mark)
    return challenge, officer, bids, panel


def test_the_officer_table_ranks_with_trimmed_means_and_exports(make, login, client):
    challenge, officer, bids = reviewing(make, n_bids=2)
    panel = accepted_panel(make, challenge, officer, n=6)
    for assignment, mark in zip(panel, (95, 60, 75, 81, 70, 88)):
        score_all(assignment, bids[0], mark)
        score_all(assignment, bids[1], 76)
    table = officer_table(challenge)
    first, second = table.rows
    # every criterion gets the same mark, so each weighted score is the mark;
    # six reviews: drop 95 and 60, (75 + 81 + 70 + 88) / 4 = 78.50
    assert first.bid == bids[0] and str(first.result.score) == "78.50" and first.result.flagged
    assert second.bid == bids[1] and str(second.result.score) == "76.00" and not second.result.flagged
    assert not table.unfinished

    login(officer)
    html = client.get(f"/reviews/challenges/{challenge.id}/table").get_data(as_text=True)
    assert "78.50" in html and "分差 35.00" in html
    csv_body = client.get(f"/reviews/challenges/{challenge.id}/export.csv").data.decode("utf-8-sig")
    assert "排名" in csv_body and "78.50" in csv_body and bids[0].organization.name in csv_body
    xlsx = client.get(f"/reviews/challenges/{challenge.id}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert export_csv(table) and export_xlsx(table, challenge.title)


def test_the_table_loads_in_a_fixed_number_of_queries(make):
    challenge, officer, bids = reviewing(make, n_bids=2)
    accepted_panel(make, challenge, officer, n=2)

    def count_queries(challenge):
        from sqlalchemy import event

        counter = []
        conn = db.session.connection()
        listener = lambda *a, **k: counter.append(1)  # noqa: E731
        event.listen(conn, "before_cursor_execute", listener)
        try:
            db.session.expire_all()
            officer_table(db.session.get(type(challenge), challenge.id))
        finally:
            event.remove(conn, "before_cursor_execute", listener)
        return len(counter)

    for assignment in services.assignments_of(challenge):
        for bid in bids:
            score_all(assignment, bid, 80)
    small = count_queries(challenge)
    bigger, _officer, _bids, _panel = scored(make, [80, 70, 60, 90], n_reviewers=5)
    assert count_queries(bigger) == small


def test_ties_go_to_the_red_list_then_to_the_earlier_submission(make):
    challenge, officer, bids, _panel = scored(make, [80, 80, 80])
    make.red(bids[2].organization)
    order = [row.bid for row in officer_table(challenge).rows]
    assert order == [bids[2], bids[0], bids[1]]


def test_who_has_not_finished_is_listed(make, login, client):
    challenge, officer, bids = reviewing(make, n_bids=1)
    done, slow = accepted_panel(make, challenge, officer, n=2)
    score_all(done, bids[0], 80)
    table = officer_table(challenge)
    assert table.unfinished == [slow]
    with pytest.raises(Refused, match="评审尚未完成"):
        fire(challenge, "propose_award", officer, winners=[bids[0].id])
    login(officer)
    assert slow.reviewer.display_name in client.get(f"/reviews/challenges/{challenge.id}/table").get_data(as_text=True)


def test_proposals_outside_the_rules_are_refused_and_change_nothing(make):
    challenge, officer, bids, _panel = scored(make, [85, 75, 50], max_winners=2, pass_mark=60)
    with pytest.raises(Refused, match="最多 2 个中榜单位，当前选择了 3 个"):
        fire(challenge, "propose_award", officer, winners=[b.id for b in bids])
    with pytest.raises(Refused, match="低于及格线 60"):
        fire(challenge, "propose_award", officer, winners=[bids[2].id])
    with pytest.raises(Refused, match="请至少选择一个中榜申报"):
        fire(challenge, "propose_award", officer, winners=[])
    make.black(bids[0].lead)
    with pytest.raises(Refused, match="黑名单"):
        fire(challenge, "propose_award", officer, winners=[bids[0].id])
    db.session.rollback()
    assert challenge.state == ChallengeState.reviewing
    assert {b.state for b in bids} == {BidState.under_review}
    assert notice_of(challenge) is None


def test_reviewing_to_notice_to_upheld_objection_and_back_to_award(make, login, client):
    challenge, officer, bids, panel = scored(make, [85, 75])
    challenge.notice_days = 5
    db.session.commit()
    login(officer)
    client.post(f"/reviews/challenges/{challenge.id}/propose",
                data={"winners": [bids[0].id], "version": challenge.version})
    db.session.refresh(challenge)
    assert challenge.state == ChallengeState.notice
    notice = notice_of(challenge)
    assert notice.notice_ends_at == clock.now() + timedelta(days=5) and notice.round == 1
    db.session.refresh(bids[0])
    assert bids[0].state == BidState.recommended
    client.post("/logout")

    # the public notice, anonymous
    html = client.get(f"/reviews/notice/{challenge.id}").get_data(as_text=True)
    assert "立项公示" in html and bids[0].organization.name in html and "¥400,000.00" in html
    assert bids[1].organization.name not in html
    page = client.get(f"/challenges/{challenge.id}").get_data(as_text=True)
    assert f"/reviews/notice/{challenge.id}" in page  # linked from the challenge's own page

    # confirming before the notice ends is refused
    with pytest.raises(Refused, match="公示期满后方可确认立项"):
        fire(challenge, "confirm_award", officer)
    db.session.rollback()

    # an objection, upheld: back to review
    objector = make.user("applicant", org=bids[1].organization)
    login(objector)
    client.post(f"/reviews/notice/{challenge.id}/objections", data={"reasons": "中榜单位的业绩材料与事实不符，请核查。"})
    objection = db.session.scalar(sa.select(Objection).where(Objection.challenge_id == challenge.id))
    assert objection.state == ObjectionState.open
    with pytest.raises(Refused, match="尚有 1 件异议未处理"):
        clock.set_now(notice.notice_ends_at + timedelta(minutes=1))
        fire(challenge, "confirm_award", officer)
    db.session.rollback()
    clock.set_now(notice.notice_starts_at + timedelta(days=1))
    awards.uphold_objection(objection, actor=officer, answer="经核查，业绩材料存在问题，重新评审。")
    db.session.commit()
    assert challenge.state == ChallengeState.reviewing
    db.session.refresh(bids[0])
    assert bids[0].state == BidState.under_review
    html = client.get(f"/reviews/notice/{challenge.id}")
    assert html.status_code == 404  # no notice while under review again
    client.post("/logout")

    # the officer reopens one review, the reviewer lowers the score, the award goes to the other bid
    review = services.review_of(panel[0], bids[0])
    fire(review, "reopen", officer, comment="根据异议复核")
    db.session.commit()
    score_all(panel[0], bids[0], 20)
    table = officer_table(challenge)
    assert table.rows[0].bid == bids[1]
    fire(challenge, "propose_award", officer, winners=[bids[1].id])
    db.session.commit()
    notice = notice_of(challenge)
    assert challenge.state == ChallengeState.notice and notice.round == 2

    # the objector sees the written answer
    login(objector)
    html = client.get(f"/reviews/notice/{challenge.id}").get_data(as_text=True)
    assert "经核查，业绩材料存在问题，重新评审。" in html and "异议成立" in html
    client.post("/logout")

    clock.set_now(notice.notice_ends_at)
    login(officer)
    client.post(f"/reviews/challenges/{challenge.id}/fire/confirm_award", data={"version": challenge.version})
    db.session.refresh(challenge)
    assert challenge.state == ChallengeState.awarded
    db.session.refresh(bids[0])
    db.session.refresh(bids[1])
    assert bids[1].state == BidState.awarded and bids[0].state == BidState.not_recommended
    [project] = db.session.scalars(sa.select(Project).where(Project.challenge_id == challenge.id)).all()
    assert project.state == ProjectState.contracting and project.bid_id == bids[1].id
    assert project.award_fen == bids[1].requested_fen and project.lead_person_id == bids[1].lead_id
    assert client.get(f"/projects/{project.id}").status_code == 200
    client.post("/logout")
    login(make.user("applicant", org=bids[0].organization))  # the losing team
    assert client.get(f"/projects/{project.id}").status_code == 404
    client.post("/logout")
    login(make.user("applicant", org=bids[1].organization))
    assert "签订任务书" in client.get(f"/projects/{project.id}").get_data(as_text=True)


def test_a_dismissed_objection_is_answered_and_the_clock_confirms_the_award(make, login, client):
    challenge, officer, bids, _panel = scored(make, [85, 75])
    fire(challenge, "propose_award", officer, winners=[bids[0].id])
    db.session.commit()
    objector = make.user("applicant")
    objection = awards.file_objection(challenge, actor=objector, reasons="评审专家可能存在利益冲突，请核查。")
    db.session.commit()
    with pytest.raises(Refused, match="须填写理由"):
        awards.dismiss_objection(objection, actor=officer, answer="")
    db.session.rollback()
    awards.dismiss_objection(objection, actor=officer, answer="经核查，专家均已签署无利益冲突声明。")
    db.session.commit()
    login(objector)
    html = client.get(f"/reviews/notice/{challenge.id}").get_data(as_text=True)
    assert "经核查，专家均已签署无利益冲突声明。" in html and "已驳回" in html

    assert run_tick().get("confirm_awards") == 0  # the notice is still running
    clock.set_now(notice_of(challenge).notice_ends_at + timedelta(seconds=1))
    with pytest.raises(Refused, match="公示期已结束"):
        awards.file_objection(challenge, actor=objector, reasons="再次提出异议，请再核查。")
    db.session.rollback()
    assert run_tick()["confirm_awards"] == 1
    db.session.refresh(challenge)
    assert challenge.state == ChallengeState.awarded
    assert db.session.scalar(sa.select(sa.func.count(Project.id)).where(Project.challenge_id == challenge.id)) == 1


def test_a_parallel_award_with_three_winners_creates_three_projects(make):
    challenge, officer, bids, _panel = scored(make, [90, 85, 80, 70, 55], max_winners=3, pass_mark=60)
    fire(challenge, "propose_award", officer, winners=[bids[0].id, bids[1].id, bids[2].id])
    db.session.commit()
    clock.set_now(notice_of(challenge).notice_ends_at)
    fire(challenge, "confirm_award", None)  # the clock
    db.session.commit()
    states = [b.state for b in bids]
    assert states == [BidState.awarded] * 3 + [BidState.not_recommended] * 2
    projects = db.session.scalars(sa.select(Project).where(Project.challenge_id == challenge.id)
                                  .order_by(Project.bid_id)).all()
    assert [p.bid_id for p in projects] == [b.id for b in bids[:3]]
    assert all(p.state == ProjectState.contracting for p in projects)


def test_declare_failed_when_nobody_reaches_the_pass_mark(make, client):
    challenge, officer, bids, _panel = scored(make, [55, 40], pass_mark=60)
    fire(challenge, "declare_failed", officer, comment="无申报达到及格线")
    db.session.commit()
    assert challenge.state == ChallengeState.failed
    assert {b.state for b in bids} == {BidState.not_recommended}
    board = client.get("/challenges/").get_data(as_text=True)  # anonymous
    assert challenge.title in board and "流榜" in board


def test_declare_failed_is_refused_while_a_bid_passes(make):
    challenge, officer, bids, _panel = scored(make, [75, 40], pass_mark=60)
    with pytest.raises(Refused, match="有 1 个申报达到及格线 60，不属于流榜"):
        fire(challenge, "declare_failed", officer, comment="流榜")


def test_declare_failed_without_eligible_bids(make):
    officer = make.user("officer")
    challenge = make.challenge(officer=officer, state="closed")
    fire(challenge, "declare_failed", officer, comment="无人揭榜")
    assert challenge.state == ChallengeState.failed


def test_a_winner_black_listed_during_the_notice_is_not_awarded(make):
    challenge, officer, bids, _panel = scored(make, [85, 75])
    fire(challenge, "propose_award", officer, winners=[bids[0].id])
    db.session.commit()
    make.black(bids[0].organization, basis="咸科技发〔2026〕9号")
    clock.set_now(notice_of(challenge).notice_ends_at + timedelta(minutes=1))
    run_tick()  # the clock leaves it alone
    db.session.refresh(challenge)
    assert challenge.state == ChallengeState.notice
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 0
    with pytest.raises(Refused, match="咸科技发〔2026〕9号.*不得"):
        fire(challenge, "confirm_award", officer)
    db.session.rollback()
    # No objection was upheld, yet the officer may reopen: the winner is now listed.
    fire(challenge, "reopen_review", officer, comment="中榜单位被列入黑名单")
    assert challenge.state == ChallengeState.reviewing


def test_reopening_without_an_upheld_objection_or_a_listed_winner_is_refused(make):
    challenge, officer, bids, _panel = scored(make, [85])
    fire(challenge, "propose_award", officer, winners=[bids[0].id])
    with pytest.raises(Refused, match="异议经核查成立，或拟中榜单位被列入黑名单"):
        fire(challenge, "reopen_review", officer, comment="再看看")


def test_the_review_waits_for_every_eligibility_decision(make):
    from tests.reviews.helpers import team_bid

    officer = make.user("officer")
    challenge = make.challenge(officer=officer)
    checked, waiting = team_bid(make, challenge), team_bid(make, challenge)
    clock.set_now(challenge.deadline_at + timedelta(seconds=1))
    fire(challenge, "close_bidding", None)
    fire(checked, "accept", officer)
    with pytest.raises(Refused, match="1 份申报尚待形式审查"):
        fire(challenge, "start_review", officer)
    fire(waiting, "reject", officer, comment="材料不全")
    fire(challenge, "start_review", officer)
    assert challenge.state == ChallengeState.reviewing


def test_declaring_failure_waits_for_every_eligibility_decision(make):
    from tests.reviews.helpers import team_bid

    officer = make.user("officer")
    challenge = make.challenge(officer=officer)
    waiting = team_bid(make, challenge)
    clock.set_now(challenge.deadline_at + timedelta(seconds=1))
    fire(challenge, "close_bidding", None)
    with pytest.raises(Refused, match="尚待形式审查"):
        fire(challenge, "declare_failed", officer, comment="流榜")
    fire(waiting, "reject", officer, comment="材料不全")
    fire(challenge, "declare_failed", officer, comment="流榜")
    assert challenge.state == ChallengeState.failed
