"""A signed project under way: progress reports, overdue milestones, tranche
releases, suspension, resumption, termination and the request for acceptance."""
from datetime import datetime, timedelta

import pytest

from grants.core import audit, clock
from grants.core.errors import Forbidden, Refused, ValidationFailed
from grants.core.workflow import fire
from grants.extensions import db
from grants.integrity.services import revoke_entry
from grants.projects import agreement as agreements
from grants.projects import reports, services
from grants.projects.models import MilestoneState, ProjectState, TrancheState
from tests.projects.helpers import approve_report, co_fund, pdf, signed


def report(parties, milestone, text="按计划完成", values=None, uploads=()):
    result = reports.submit_report(milestone, actor=parties.team, text=text, values=values or {},
                                   uploads=uploads)
    db.session.commit()
    return result


def approve(parties, milestone):
    approve_report(milestone, parties.officer)
    db.session.commit()


def test_a_report_returned_then_resubmitted_and_approved(make):
    parties = signed(make)
    first, _second = parties.project.milestones
    indicator = parties.project.indicators[0]
    report(parties, first, values={indicator.id: "0.8"}, uploads=[pdf()])
    assert first.state == MilestoneState.submitted
    with pytest.raises(Refused, match="须填写理由"):
        fire(first, "return_for_revision", parties.officer)
    fire(first, "return_for_revision", parties.officer, comment="缺少测试数据")
    db.session.commit()
    assert first.state == MilestoneState.returned
    report(parties, first, text="补充了测试数据", values={indicator.id: "0.6"})
    approve(parties, first)
    assert first.state == MilestoneState.approved
    decided = db.session.scalars(reports.reports_query(parties.project)).all()
    assert [(r.decision, r.decision_comment) for r in decided] == [("approved", None), ("returned", "缺少测试数据")]
    assert decided[1].files[0].original_filename == "report.pdf"
    _reports, rows = reports.indicator_progress(parties.project)
    assert rows[0]["values"] == ["0.8", "0.6"]
    assert [e.action for e in audit.history(first)] == ["submit", "return_for_revision", "submit", "expert_check",
                                                      "approve"]


def test_reports_come_from_the_team_of_an_active_project_only(make):
    parties = signed(make)
    milestone = parties.project.milestones[0]
    with pytest.raises(Forbidden):
        reports.submit_report(milestone, actor=make.user("applicant"), text="别人的项目")
    with pytest.raises(ValidationFailed, match="说明进展情况"):
        reports.submit_report(milestone, actor=parties.team, text=" ")
    with pytest.raises(ValidationFailed, match="不是 PDF"):
        reports.submit_report(milestone, actor=parties.team, text="进展", uploads=[(pdf()[0].__class__(b"GIF89a"), "x.pdf")])
    with pytest.raises(Refused, match="请提交进展报告"):
        fire(milestone, "submit", parties.team)  # the bare transition carries no report
    db.session.rollback()
    assert milestone.state == MilestoneState.pending


def test_a_milestone_is_overdue_only_while_past_due_and_not_approved(make):
    parties = signed(make)
    first = parties.project.milestones[0]
    due = clock.start_of_day(first.due_on)
    with clock.frozen(due + timedelta(hours=12)):
        assert reports.overdue_milestones(parties.project) == []
    with clock.frozen(due + timedelta(days=1, hours=1)):
        assert reports.overdue_milestones(parties.project) == [first]
        report(parties, first)
        approve(parties, first)
        assert reports.overdue_milestones(parties.project) == []


def test_tranches_are_released_for_approved_milestones_once(make):
    parties = signed(make)
    signing, for_first, for_second = parties.project.tranches
    first = parties.project.milestones[0]
    services.release_tranche(signing, actor=parties.officer)
    db.session.commit()
    assert signing.state == TrancheState.released and signing.released_by_id == parties.officer.id
    with pytest.raises(Refused, match="已拨付"):
        services.release_tranche(signing, actor=parties.officer)
    with pytest.raises(Refused, match="通过后拨付"):
        services.release_tranche(for_first, actor=parties.officer)
    with pytest.raises(Forbidden):
        services.release_tranche(for_first, actor=parties.team)
    db.session.rollback()
    report(parties, first)
    approve(parties, first)
    co_fund(parties, signing.amount_fen + for_first.amount_fen)  # 1:1 own to public from the second release
    services.release_tranche(for_first, actor=parties.officer)
    db.session.commit()
    summary = services.funding_summary(parties.project)
    assert summary["released_fen"] == signing.amount_fen + for_first.amount_fen
    assert summary["remaining_fen"] == for_second.amount_fen
    assert audit.history(for_first)[-1].evidence["integrity"]["black"] == []


def test_an_amendment_holds_every_release_until_the_three_parties_confirm_it(make):
    parties = signed(make)
    project = parties.project
    signing = project.tranches[0]
    tranches = [dict(t) for t in agreements.agreement_data(project)["tranches"]]
    tranches[0]["amount_fen"] += 100
    tranches[1]["amount_fen"] -= 100
    agreements.edit_agreement(project, actor=parties.officer, data={"tranches": tranches})
    agreements.confirm_agreement(project, actor=parties.officer)
    db.session.commit()
    with pytest.raises(Refused, match="任务书已修改，尚待企业、团队负责人确认"):
        services.release_tranche(signing, actor=parties.officer)
    db.session.rollback()
    assert signing.state == TrancheState.planned
    for party in (parties.owner, parties.team):
        agreements.confirm_agreement(project, actor=party)
    services.release_tranche(signing, actor=parties.officer)
    db.session.commit()
    assert signing.state == TrancheState.released and signing.amount_fen == tranches[0]["amount_fen"]


def test_a_black_entry_in_force_refuses_a_release(make):
    parties = signed(make)
    signing = parties.project.tranches[0]
    # A black entry starting tomorrow: today the project is untouched, tomorrow the release is refused.
    entry = make.black(parties.project.lead_org, start_on=clock.today() + timedelta(days=1))
    clock.advance(timedelta(days=1))
    with pytest.raises(Refused, match="黑名单") as refused:
        services.release_tranche(signing, actor=parties.officer)
    assert refused.value.details["evidence"]["integrity"]["black"][0]["entry_id"] == entry.id
    db.session.rollback()
    assert signing.state == TrancheState.planned


def test_suspension_on_an_integrity_hit_then_resume(make):
    parties = signed(make)
    project = parties.project
    entry = make.black(project.lead_person)
    db.session.refresh(project)
    assert project.state == ProjectState.suspended and project.suspended_from == ProjectState.active
    with pytest.raises(Refused, match="不在执行中"):
        services.release_tranche(project.tranches[0], actor=parties.officer)
    db.session.rollback()
    with pytest.raises(Refused, match="黑名单"):
        services.resume_project(project, actor=parties.officer)
    db.session.rollback()
    revoke_entry(entry, actor=parties.officer, reason="复议撤销")
    services.resume_project(project, actor=parties.officer)
    db.session.commit()
    assert project.state == ProjectState.active and project.suspended_from is None
    assert [e.action for e in audit.history(project)][-2:] == ["suspend", "resume"]


def test_a_project_suspended_in_contracting_resumes_to_contracting(make):
    from tests.projects.helpers import awarded

    parties = awarded(make)
    project = parties.project
    fire(project, "suspend", parties.officer, comment="核查")
    with pytest.raises(Refused, match="恢复后回到该状态"):
        fire(project, "resume", parties.officer)
    services.resume_project(project, actor=parties.officer)
    db.session.commit()
    assert project.state == ProjectState.contracting


def test_termination_stops_further_releases(make):
    parties = signed(make)
    project = parties.project
    with pytest.raises(Refused, match="须填写理由"):
        fire(project, "terminate", parties.officer)
    fire(project, "terminate", parties.officer, comment="团队解散")
    db.session.commit()
    with pytest.raises(Refused, match="不在执行中"):
        services.release_tranche(project.tranches[0], actor=parties.officer)


def test_acceptance_is_requested_once_every_milestone_is_approved(make):
    parties = signed(make)
    project = parties.project
    values = {i.id: "0.4" for i in project.indicators}
    first, second = project.milestones
    report(parties, first)
    approve(parties, first)
    with pytest.raises(Refused, match="中试验证"):
        reports.request_acceptance(project, actor=parties.team, text="总结", values=values, upload=pdf())
    report(parties, second)
    approve(parties, second)
    with pytest.raises(ValidationFailed, match="最终达到的值"):
        reports.request_acceptance(project, actor=parties.team, text="总结", values={}, upload=pdf())
    with pytest.raises(ValidationFailed, match="上传结题报告"):
        reports.request_acceptance(project, actor=parties.team, text="总结", values=values, upload=None)
    with pytest.raises(Forbidden):
        reports.request_acceptance(project, actor=parties.owner, text="总结", values=values, upload=pdf())
    reports.request_acceptance(project, actor=parties.team, text="总结", values=values, upload=pdf("final.pdf"))
    db.session.commit()
    assert project.state == ProjectState.acceptance_requested


def test_red_listed_lead_and_organisation_may_skip_the_midway_check_until_black_listed(make):
    from tests.projects.helpers import red_signed

    parties = red_signed(make)
    project = parties.project
    assert project.red_at_signing
    with pytest.raises(Forbidden):
        services.waive_midway_check(project, actor=parties.team)
    services.waive_midway_check(project, actor=parties.officer, comment="红名单激励")
    db.session.commit()
    assert project.waived_milestone_id == project.milestones[0].id
    with pytest.raises(Refused, match="已经免除"):
        services.waive_midway_check(project, actor=parties.officer)
    make.black(project.lead_org)
    db.session.refresh(project)
    assert project.waived_milestone_id is None and not project.red_at_signing
    assert "cancel_waiver" in [e.action for e in audit.history(project)]


def test_without_the_red_list_at_signing_there_is_no_waiver(make):
    parties = signed(make)
    make.red(parties.project.lead_org)  # red only after signing, and the lead is not on it
    with pytest.raises(Refused, match="红名单"):
        services.waive_midway_check(parties.project, actor=parties.officer)
