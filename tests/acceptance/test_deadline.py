"""A rectification whose deadline passes without a new request for acceptance fails on
``flask tick``, as the system, once; on the demo clock as a trial would run it."""
from datetime import timedelta

import pytest

from grants.core import audit, clock
from grants.core.workflow import fire
from grants.extensions import db
from grants.projects.models import ProjectState
from tests.acceptance.helpers import confirm, judge_all, under_acceptance
from tests.core.test_demo_clock import cli, real_time  # noqa: F401  (fixtures)


@pytest.fixture
def tick(app):
    runner = app.test_cli_runner()
    return lambda: runner.invoke(args=["tick"]).output


def rectifying(make, days: int = 30):
    acceptance = under_acceptance(make)
    judge_all(acceptance, [58, 55, 52])
    confirm(acceptance, conclusion="需整改", fixes="补充测试数据", deadline_on=clock.today() + timedelta(days=days))
    assert acceptance.project.state == ProjectState.rectifying
    return acceptance


def test_the_clock_fails_a_rectification_once_its_deadline_has_passed(real_time, cli, tick, make):  # noqa: F811
    acceptance = rectifying(make, days=30)
    deadline = clock.today() + timedelta(days=30)
    clock.set_now(None)  # the factories froze the clock; from here on the demo clock rules
    assert "fail_rectifications: 0" in tick()
    cli("set", f"{deadline.isoformat()}T23:00")  # the deadline day itself: the team may still resubmit
    assert "fail_rectifications: 0" in tick()
    db.session.refresh(acceptance.project)
    assert acceptance.project.state == ProjectState.rectifying
    cli("advance", "2h")
    output = tick()
    assert "fail_rectifications: 1" in output and "(demo clock" in output, output
    assert "fail_rectifications: 0" in tick()  # once
    db.session.expire_all()
    assert acceptance.project.state == ProjectState.failed
    failed = [e for e in audit.history(acceptance.project) if e.action == "fail_rectification"]
    assert len(failed) == 1 and failed[0].actor_id is None
    assert "整改期限" in failed[0].comment and failed[0].from_state == "rectifying"
    from grants.notifications.models import Notification

    notes = db.session.scalars(db.select(Notification).where(Notification.kind == "acceptance.rectification_failed")).all()
    ids = [n.user_id for n in notes]
    assert acceptance.team.id in ids and len(ids) == len(set(ids))  # once, to each of the team's accounts
    assert notes[0].link == f"/projects/{acceptance.project.id}"


def test_a_team_that_asked_again_in_time_is_not_failed(real_time, cli, tick, make):  # noqa: F811
    acceptance = rectifying(make, days=10)
    deadline = clock.today() + timedelta(days=10)
    clock.set_now(None)
    fire(acceptance.project, "resubmit_acceptance", acceptance.team, comment="已补充测试数据")
    db.session.commit()
    cli("set", f"{(deadline + timedelta(days=10)).isoformat()}T09:00")
    assert "fail_rectifications: 0" in tick()
    db.session.refresh(acceptance.project)
    assert acceptance.project.state == ProjectState.acceptance_requested


def test_the_team_cannot_fire_it_and_the_officer_still_can_after_the_deadline(make):
    acceptance = rectifying(make, days=5)
    from grants.core.errors import Forbidden

    clock.set_now(clock.now() + timedelta(days=6))
    with pytest.raises(Forbidden):
        fire(acceptance.project, "fail_rectification", acceptance.team, comment="逾期")
    db.session.rollback()
    fire(acceptance.project, "fail_rectification", acceptance.officer, comment="逾期未完成整改")
    db.session.commit()
    assert acceptance.project.state == ProjectState.failed
