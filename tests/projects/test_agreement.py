"""The task agreement: drafted from the winning bid, edited by the officer,
confirmed by the officer, the enterprise and the team lead; the third
confirmation signs the project; an amendment needs all three again and the
previous version stays readable."""
from datetime import date

import pytest

from grants.core import audit
from grants.core.errors import Forbidden, Refused, ValidationFailed
from grants.extensions import db
from grants.projects import agreement as agreements
from grants.projects.models import ProjectState
from tests.projects.helpers import approve_report, awarded, signed


def test_the_draft_follows_the_winning_bid(make):
    parties = awarded(make)
    project = parties.project
    data = agreements.agreement_data(project)
    start = date.fromisoformat(data["start_on"])
    assert [m["title"] for m in data["milestones"]] == ["样机研制", "中试验证"]
    assert data["milestones"][0]["due_on"] == agreements.add_months(start, 6).isoformat()
    assert {i["name"]: i["binding"] for i in data["indicators"]} == {"定位精度": True, "响应时间": False}
    assert sum(t["amount_fen"] for t in data["tranches"]) == project.award_fen
    assert data["tranches"][0]["milestone"] is None  # paid at signing
    assert [t["milestone"] for t in data["tranches"][1:]] == [1, 2]
    assert sum(data[k] for k in ("equipment_fen", "materials_fen", "personnel_fen", "other_fen")) == project.award_fen


def test_three_confirmations_sign_the_project(make):
    parties = awarded(make)
    project = parties.project
    agreements.confirm_agreement(project, actor=parties.officer)
    agreements.confirm_agreement(project, actor=parties.owner)
    db.session.commit()
    assert project.state == ProjectState.contracting
    agreements.confirm_agreement(project, actor=parties.team)
    db.session.commit()
    assert project.state == ProjectState.active
    assert [v.number for v in agreements.agreement_versions(project)] == [1]
    actions = [e.action for e in audit.history(project)]
    assert actions[-5:] == ["confirm_agreement", "confirm_agreement", "confirm_agreement", "agreement_confirmed",
                            "sign"]
    assert audit.history(project)[-1].to_state == "active"


def test_only_the_three_parties_confirm_and_each_only_once(make):
    parties = awarded(make)
    for outsider in (make.user("applicant"), make.user("enterprise"), make.user("reviewer")):
        with pytest.raises(Forbidden):
            agreements.confirm_agreement(parties.project, actor=outsider)
    agreements.confirm_agreement(parties.project, actor=parties.owner)
    with pytest.raises(Refused, match="已确认过"):
        agreements.confirm_agreement(parties.project, actor=parties.owner)


def _edited(project, **changes):
    return agreements.agreement_data(project) | changes


def test_bad_agreements_are_refused_in_words_and_nothing_changes(make):
    parties = awarded(make)
    project, officer = parties.project, parties.officer
    before = agreements.agreement_data(project)
    tranches = [dict(t) for t in before["tranches"]]
    tranches[0]["amount_fen"] += 1
    with pytest.raises(ValidationFailed, match="各笔拨款合计") as refused:
        agreements.edit_agreement(project, actor=officer, data={"tranches": tranches})
    assert "tranches" in refused.value.details
    early = [dict(m) for m in before["milestones"]]
    early[0]["due_on"] = "2020-01-01"
    with pytest.raises(ValidationFailed, match="早于项目开始日期"):
        agreements.edit_agreement(project, actor=officer, data={"milestones": early})
    with pytest.raises(ValidationFailed, match="预算明细合计"):
        agreements.edit_agreement(project, actor=officer, data={"other_fen": before["other_fen"] + 100})
    with pytest.raises(Forbidden):
        agreements.edit_agreement(project, actor=parties.team, data={"end_on": before["end_on"]})
    db.session.rollback()
    assert agreements.agreement_data(project) == before


def test_an_agreement_has_at_most_fifty_milestones_indicators_and_tranches(make):
    parties = awarded(make)
    project, officer = parties.project, parties.officer
    before = agreements.agreement_data(project)
    indicator = before["indicators"][0]
    fifty = [dict(indicator, name=f"指标{n}") for n in range(50)]
    agreements.edit_agreement(project, actor=officer, data={"indicators": fifty})
    db.session.commit()
    assert len(agreements.agreement_data(project)["indicators"]) == 50
    with pytest.raises(ValidationFailed, match="任务书最多 50 项指标，此处有 51 项") as refused:
        agreements.edit_agreement(project, actor=officer, data={"indicators": fifty + [dict(indicator, name="多余")]})
    assert set(refused.value.details) == {"indicators"}
    db.session.rollback()
    assert len(agreements.agreement_data(project)["indicators"]) == 50


def test_an_amendment_needs_three_confirmations_again_and_keeps_the_previous_version(make):
    parties = signed(make)
    project = parties.project
    first = agreements.agreement_data(project)
    milestones = [dict(m) for m in first["milestones"]]
    milestones[1]["title"] = "中试验证(扩大规模)"
    agreements.edit_agreement(project, actor=parties.officer, data={"milestones": milestones})
    db.session.commit()
    assert not project.agreement.fully_confirmed and project.state == ProjectState.active
    for user in (parties.officer, parties.owner, parties.team):
        agreements.confirm_agreement(project, actor=user)
    db.session.commit()
    versions = agreements.agreement_versions(project)
    assert [v.number for v in versions] == [2, 1]
    assert versions[1].snapshot == first
    assert agreements.agreement_version(project, 2).snapshot["milestones"][1]["title"] == "中试验证(扩大规模)"


def test_an_edit_moves_milestones_and_tranches_by_position(make):
    parties = awarded(make)
    project = parties.project
    data = agreements.agreement_data(project)
    data["milestones"].append({"title": "结题", "due_on": data["end_on"], "deliverables": "总结报告"})
    data["tranches"][-1]["amount_fen"] -= 100
    data["tranches"].append({"amount_fen": 100, "milestone": 3})
    agreements.edit_agreement(project, actor=parties.officer, data=data, expected_version=project.agreement.version)
    db.session.commit()
    saved = agreements.agreement_data(project)
    assert [m["title"] for m in saved["milestones"]][-1] == "结题"
    assert saved["tranches"][-1] == {"amount_fen": 100, "milestone": 3}


def test_an_amendment_keeps_what_has_happened(make):
    from grants.projects import reports, services

    parties = signed(make)
    project = parties.project
    first = project.milestones[0]
    reports.submit_report(first, actor=parties.team, text="完成", values={project.indicators[1].id: "1.5"})
    approve_report(first, parties.officer)
    services.release_tranche(project.tranches[0], actor=parties.officer)
    reports.submit_report(project.milestones[1], actor=parties.team, text="中试进行中")
    db.session.commit()
    data = agreements.agreement_data(project)
    with pytest.raises(ValidationFailed, match="第 2 个里程碑已有进展报告，不能删除"):
        agreements.edit_agreement(project, actor=parties.officer, data={
            "milestones": data["milestones"][:1], "tranches": [dict(t, milestone=1 if t["milestone"] else None)
                                                               for t in data["tranches"]]})
    with pytest.raises(ValidationFailed, match="已有填报值，不能删除"):
        agreements.edit_agreement(project, actor=parties.officer, data={"indicators": data["indicators"][:1]})
    moved = [dict(t) for t in data["tranches"]]
    moved[0]["amount_fen"], moved[1]["amount_fen"] = moved[0]["amount_fen"] - 100, moved[1]["amount_fen"] + 100
    with pytest.raises(ValidationFailed, match="已拨付的款项不能更改金额"):
        agreements.edit_agreement(project, actor=parties.officer, data={"tranches": moved})
    db.session.rollback()
    assert agreements.agreement_data(project) == data


def test_a_stale_confirmation_is_refused_after_an_edit(make):
    from grants.core.errors import ChangedUnderYou

    parties = awarded(make)
    project = parties.project
    seen = project.agreement.version
    agreements.edit_agreement(project, actor=parties.officer, data={"end_on": agreements.agreement_data(project)["end_on"]})
    db.session.commit()
    with pytest.raises(ChangedUnderYou):
        agreements.confirm_agreement(project, actor=parties.owner, expected_version=seen)
