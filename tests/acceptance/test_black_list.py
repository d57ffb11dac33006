"""A panel member black-listed during acceptance leaves the panel; their judgement no longer
counts; with fewer than three voting members the officer is told to add one, and adds one."""
import pytest

from grants.acceptance import decisions, services
from grants.core import audit
from grants.core.errors import Forbidden, Refused
from grants.extensions import db
from grants.projects.models import ProjectState
from tests.acceptance.helpers import confirm, under_acceptance
from tests.challenges.test_pages import signed_in


def _judge(acceptance, reviewer, score, submit=True):
    services.save_judgement(acceptance.project, actor=reviewer, score=score, opinion="意见", submit=submit,
                            indicators={acceptance.binding.id: (True, "0.45"), acceptance.other.id: (True, "1.8")})
    db.session.commit()


def test_a_black_listed_member_is_withdrawn_and_the_officer_adds_one(app, make):
    acceptance = under_acceptance(make)
    pid = acceptance.project.id
    listed, *others = acceptance.panel
    _judge(acceptance, listed, 95, submit=False)  # a draft
    for reviewer in others:
        _judge(acceptance, reviewer, 70)

    make.black(listed.person, basis="国科发监〔2026〕9号")

    assert [m.user_id for m in services.panel_of(acceptance.project)] == [r.id for r in others]
    withdrawn = [e for e in audit.history(acceptance.project) if e.action == "withdraw_panel_member"]
    assert len(withdrawn) == 1 and withdrawn[0].actor_id is None and "国科发监〔2026〕9号" in withdrawn[0].comment
    state = decisions.progress(acceptance.project)
    assert (state.members, state.submitted, state.short, state.result) == (2, 2, True, None)
    with pytest.raises(Refused, match="增补"):
        confirm(acceptance)
    db.session.rollback()
    with pytest.raises(Forbidden):
        _judge(acceptance, listed, 95)
    db.session.rollback()
    assert signed_in(app, listed).get(f"/acceptance/projects/{pid}/judge").status_code == 404

    officer = signed_in(app, acceptance.officer)
    page = officer.get(f"/acceptance/projects/{pid}").get_data(as_text=True)
    assert "现有 2 名有表决权的成员" in page and "已退出专家组，不计入" in page
    conflicted = make.reviewer(org=acceptance.project.lead_org, name="同单位专家")
    refused = officer.post(f"/acceptance/projects/{pid}/panel/add", data={"reviewer_id": conflicted.id},
                           follow_redirects=True).get_data(as_text=True)
    assert "同单位专家" in refused and len(services.panel_of(acceptance.project)) == 2
    newcomer = make.reviewer(name="增补专家")
    done = officer.post(f"/acceptance/projects/{pid}/panel/add", data={"reviewer_id": newcomer.id},
                        follow_redirects=True).get_data(as_text=True)
    assert "增补专家 已加入验收专家组" in done and "现有 2 名" not in done
    _judge(acceptance, newcomer, 80)
    state = decisions.progress(acceptance.project)
    assert state.complete and state.result.mean_score == pytest.approx((70 + 70 + 80) / 3, abs=0.01)
    confirm(acceptance)
    assert acceptance.project.state == ProjectState.accepted


def test_adding_someone_already_on_the_panel_or_after_acceptance_is_refused(app, make):
    acceptance = under_acceptance(make)
    with pytest.raises(Refused, match="已在验收专家组中"):
        services.add_panel_member(acceptance.project, acceptance.panel[0], actor=acceptance.officer)
    with pytest.raises(Forbidden):
        services.add_panel_member(acceptance.project, make.reviewer(), actor=acceptance.team)
    db.session.rollback()
    assert len(services.panel_of(acceptance.project)) == 3


def test_the_black_list_leaves_a_finished_acceptance_alone(app, make):
    from tests.acceptance.helpers import judge_all

    acceptance = under_acceptance(make)
    judge_all(acceptance, [80, 75, 70])
    confirm(acceptance)
    make.black(acceptance.panel[0].person)
    assert len(services.panel_of(acceptance.project)) == 3
    assert not [e for e in audit.history(acceptance.project) if e.action == "withdraw_panel_member"]
