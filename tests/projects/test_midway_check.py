"""The experts' check of the mid-way milestone (DESIGN "Research integrity lists"): its report is
approved only after a satisfactory check, returned after a not-satisfactory one, approved directly
when the check was waived under the red-list incentive, and needs the check again once a black
entry cancelled the waiver; on the service, the pages and the API alike."""
import pytest

from grants.core import audit
from grants.core.errors import ChangedUnderYou, Forbidden, Refused, ValidationFailed
from grants.core.workflow import fire
from grants.extensions import db
from grants.integrity.services import revoke_entry
from grants.projects import reports, rules, services
from grants.projects.models import MilestoneState, ProjectState
from tests.api.documented import documented_api as api  # noqa: F401
from tests.api.helpers import error_of
from tests.challenges.test_pages import signed_in
from tests.projects.helpers import expert_check, red_signed, signed

NEEDS_CHECK = "中期里程碑须经专家检查后，其进展报告才能通过。"
ONLY_RETURN = "专家认为中期报告不符合要求，只能退回修改。"
WAIVED = "该里程碑的专家检查已按红名单激励免除。"


def _submitted(parties, milestone, text="阶段进展"):
    reports.submit_report(milestone, actor=parties.team, text=text)
    db.session.commit()
    return milestone


def _waived(make):
    parties = red_signed(make)
    assert parties.project.red_at_signing
    services.waive_midway_check(parties.project, actor=parties.officer, comment="红名单激励")
    db.session.commit()
    return parties


# the rule, on the services ----------------------------------------------------------------

def test_the_midway_report_waits_for_a_satisfactory_check(make):
    parties = signed(make)
    first, second = parties.project.milestones
    _submitted(parties, first)
    with pytest.raises(Refused) as refused:
        fire(first, "approve", parties.officer)
    assert str(refused.value) == NEEDS_CHECK
    db.session.rollback()
    with pytest.raises(Forbidden):
        expert_check(first, parties.team)
    with pytest.raises(ValidationFailed) as invalid:
        reports.record_expert_check(first, actor=parties.officer, experts=" , 、", opinion="", conclusion="maybe")
    assert set(invalid.value.details) == {"experts", "opinion", "conclusion"}
    assert invalid.value.details["experts"] == "请至少填写一位专家。"

    expert_check(first, parties.officer, conclusion="not_satisfactory")
    db.session.commit()
    with pytest.raises(Refused) as refused:
        fire(first, "approve", parties.officer)
    assert str(refused.value) == ONLY_RETURN
    db.session.rollback()
    with pytest.raises(Refused, match="已经登记"):
        expert_check(first, parties.officer)
    db.session.rollback()
    fire(first, "return_for_revision", parties.officer, comment="按专家意见补充数据")
    _submitted(parties, first, "补充数据")
    with pytest.raises(Refused) as refused:  # the new report needs its own check
        fire(first, "approve", parties.officer)
    assert str(refused.value) == NEEDS_CHECK
    db.session.rollback()

    report = expert_check(first, parties.officer)
    assert (report.expert_names, report.expert_conclusion) == ("王建国、李晓梅", "satisfactory")
    event = fire(first, "approve", parties.officer)
    db.session.commit()
    assert first.state == MilestoneState.approved and event.evidence["expert_check"] == "satisfactory"
    checks = [e for e in audit.history(first) if e.action == "expert_check"]
    assert [e.evidence["conclusion"] for e in checks] == ["not_satisfactory", "satisfactory"]
    assert checks[1].evidence["experts"] == ["王建国", "李晓梅"] and checks[1].actor_id == parties.officer.id

    _submitted(parties, second)  # only the mid-way milestone has the check
    with pytest.raises(Refused, match="只有中期里程碑"):
        expert_check(second, parties.officer)
    db.session.rollback()
    fire(second, "approve", parties.officer)
    assert second.state == MilestoneState.approved


def test_a_single_milestone_has_no_midway_check(make):
    parties = signed(make, milestones=[{"title": "样机研制", "month": 12, "deliverable": "样机一台"}])
    [only] = parties.project.milestones
    _submitted(parties, only)
    fire(only, "approve", parties.officer)
    assert only.state == MilestoneState.approved


def test_a_check_recorded_meanwhile_is_a_change_under_the_deciding_officer(make):
    parties = signed(make)
    first = _submitted(parties, parties.project.milestones[0])
    seen = first.version
    expert_check(first, parties.officer)
    db.session.commit()
    with pytest.raises(ChangedUnderYou):
        fire(first, "approve", parties.officer, expected_version=seen)
    db.session.rollback()
    with pytest.raises(ChangedUnderYou):
        reports.record_expert_check(first, actor=parties.officer, experts=["张三"], opinion="同意",
                                    conclusion="satisfactory", expected_version=seen)


def test_the_waiver_lets_the_report_through_until_a_black_entry_cancels_it(make):
    parties = _waived(make)
    project = parties.project
    first = _submitted(parties, project.milestones[0])
    with pytest.raises(Refused, match="红名单激励免除"):  # nothing to check: it was waived
        expert_check(first, parties.officer)
    db.session.rollback()
    assert rules.expert_check_refusal(first) is None  # approved directly (on the pages and the API below)

    entry = make.black(project.lead_person)  # the project is suspended and the incentive cancelled
    db.session.refresh(project)
    assert project.waived_milestone_id is None and project.state == ProjectState.suspended
    revoke_entry(entry, actor=parties.officer, reason="更正")
    fire(project, "resume", parties.officer)
    db.session.commit()
    with pytest.raises(Refused) as refused:
        fire(first, "approve", parties.officer)
    assert str(refused.value) == NEEDS_CHECK
    db.session.rollback()
    expert_check(first, parties.officer)
    fire(first, "approve", parties.officer)
    assert first.state == MilestoneState.approved


# the pages --------------------------------------------------------------------------------

def test_the_check_on_the_milestones_page(app, make):
    parties = signed(make)
    project = parties.project
    first = _submitted(parties, project.milestones[0])
    officer, team = signed_in(app, parties.officer), signed_in(app, parties.team)
    page_url = f"/projects/{project.id}/milestones"
    check_url = f"/projects/{project.id}/milestones/{first.id}/expert-check"
    approve_url = f"/projects/{project.id}/milestones/{first.id}/do/approve"

    page = officer.get(page_url).get_data(as_text=True)
    assert NEEDS_CHECK in page and check_url in page and approve_url not in page
    assert check_url not in team.get(page_url).get_data(as_text=True)
    refused = officer.post(approve_url, data={"version": first.version}, follow_redirects=True)
    assert NEEDS_CHECK in refused.get_data(as_text=True)
    db.session.refresh(first)
    assert first.state == MilestoneState.submitted

    team.post(check_url, data={"experts": "张三", "opinion": "好", "conclusion": "satisfactory"})
    empty = officer.post(check_url, data={"experts": "", "opinion": "", "version": first.version},
                         follow_redirects=True).get_data(as_text=True)
    assert "请至少填写一位专家。" in empty and "请填写专家意见。" in empty
    db.session.refresh(first)
    assert rules.latest_report(first).expert_conclusion is None
    officer.post(check_url, data={"experts": "王建国，李晓梅", "opinion": "测试数据不足", "conclusion": "not_satisfactory",
                                  "version": first.version})
    db.session.refresh(first)
    refused = officer.post(approve_url, data={"version": first.version}, follow_redirects=True)
    assert ONLY_RETURN in refused.get_data(as_text=True)
    shown = team.get(page_url).get_data(as_text=True)
    assert "专家检查（王建国、李晓梅）：不符合要求。" in shown and "测试数据不足" in shown and ONLY_RETURN in shown
    history = team.get(f"/projects/{project.id}/history").get_data(as_text=True)
    assert "登记中期报告的专家检查" in history

    officer.post(f"/projects/{project.id}/milestones/{first.id}/do/return_for_revision",
                 data={"comment": "按专家意见补充", "version": first.version})
    _submitted(parties, first, "补充数据")
    officer.post(check_url, data={"experts": "王建国", "opinion": "已补充", "conclusion": "satisfactory",
                                  "version": first.version})
    db.session.refresh(first)
    page = officer.get(page_url).get_data(as_text=True)
    assert approve_url in page and NEEDS_CHECK not in page and check_url not in page
    officer.post(approve_url, data={"version": first.version})
    db.session.refresh(first)
    assert first.state == MilestoneState.approved


def test_the_waived_check_on_the_milestones_page(app, make):
    parties = _waived(make)
    project = parties.project
    first = _submitted(parties, project.milestones[0])
    officer = signed_in(app, parties.officer)
    page = officer.get(f"/projects/{project.id}/milestones").get_data(as_text=True)
    approve_url = f"/projects/{project.id}/milestones/{first.id}/do/approve"
    assert WAIVED in page and NEEDS_CHECK not in page and approve_url in page and "/expert-check" not in page
    officer.post(approve_url, data={"version": first.version})
    db.session.refresh(first)
    assert first.state == MilestoneState.approved


# the API ----------------------------------------------------------------------------------

def test_the_check_over_the_api(api, make):
    parties = signed(make)
    first = _submitted(parties, parties.project.milestones[0])
    officer, team = api(make.token(parties.officer)), api(make.token(parties.team))
    status = team.get(f"/milestones/{first.id}").get_json()
    assert status["midway"] is True and status["waiting_for_experts"] == NEEDS_CHECK
    refused = officer.post(f"/milestones/{first.id}/transitions/approve", {})
    assert refused.status_code == 409 and error_of(refused)["message"] == NEEDS_CHECK

    body = {"experts": ["王建国"], "opinion": "测试数据不足", "conclusion": "not_satisfactory"}
    assert team.post(f"/milestones/{first.id}/expert-check", body).status_code == 403
    assert officer.post(f"/milestones/{first.id}/expert-check", {**body, "conclusion": "fine"}).status_code == 422
    assert officer.post(f"/milestones/{first.id}/expert-check", {**body, "experts": []}).status_code == 422
    checked = officer.post(f"/milestones/{first.id}/expert-check", body)
    assert checked.status_code == 200 and checked.get_json()["expert_conclusion"] == "not_satisfactory"
    twice = officer.post(f"/milestones/{first.id}/expert-check", {**body, "conclusion": "satisfactory"})
    assert twice.status_code == 409 and "已经登记" in error_of(twice)["message"]
    refused = officer.post(f"/milestones/{first.id}/transitions/approve", {})
    assert refused.status_code == 409 and error_of(refused)["message"] == ONLY_RETURN
    names = [t["name"] for t in officer.get(f"/milestones/{first.id}/transitions").get_json()]
    assert "return_for_revision" in names

    officer.post(f"/milestones/{first.id}/transitions/return_for_revision", {"comment": "补充数据"})
    assert team.post(f"/milestones/{first.id}/report", data={"text": "已补充"}).status_code == 201
    version = officer.get(f"/milestones/{first.id}").get_json()["version"]
    stale = officer.post(f"/milestones/{first.id}/expert-check",
                         {**body, "conclusion": "satisfactory", "version": version - 1})
    assert stale.status_code == 409
    checked = officer.post(f"/milestones/{first.id}/expert-check",
                           {**body, "opinion": "同意", "conclusion": "satisfactory", "version": version})
    assert checked.status_code == 200
    assert officer.get(f"/milestones/{first.id}").get_json()["waiting_for_experts"] is None
    assert officer.post(f"/milestones/{first.id}/transitions/approve", {}).get_json()["state"] == "approved"
    history = [e["action"] for e in team.get(f"/milestones/{first.id}/history").get_json()]
    assert history.count("expert_check") == 2 and history[-1] == "approve"
    reports_seen = team.get(f"/projects/{parties.project.id}/reports").get_json()
    assert [r["expert_conclusion"] for r in reports_seen] == ["satisfactory", "not_satisfactory"]


def test_the_waiver_and_its_cancellation_over_the_api(api, make):
    parties = _waived(make)
    project = parties.project
    first = _submitted(parties, project.milestones[0])
    officer = api(make.token(parties.officer))
    status = officer.get(f"/milestones/{first.id}").get_json()
    assert status["expert_check_waived"] is True and status["waiting_for_experts"] is None
    refused = officer.post(f"/milestones/{first.id}/expert-check",
                           {"experts": ["王建国"], "opinion": "同意", "conclusion": "satisfactory"})
    assert refused.status_code == 409 and error_of(refused)["message"] == WAIVED

    make.black(project.lead_org)  # cancels the incentive (and suspends the project)
    db.session.expire_all()
    status = officer.get(f"/milestones/{first.id}").get_json()
    assert status["expert_check_waived"] is False and status["waiting_for_experts"] == NEEDS_CHECK
    refused = officer.post(f"/milestones/{first.id}/transitions/approve", {})
    assert refused.status_code == 409 and error_of(refused)["message"] == NEEDS_CHECK


def test_the_waiver_lets_the_report_through_over_the_api(api, make):
    parties = _waived(make)
    first = _submitted(parties, parties.project.milestones[0])
    officer = api(make.token(parties.officer))
    approved = officer.post(f"/milestones/{first.id}/transitions/approve", {})
    assert approved.get_json()["state"] == "approved"
    assert approved.get_json()["event"]["evidence"]["expert_check"] == "waived"


def test_a_check_is_written_whole_while_the_clock_is_read_from_the_database(make, monkeypatch):
    """The demo clock is stored in the database: reading it must not flush half a check."""
    from datetime import datetime

    from grants.core import clock

    parties = signed(make)
    first = _submitted(parties, parties.project.milestones[0])
    clock.set_now(None)
    monkeypatch.setattr(clock, "real_now", lambda: datetime(2026, 12, 1, 8, 0))
    report = expert_check(first, parties.officer, conclusion="not_satisfactory")
    db.session.commit()
    assert (report.expert_conclusion, report.expert_checked_at) == ("not_satisfactory", datetime(2026, 12, 1, 8, 0))
