"""Project pages: the agreement, milestones and reports, funds and history tabs,
with forms that put errors beside their fields, and a fixed number of queries."""
from io import BytesIO

from grants.extensions import db
from grants.projects import agreement as agreements
from grants.projects.models import MilestoneState, ProjectState, TrancheState
from tests.challenges.test_pages import signed_in
from tests.factories import rows
from tests.integrity.test_query_counts import queries
from tests.projects.helpers import approve_report, awarded, red_signed, signed
from tests.factories import pdf_bytes


def test_the_three_parties_confirm_on_the_page_and_the_project_starts(app, make):
    parties = awarded(make)
    project = parties.project
    for user in (parties.officer, parties.owner, parties.team):
        client = signed_in(app, user)
        page = client.get(f"/projects/{project.id}").get_data(as_text=True)
        assert "确认任务书" in page and "样机研制" in page
        response = client.post(f"/projects/{project.id}/agreement/confirm",
                               data={"version": project.agreement.version}, follow_redirects=True)
        assert "您已确认任务书" in response.get_data(as_text=True)
    db.session.refresh(project)
    assert project.state == ProjectState.active
    page = signed_in(app, parties.officer).get(f"/projects/{project.id}").get_data(as_text=True)
    assert f"/projects/{project.id}/agreement/versions/1" in page


def test_the_agreement_form_puts_errors_beside_the_fields_and_saves_nothing(app, make):
    parties = awarded(make)
    project = parties.project
    client = signed_in(app, parties.officer)
    form = client.get(f"/projects/{project.id}/agreement").get_data(as_text=True)
    assert "样机研制" in form
    data = agreements.agreement_data(project)
    lines = [{"amount": str(project.award_fen // 200), "milestone": "0"},
             {"amount": str(project.award_fen // 200 + 1), "milestone": "1"}]  # one yuan too many
    response = client.post(f"/projects/{project.id}/agreement", data={
        "version": project.agreement.version, "start_on": data["start_on"], "end_on": data["end_on"],
        "equipment_yuan": data["equipment_fen"] / 100, "materials_yuan": data["materials_fen"] / 100,
        "personnel_yuan": data["personnel_fen"] / 100, "other_yuan": data["other_fen"] / 100,
        **rows("milestones", {"due_on": "2020-01-01", "title": "样机研制", "deliverables": "样机一台"}),
        **rows("indicators", {"name": "定位精度", "unit": "μm", "baseline": "1.0", "target": "0.5", "binding": True}),
        **rows("tranches", *lines)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "早于项目开始日期" in html and "各笔拨款合计" in html and "is-invalid" in html
    db.session.expire_all()
    assert agreements.agreement_data(project) == data


def test_outsiders_get_404_and_the_team_may_not_edit(app, make):
    parties = awarded(make)
    project = parties.project
    stranger = signed_in(app, make.user("applicant"))
    for path in ("", "/milestones", "/funds", "/history", "/agreement"):
        assert stranger.get(f"/projects/{project.id}{path}").status_code == 404
    milestone = project.milestones[0]
    assert stranger.post(f"/projects/{project.id}/milestones/{milestone.id}/report",
                         data={"text": "别人的项目"}).status_code == 404
    team = signed_in(app, parties.team)
    response = team.get(f"/projects/{project.id}/agreement", follow_redirects=True)
    assert "只有项目主管可以执行此操作" in response.get_data(as_text=True)


def test_a_report_is_submitted_returned_and_approved_on_the_pages(app, make):
    parties = signed(make)
    project = parties.project
    milestone, indicator = project.milestones[0], project.indicators[0]
    team, officer = signed_in(app, parties.team), signed_in(app, parties.officer)
    url = f"/projects/{project.id}/milestones/{milestone.id}/report"
    empty = team.post(url, data={"text": "", "version": milestone.version}).get_data(as_text=True)
    assert "请在报告中说明进展情况" in empty and "is-invalid" in empty
    response = team.post(url, data={"text": "样机完成", "version": milestone.version,
                                    f"indicator_{indicator.id}": "0.7",
                                    "files": (BytesIO(pdf_bytes("x")), "进展.pdf")},
                         content_type="multipart/form-data")
    assert response.status_code == 302
    back = f"/projects/{project.id}/milestones/{milestone.id}/do/return_for_revision"
    officer.post(back, data={"comment": "", "version": milestone.version})
    db.session.refresh(milestone)
    assert milestone.state == MilestoneState.submitted  # a return needs a comment
    officer.post(back, data={"comment": "请补充数据", "version": milestone.version})
    db.session.refresh(milestone)
    assert milestone.state == MilestoneState.returned
    team.post(url, data={"text": "补充数据", "version": milestone.version})
    db.session.refresh(milestone)
    officer.post(f"/projects/{project.id}/milestones/{milestone.id}/expert-check",  # the mid-way milestone
                 data={"experts": "王建国, 李晓梅", "opinion": "数据充分", "conclusion": "satisfactory",
                       "version": milestone.version})
    db.session.refresh(milestone)
    officer.post(f"/projects/{project.id}/milestones/{milestone.id}/do/approve", data={"version": milestone.version})
    db.session.refresh(milestone)
    assert milestone.state == MilestoneState.approved
    page = team.get(f"/projects/{project.id}/milestones").get_data(as_text=True)
    assert "请补充数据" in page and "进展.pdf" in page and "0.7" in page and "数据充分" in page


def test_release_refused_then_allowed_on_the_funds_page(app, make):
    parties = signed(make)
    project = parties.project
    officer = signed_in(app, parties.officer)
    _signing, for_first, _ = project.tranches
    response = officer.post(f"/projects/{project.id}/tranches/{for_first.id}/do/release",
                            data={"version": for_first.version}, follow_redirects=True)
    assert "通过后拨付" in response.get_data(as_text=True)
    db.session.refresh(for_first)
    assert for_first.state == TrancheState.planned
    page = officer.get(f"/projects/{project.id}/funds").get_data(as_text=True)
    assert "拨付经费" in page and "data-confirm" in page


def test_suspend_resume_and_terminate_from_the_project_page(app, make):
    parties = signed(make)
    project = parties.project
    officer = signed_in(app, parties.officer)
    page = officer.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "/do/suspend" in page and "/do/terminate" in page and "data-confirm" in page
    officer.post(f"/projects/{project.id}/do/suspend", data={"comment": "核查经费使用", "version": project.version})
    db.session.refresh(project)
    assert project.state == ProjectState.suspended
    suspended = officer.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "/do/resume" in suspended and "确定要执行“恢复”吗" in suspended
    officer.post(f"/projects/{project.id}/do/resume", data={"version": project.version})
    db.session.refresh(project)
    assert project.state == ProjectState.active
    officer.post(f"/projects/{project.id}/do/terminate", data={"comment": "团队解散", "version": project.version})
    db.session.refresh(project)
    assert project.state == ProjectState.terminated
    history = officer.get(f"/projects/{project.id}/history").get_data(as_text=True)
    assert "核查经费使用" in history and "团队解散" in history


def _grow(parties, n_milestones: int):
    """Amend the agreement to ``n_milestones`` milestones with one tranche each, and confirm it."""
    project = parties.project
    data = agreements.agreement_data(project)
    end = data["end_on"]
    data["milestones"] = [{"title": f"节点{n}", "due_on": end, "deliverables": "报告"} for n in range(n_milestones)]
    each = project.award_fen // n_milestones
    data["tranches"] = [{"amount_fen": each, "milestone": n + 1} for n in range(n_milestones - 1)]
    data["tranches"].append({"amount_fen": project.award_fen - each * (n_milestones - 1), "milestone": n_milestones})
    agreements.edit_agreement(project, actor=parties.officer, data=data)
    db.session.commit()


def test_each_tab_costs_the_same_queries_however_many_milestones_reports_and_tranches(app, make):
    from grants.projects import reports

    parties = awarded(make, milestones=[{"title": "样机研制", "month": 6, "deliverable": "样机一台"}])
    project = parties.project
    tabs = ("", "/milestones", "/funds", "/history")

    def report_all():
        for m in project.milestones:
            if m.state == MilestoneState.pending:
                reports.submit_report(m, actor=parties.team, text="进展",
                                      values={i.id: "1" for i in project.indicators},
                                      uploads=[(BytesIO(pdf_bytes("x")), "a.pdf")])
        db.session.commit()

    _grow(parties, 2)
    for user in (parties.officer, parties.owner, parties.team):
        agreements.confirm_agreement(project, actor=user)
    db.session.commit()
    report_all()
    clients = [signed_in(app, user) for user in (parties.officer, parties.team)]
    few = [[queries(client, f"/projects/{project.id}{tab}") for tab in tabs] for client in clients]
    _grow(parties, 6)
    report_all()
    many = [[queries(client, f"/projects/{project.id}{tab}") for tab in tabs] for client in clients]
    assert many == few


def test_acceptance_is_requested_on_its_page_once_every_milestone_is_approved(app, make):
    from grants.projects import reports

    parties = signed(make)
    project = parties.project
    team = signed_in(app, parties.team)
    waiting = team.get(f"/projects/{project.id}/acceptance").get_data(as_text=True)
    assert "所有里程碑通过后才能申请结题验收" in waiting and 'type="file"' not in waiting
    for milestone in project.milestones:
        reports.submit_report(milestone, actor=parties.team, text="完成")
        approve_report(milestone, parties.officer)
    db.session.commit()
    form = team.get(f"/projects/{project.id}/acceptance").get_data(as_text=True)
    assert 'type="file"' in form and "data-confirm" in form
    missing = team.post(f"/projects/{project.id}/acceptance", data={"text": "总结", "version": project.version},
                        content_type="multipart/form-data").get_data(as_text=True)
    assert "请填写每项指标最终达到的值" in missing and "请以 PDF 文件上传结题报告" in missing
    values = {f"indicator_{i.id}": "0.5" for i in project.indicators}
    done = team.post(f"/projects/{project.id}/acceptance",
                     data={"text": "总结", "version": project.version, "file": (BytesIO(pdf_bytes("x")), "结题.pdf"),
                           **values}, content_type="multipart/form-data")
    assert done.status_code == 302
    db.session.refresh(project)
    assert project.state == ProjectState.acceptance_requested
    final = db.session.scalars(reports.reports_query(project)).first()
    download = team.get(f"/projects/{project.id}/files/{final.files[0].id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    other = signed(make)
    assert signed_in(app, other.team).get(f"/projects/{project.id}/files/{final.files[0].id}").status_code == 404
    assert team.get(f"/projects/{other.project.id}/files/{final.files[0].id}").status_code == 404


def test_the_waiver_and_a_confirmed_version_on_the_pages(app, make):
    parties = red_signed(make)
    project = parties.project
    team, officer = signed_in(app, parties.team), signed_in(app, parties.officer)
    assert "/waive" not in team.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "/waive" in officer.get(f"/projects/{project.id}").get_data(as_text=True)
    team.post(f"/projects/{project.id}/waive", data={})
    db.session.refresh(project)
    assert project.waived_milestone_id is None
    officer.post(f"/projects/{project.id}/waive", data={"comment": "红名单激励"})
    db.session.refresh(project)
    assert project.waived_milestone_id == project.milestones[0].id
    page = team.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "免除专家检查" in page
    version = team.get(f"/projects/{project.id}/agreement/versions/1").get_data(as_text=True)
    assert "任务书第 1 版" in version and "样机研制" in version
    assert team.get(f"/projects/{project.id}/agreement/versions/2").status_code == 404


def test_a_project_without_an_agreement_gets_one_drafted_by_the_officer(app, make):
    from grants.projects.models import Project

    parties = awarded(make)
    bare = Project(challenge_id=parties.project.challenge_id, bid_id=make.bid(make.challenge()).id,
                   lead_org_id=parties.project.lead_org_id, title="旧项目", award_fen=400_000_00)
    db.session.add(bare)
    db.session.commit()
    officer = signed_in(app, parties.officer)
    assert "根据中榜申报书起草" in officer.get(f"/projects/{bare.id}").get_data(as_text=True)
    officer.post(f"/projects/{bare.id}/agreement/draft", data={})
    db.session.refresh(bare)
    assert bare.agreement is not None and len(bare.milestones) == 1
