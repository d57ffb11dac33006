"""Each outcome of final acceptance, through the services, and the rule itself."""
from datetime import date, timedelta

import pytest

from grants.acceptance import decisions, rules
from grants.acceptance.models import Outcome
from grants.certificates.services import certificate_in_force
from grants.core import clock
from grants.core.errors import Refused, ValidationFailed
from grants.core.workflow import fire
from grants.extensions import db
from grants.projects.models import ProjectState
from tests.acceptance.helpers import confirm, judge_all, under_acceptance


def vote(score, met=True, value="1"):
    return rules.Vote(score, {1: (met, value)})


@pytest.mark.parametrize("votes, rectified_before, expected", [
    ([vote(80), vote(70), vote(60)], False, Outcome.passed),
    ([vote(80), vote(70, met=False), vote(60)], False, Outcome.passed),  # a majority suffices
    ([vote(80, met=False), vote(70, met=False), vote(60)], False, Outcome.rectifying),
    ([vote(55), vote(55), vote(55)], False, Outcome.rectifying),
    ([vote(55), vote(55), vote(55)], True, Outcome.failed),
    ([vote(40), vote(50), vote(55)], False, Outcome.failed),
])
def test_the_outcome_rule(votes, rectified_before, expected):
    assert rules.outcome([1], votes, rectified_before=rectified_before).outcome == expected


def test_accepted_values_are_the_majoritys():
    votes = [vote(70, value="0.4"), vote(70, value="0.4"), vote(70, value="0.5"), vote(70, met=False, value="9")]
    assert rules.accepted_values(votes) == {1: "0.4"}


def test_latest_deadline_is_three_months_away():
    assert rules.latest_deadline(date(2026, 11, 30)) == date(2027, 2, 28)
    assert rules.latest_deadline(date(2026, 3, 15)) == date(2026, 6, 15)


def test_pass_then_certificate(make):
    acceptance = under_acceptance(make)
    judge_all(acceptance, [80, 75, 70], binding_met=(True, True, False))
    assert decisions.progress(acceptance.project).result.outcome == Outcome.passed
    confirm(acceptance, conclusion="各项指标达到任务书要求,同意通过验收。")
    assert acceptance.project.state == ProjectState.accepted
    conclusion, reached = decisions.certificate_inputs(acceptance.project)
    assert sorted(reached.values()) == ["0.45", "1.8"]
    certificate = decisions.issue_project_certificate(acceptance.project, actor=acceptance.officer)
    db.session.commit()
    assert certificate_in_force(acceptance.project) == certificate
    assert certificate.conclusion == "各项指标达到任务书要求,同意通过验收。"


def _rectify(acceptance):
    judge_all(acceptance, [58, 55, 52])
    confirm(acceptance, conclusion="需整改", fixes="补充测试数据", deadline_on=clock.today() + timedelta(days=60))
    assert acceptance.project.state == ProjectState.rectifying
    fire(acceptance.project, "resubmit_acceptance", acceptance.team, comment="已补充测试数据")
    fire(acceptance.project, "start_acceptance", acceptance.officer)
    db.session.commit()


def test_rectifying_then_pass(make):
    acceptance = under_acceptance(make)
    _rectify(acceptance)
    assert decisions.progress(acceptance.project).submitted == 0  # a new round
    judge_all(acceptance, [70, 65, 62])
    confirm(acceptance)
    assert acceptance.project.state == ProjectState.accepted


def test_rectifying_then_failed_and_no_second_rectification(make):
    acceptance = under_acceptance(make)
    _rectify(acceptance)
    judge_all(acceptance, [58, 55, 52])
    assert decisions.progress(acceptance.project).result.outcome == Outcome.failed
    confirm(acceptance, conclusion="整改后仍未达到要求")
    assert acceptance.project.state == ProjectState.failed


def test_failed(make):
    acceptance = under_acceptance(make)
    judge_all(acceptance, [40, 45, 30], binding_met=(False, False, False))
    confirm(acceptance, conclusion="未完成任务书约定指标", misconduct=True)
    assert acceptance.project.state == ProjectState.failed
    assert decisions.decisions_of(acceptance.project)[0].misconduct


def test_rectification_deadline_over_three_months_is_refused(make):
    acceptance = under_acceptance(make)
    judge_all(acceptance, [58, 55, 52])
    too_late = rules.latest_deadline(clock.today()) + timedelta(days=1)
    with pytest.raises(ValidationFailed, match="三个月"):
        confirm(acceptance, conclusion="需整改", fixes="补充", deadline_on=too_late)
    db.session.rollback()
    assert acceptance.project.state == ProjectState.under_acceptance
    assert decisions.decisions_of(acceptance.project) == []


def test_outcome_waits_for_every_member_and_is_not_fired_by_hand(make):
    acceptance = under_acceptance(make)
    judge_all(acceptance, [80, 80], binding_met=(True, True))
    with pytest.raises(Refused, match="2"):
        confirm(acceptance)
    db.session.rollback()
    with pytest.raises(Refused, match="验收页面"):
        fire(acceptance.project, "pass_acceptance", acceptance.officer, comment="直接通过")
    db.session.rollback()
    assert acceptance.project.state == ProjectState.under_acceptance


def test_a_rectification_not_done_by_the_deadline_fails(make):
    acceptance = under_acceptance(make)
    judge_all(acceptance, [58, 55, 52])
    deadline = clock.today() + timedelta(days=30)
    confirm(acceptance, conclusion="需整改", fixes="补充测试数据", deadline_on=deadline)
    with pytest.raises(Refused, match="尚未届满"):
        fire(acceptance.project, "fail_rectification", acceptance.officer, comment="逾期")
    db.session.rollback()
    clock.set_now(clock.start_of_day(deadline) + timedelta(days=1, hours=12))
    with pytest.raises(Refused, match="已过"):
        fire(acceptance.project, "resubmit_acceptance", acceptance.team, comment="已整改")
    db.session.rollback()
    fire(acceptance.project, "fail_rectification", acceptance.officer, comment="逾期未完成整改")
    db.session.commit()
    assert acceptance.project.state == ProjectState.failed
