"""Review deadlines: the officer gives each assignment a due date (14 days by default), the
reviewer's queue is sorted by it and marks what is overdue (from the clock), and ``flask tick``
reminds the reviewer once three days before and once when overdue."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from grants.core import audit, clock
from grants.core.errors import ValidationFailed
from grants.core.workflow import fire
from grants.extensions import db
from grants.notifications.models import Notification
from grants.reviews import services
from tests.reviews.helpers import reviewing


def test_an_assignment_is_due_in_14_days_unless_the_officer_gives_a_date(app, make):
    challenge, officer, _bids = reviewing(make, n_bids=1)
    default = services.assign_reviewer(challenge, make.reviewer(), actor=officer)
    given = services.assign_reviewer(challenge, make.reviewer(), actor=officer,
                                     due_on=(clock.today() + timedelta(days=30)).isoformat())
    assert default.due_on == clock.today() + timedelta(days=14)
    assert given.due_on == clock.today() + timedelta(days=30)
    assert audit.history(given)[-1].evidence["due_on"] == given.due_on.isoformat()


@pytest.mark.parametrize("days, message", [
    (0, "评审截止日期须晚于今天（{today}）"),
    (-1, "评审截止日期须晚于今天（{today}）"),
    (181, "评审截止日期须在 180 天以内"),
    ("下周一", "请以日期格式（YYYY-MM-DD）填写评审截止日期"),
])
def test_a_deadline_today_in_the_past_too_far_or_not_a_date_is_refused(app, make, days, message):
    challenge, officer, _bids = reviewing(make, n_bids=1)
    reviewer = make.reviewer()
    today = clock.today()
    due_on = days if isinstance(days, str) else (today + timedelta(days=days)).isoformat()
    with pytest.raises(ValidationFailed, match=message.format(today=today.isoformat())) as refused:
        services.assign_reviewer(challenge, reviewer, actor=officer, due_on=due_on)
    assert "due_on" in refused.value.details
    assert services.assignments_of(challenge) == []  # nothing half-saved


def test_the_officer_sets_the_deadline_on_the_panel_page_and_sees_overdue(client, login, make):
    challenge, officer, _bids = reviewing(make, n_bids=1)
    reviewer = make.reviewer(fields=[str(challenge.field)])
    login(officer)
    today = clock.today()
    default, given = (today + timedelta(days=14)).isoformat(), (today + timedelta(days=8)).isoformat()
    page = client.get(f"/reviews/challenges/{challenge.id}").get_data(as_text=True)
    assert f'type="date" id="assign-due-on" name="due_on" value="{default}"' in page
    response = client.post(f"/reviews/challenges/{challenge.id}/assign",
                           data={"reviewer_id": reviewer.id, "due_on": given}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f"<td class=\"text-nowrap\">{given}</td>" in page and "已逾期" not in page
    refused = client.post(f"/reviews/challenges/{challenge.id}/assign",
                          data={"reviewer_id": make.reviewer().id, "due_on": today.isoformat()}, follow_redirects=True)
    assert "评审截止日期须晚于今天" in refused.get_data(as_text=True)
    assert len(services.assignments_of(challenge)) == 1
    clock.set_now(clock.now() + timedelta(days=9))
    page = client.get(f"/reviews/challenges/{challenge.id}").get_data(as_text=True)
    assert given in page and "已逾期" in page


def test_the_draw_gives_the_drawn_reviewers_the_deadline(client, login, make):
    challenge, officer, _bids = reviewing(make, n_bids=1)
    for _ in range(3):
        make.reviewer(fields=[str(challenge.field)])
    login(officer)
    due = (clock.today() + timedelta(days=20)).isoformat()
    client.post(f"/reviews/challenges/{challenge.id}/draw", data={"size": 2, "due_on": due})
    assert [a.due_on.isoformat() for a in services.assignments_of(challenge)] == [due, due]


def test_the_reviewers_queue_is_sorted_by_deadline_and_marks_overdue(client, login, make):
    reviewer = make.reviewer()
    later, _officer, _ = reviewing(make, n_bids=1, title="晚到期的榜单")
    sooner, officer, _ = reviewing(make, n_bids=1, title="早到期的榜单")
    services.assign_reviewer(later, reviewer, actor=officer, due_on=clock.today() + timedelta(days=20))
    services.assign_reviewer(sooner, reviewer, actor=officer, due_on=clock.today() + timedelta(days=5))
    db.session.commit()
    login(reviewer)
    page = client.get("/reviews/mine").get_data(as_text=True)
    assert page.index("早到期的榜单") < page.index("晚到期的榜单") and "已逾期" not in page
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert f"最近截止 {(clock.today() + timedelta(days=5)).isoformat()}" in dashboard
    clock.set_now(clock.now() + timedelta(days=6))
    page = client.get("/reviews/mine").get_data(as_text=True)
    assert page.count("已逾期") == 1
    assert "1 项已逾期" in client.get("/dashboard").get_data(as_text=True)


def test_tick_reminds_three_days_before_and_once_overdue_each_once(app, make):
    challenge, officer, _bids = reviewing(make, n_bids=1)
    reviewer = make.reviewer()
    assignment = services.assign_reviewer(challenge, reviewer, actor=officer)
    db.session.commit()
    runner = app.test_cli_runner()
    assert "review_reminders: 0" in runner.invoke(args=["tick"]).output
    for days in (3, -1):
        clock.set_now(clock.start_of_day(assignment.due_on - timedelta(days=days)))
        assert "review_reminders: 1" in runner.invoke(args=["tick"]).output
        assert "review_reminders: 0" in runner.invoke(args=["tick"]).output
    db.session.expire_all()
    kinds = list(db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == reviewer.id)
                                    .order_by(Notification.id)))
    assert kinds == ["reviews.assigned", "reviews.due_in_3_days", "reviews.overdue"]
    assert [e.action for e in audit.history(assignment)][-2:] == ["remind_review_due", "remind_review_overdue"]


def test_answered_assignments_are_not_reminded_and_their_reminders_stop_waiting(app, make):
    challenge, officer, _bids = reviewing(make, n_bids=1)
    reviewer = make.reviewer()
    assignment = services.assign_reviewer(challenge, reviewer, actor=officer)
    db.session.commit()
    clock.set_now(clock.start_of_day(assignment.due_on - timedelta(days=2)))
    runner = app.test_cli_runner()
    assert "review_reminders: 1" in runner.invoke(args=["tick"]).output
    fire(assignment, "recuse", reviewer, comment="与揭榜单位有合作")
    db.session.commit()
    clock.set_now(clock.start_of_day(assignment.due_on + timedelta(days=1)))
    assert "review_reminders: 0" in runner.invoke(args=["tick"]).output
    unread = db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == reviewer.id, Notification.read_at.is_(None)))
    assert unread == 0
