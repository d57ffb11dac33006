"""One awarded bid from the task agreement to the request for final acceptance,
in the order the people involved would meet the rules."""
from datetime import timedelta

import pytest

from grants.core import clock
from grants.core.errors import Refused
from grants.core.workflow import fire
from grants.extensions import db
from grants.integrity.services import revoke_entry
from grants.projects import agreement as agreements
from grants.projects import reports, services
from grants.projects.models import MilestoneState, ProjectState, TrancheState
from tests.projects.helpers import awarded, co_fund, expert_check, pdf


def test_from_the_agreement_to_the_request_for_acceptance(make):
    parties = awarded(make)
    project, officer, owner, team = parties.project, parties.officer, parties.owner, parties.team
    for user in (officer, owner, team):
        agreements.confirm_agreement(project, actor=user)
    db.session.commit()
    assert project.state == ProjectState.active
    first, second = project.milestones
    signing, for_first, for_second = project.tranches
    values = {i.id: "0.5" for i in project.indicators}

    services.release_tranche(signing, actor=officer)
    db.session.commit()
    with pytest.raises(Refused, match="通过后拨付"):
        services.release_tranche(for_first, actor=officer)
    db.session.rollback()

    # The first milestone falls overdue, is reported, returned, reported again, checked and approved.
    clock.set_now(clock.start_of_day(first.due_on) + timedelta(days=3))
    assert reports.overdue_milestones(project) == [first]
    reports.submit_report(first, actor=team, text="样机初步完成", values=values, uploads=[pdf()])
    fire(first, "return_for_revision", officer, comment="缺少测试报告")
    reports.submit_report(first, actor=team, text="补充测试报告", values=values, uploads=[pdf("测试.pdf")])
    expert_check(first, officer)  # the mid-way milestone: the experts check its report first
    fire(first, "approve", officer)
    db.session.commit()
    assert first.state == MilestoneState.approved and reports.overdue_milestones(project) == []
    co_fund(parties, project.award_fen)  # the team's own funds, 1:1 to the public funds

    # A black entry comes into force before the tick applies it: the release is refused on it.
    entry = make.black(project.lead_org, start_on=clock.today() + timedelta(days=1))
    clock.advance(timedelta(days=1))
    with pytest.raises(Refused, match="黑名单"):
        services.release_tranche(for_first, actor=officer)
    db.session.rollback()
    services.suspend_projects(entry, None)  # what the tick does with it
    db.session.commit()
    assert project.state == ProjectState.suspended

    revoke_entry(entry, actor=officer, reason="复议撤销")
    services.resume_project(project, actor=officer)
    services.release_tranche(for_first, actor=officer)
    db.session.commit()
    assert for_first.state == TrancheState.released

    with pytest.raises(Refused, match="中试验证"):
        reports.request_acceptance(project, actor=team, text="总结", values=values, upload=pdf())
    db.session.rollback()
    reports.submit_report(second, actor=team, text="中试完成", values=values)
    fire(second, "approve", officer)
    services.release_tranche(for_second, actor=officer)
    reports.request_acceptance(project, actor=team, text="总结", values=values, upload=pdf("结题报告.pdf"))
    db.session.commit()
    assert project.state == ProjectState.acceptance_requested
    assert services.funding_summary(project)["remaining_fen"] == 0
