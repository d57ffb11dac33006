"""``flask tick`` reminds once of a milestone falling due and once when it is overdue;
the dashboard lists what is due soon or late."""
from datetime import timedelta

from grants.core import audit, clock
from grants.extensions import db
from tests.challenges.test_pages import signed_in
from tests.projects.helpers import signed


def test_tick_reminds_once_14_days_before_once_3_days_before_and_once_after_the_due_date(app, make):
    parties = signed(make)
    first = parties.project.milestones[0]
    runner = app.test_cli_runner()
    assert "milestone_reminders: 0" in runner.invoke(args=["tick"]).output
    for days in (14, 3, -1):
        clock.set_now(clock.start_of_day(first.due_on - timedelta(days=days)))
        assert "milestone_reminders: 1" in runner.invoke(args=["tick"]).output
        assert "milestone_reminders: 0" in runner.invoke(args=["tick"]).output
    db.session.expire_all()
    assert [e.action for e in audit.history(first)] == ["remind_due_soon", "remind_due_in_3_days", "remind_overdue"]
    assert audit.history(first)[-1].actor_id is None


def test_a_milestone_first_seen_within_three_days_is_reminded_once_before(app, make):
    parties = signed(make)
    first = parties.project.milestones[0]
    clock.set_now(clock.start_of_day(first.due_on - timedelta(days=2)))
    runner = app.test_cli_runner()
    assert "milestone_reminders: 1" in runner.invoke(args=["tick"]).output
    assert "milestone_reminders: 0" in runner.invoke(args=["tick"]).output
    db.session.expire_all()
    assert [e.action for e in audit.history(first)] == ["remind_due_in_3_days"]


def test_the_dashboard_lists_milestones_due_soon_or_overdue(app, make):
    parties = signed(make)
    first = parties.project.milestones[0]
    team = signed_in(app, parties.team)
    assert first.title not in team.get("/dashboard").get_data(as_text=True)
    clock.set_now(clock.start_of_day(first.due_on + timedelta(days=1)))
    page = team.get("/dashboard").get_data(as_text=True)
    assert first.title in page and "已逾期" in page
    stranger = signed_in(app, make.user("applicant"))
    assert first.title not in stranger.get("/dashboard").get_data(as_text=True)
