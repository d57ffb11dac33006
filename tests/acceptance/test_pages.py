"""The officer's acceptance page and the reviewer's judging page, through the browser forms."""
from grants.acceptance import services
from grants.extensions import db
from grants.projects.models import ProjectState
from tests.acceptance.helpers import judge_all, requested, under_acceptance
from tests.challenges.test_pages import signed_in


def test_the_officer_forms_the_panel_and_starts_acceptance_on_the_page(app, make):
    acceptance = requested(make)
    pid = acceptance.project.id
    reviewers = [make.reviewer() for _ in range(3)]
    from_team = make.reviewer(org=acceptance.project.lead_org, name="同单位专家")
    client = signed_in(app, acceptance.officer)
    page = client.get(f"/acceptance/projects/{pid}").get_data(as_text=True)
    assert "同单位专家" in page and "申报" in page  # excluded, with the reason
    refused = client.post(f"/acceptance/projects/{pid}/panel", data={"reviewer_id": [reviewers[0].id]},
                          follow_redirects=True).get_data(as_text=True)
    assert "至少需要 3" in refused and services.panel_of(acceptance.project) == []
    client.post(f"/acceptance/projects/{pid}/panel",
                data={"reviewer_id": [r.id for r in reviewers], "observer_id": acceptance.owner.id})
    response = client.post(f"/acceptance/projects/{pid}/start", data={"version": acceptance.project.version},
                           follow_redirects=True)
    assert "验收已开始" in response.get_data(as_text=True)
    db.session.refresh(acceptance.project)
    assert acceptance.project.state == ProjectState.under_acceptance
    assert from_team.id not in {m.user_id for m in services.panel_of(acceptance.project)}


def test_a_reviewer_judges_from_the_dashboard(app, make):
    acceptance = under_acceptance(make)
    pid = acceptance.project.id
    reviewer = acceptance.panel[0]
    client = signed_in(app, reviewer)
    assert f"/acceptance/projects/{pid}/judge" in client.get("/dashboard").get_data(as_text=True)
    page = client.get(f"/acceptance/projects/{pid}/judge").get_data(as_text=True)
    assert "结题总结" in page and "结题报告.pdf" in page and "进展" in page
    bad = client.post(f"/acceptance/projects/{pid}/judge", data={"score": 120, "submit": "y"})
    assert bad.status_code == 200 and "0 到 100" in bad.get_data(as_text=True)
    data = {"score": 80, "opinion": "达到要求", f"met-{acceptance.binding.id}": "y",
            f"value-{acceptance.binding.id}": "0.45", "submit": "y"}
    done = client.post(f"/acceptance/projects/{pid}/judge", data=data, follow_redirects=True)
    assert "不能再修改" in done.get_data(as_text=True)
    assert services.judgement_of(acceptance.project, reviewer).submitted
    assert f"/acceptance/projects/{pid}/judge" not in client.get("/dashboard").get_data(as_text=True)


def test_outsiders_get_404_and_the_team_cannot_judge(app, make):
    acceptance = under_acceptance(make)
    pid = acceptance.project.id
    for user in (make.reviewer(), acceptance.team):
        client = signed_in(app, user)
        assert client.get(f"/acceptance/projects/{pid}/judge").status_code == 404
        assert client.post(f"/acceptance/projects/{pid}/judge", data={"score": 90, "submit": "y"}).status_code == 404
    assert signed_in(app, acceptance.panel[0]).get(f"/acceptance/projects/{pid}").status_code == 403


def test_the_officer_confirms_a_pass_and_issues_the_certificate(app, make):
    acceptance = under_acceptance(make)
    pid = acceptance.project.id
    judge_all(acceptance, [80, 70, 65])
    client = signed_in(app, acceptance.officer)
    page = client.get(f"/acceptance/projects/{pid}").get_data(as_text=True)
    assert "通过" in page and "71.67" in page
    unconfirmed = client.post(f"/acceptance/projects/{pid}/outcome", data={"conclusion": "同意通过"})
    assert unconfirmed.status_code == 422
    client.post(f"/acceptance/projects/{pid}/outcome", data={"conclusion": "同意通过", "confirm": "y",
                                                             "version": acceptance.project.version})
    db.session.refresh(acceptance.project)
    assert acceptance.project.state == ProjectState.accepted
    issued = client.post(f"/acceptance/projects/{pid}/certificate", follow_redirects=True)
    assert "证书" in issued.get_data(as_text=True) and issued.status_code == 200


def test_the_enterprises_member_reads_the_files_without_a_vote(app, make):
    acceptance = requested(make)
    services.form_panel(acceptance.project, [make.reviewer() for _ in range(3)], actor=acceptance.officer,
                        observer=acceptance.owner)
    services.start_acceptance(acceptance.project, actor=acceptance.officer)
    db.session.commit()
    client = signed_in(app, acceptance.owner)
    page = client.get(f"/acceptance/projects/{acceptance.project.id}/judge").get_data(as_text=True)
    assert "结题总结" in page and 'name="score"' not in page
    assert client.post(f"/acceptance/projects/{acceptance.project.id}/judge",
                       data={"score": 90, "submit": "y"}).status_code == 404


def test_a_failure_for_misconduct_links_to_the_integrity_entry_form(app, make):
    acceptance = under_acceptance(make)
    pid = acceptance.project.id
    judge_all(acceptance, [30, 35, 40], binding_met=(False, False, False))
    client = signed_in(app, acceptance.officer)
    client.post(f"/acceptance/projects/{pid}/outcome", data={
        "conclusion": "数据造假,验收不通过", "misconduct": "y", "confirm": "y", "version": acceptance.project.version})
    db.session.refresh(acceptance.project)
    assert acceptance.project.state == ProjectState.failed
    page = client.get(f"/acceptance/projects/{pid}").get_data(as_text=True)
    org = acceptance.project.lead_org
    assert f"/integrity/entries/new?subject_type=organization&amp;code={org.credit_code}" in page
    form = client.get(f"/integrity/entries/new?subject_type=organization&code={org.credit_code}").get_data(as_text=True)
    assert org.credit_code in form
