"""Bad input to the panel, the judgements and the confirmation: each refused in words, nothing changed."""
from datetime import timedelta

import pytest

from grants.acceptance import decisions, services
from grants.core import clock
from grants.core.errors import Forbidden, Refused, ValidationFailed
from grants.core.workflow import fire
from grants.extensions import db
from grants.projects.models import ProjectState
from tests.acceptance.helpers import confirm, judge_all, requested, under_acceptance


def _refused_panel(acceptance, reviewers, match, **kwargs):
    with pytest.raises(Refused, match=match):
        services.form_panel(acceptance.project, reviewers, actor=acceptance.officer, **kwargs)
    db.session.rollback()
    assert services.panel_of(acceptance.project) == []


def test_a_panel_of_two_is_refused(make):
    acceptance = requested(make)
    _refused_panel(acceptance, [make.reviewer(), make.reviewer()], "至少.*3 名")
    with pytest.raises(Refused, match="至少.*3 名"):
        services.start_acceptance(acceptance.project, actor=acceptance.officer)
    db.session.rollback()
    assert acceptance.project.state == ProjectState.acceptance_requested


def test_conflicted_members_are_refused_with_the_reason(make):
    acceptance = requested(make)
    from_team = make.reviewer(org=acceptance.project.lead_org, name="同单位专家")
    from_owner = make.reviewer(org=acceptance.project.challenge.owner_org, name="发榜单位专家")
    _refused_panel(acceptance, [make.reviewer(), make.reviewer(), from_team], "同单位专家")
    _refused_panel(acceptance, [make.reviewer(), make.reviewer(), from_owner], "发榜单位专家")
    reasons = {c.user.id: c.reason for c in services.panel_candidates(acceptance.project)}
    assert reasons[from_team.id] and reasons[from_owner.id]


def test_a_black_listed_reviewer_is_refused(make):
    acceptance = requested(make)
    barred = make.reviewer(name="失信专家")
    make.black(barred.person)
    _refused_panel(acceptance, [make.reviewer(), make.reviewer(), barred], "失信专家.*黑名单")


def test_the_non_voting_member_comes_from_the_enterprise(make):
    acceptance = requested(make)
    reviewers = [make.reviewer() for _ in range(3)]
    _refused_panel(acceptance, reviewers, "发榜", observer=make.user("enterprise"))
    members = services.form_panel(acceptance.project, reviewers, actor=acceptance.officer,
                                  observer=acceptance.owner)
    assert [m.voting for m in members] == [True, True, True, False]


def test_a_score_outside_0_to_100_is_refused(make):
    acceptance = under_acceptance(make)
    for score in (101, -1, "八十"):
        with pytest.raises(ValidationFailed, match="0 到 100"):
            services.save_judgement(acceptance.project, actor=acceptance.panel[0], score=score, submit=True)
        db.session.rollback()
    assert services.judgement_of(acceptance.project, acceptance.panel[0]) is None


def test_a_submitted_judgement_is_locked(make):
    acceptance = under_acceptance(make)
    services.save_judgement(acceptance.project, actor=acceptance.panel[0], score=70)
    services.save_judgement(acceptance.project, actor=acceptance.panel[0], score=75, submit=True)
    db.session.commit()
    with pytest.raises(Refused, match="已提交"):
        services.save_judgement(acceptance.project, actor=acceptance.panel[0], score=10, submit=True)
    db.session.rollback()
    assert services.judgement_of(acceptance.project, acceptance.panel[0]).score == 75


def test_a_judgement_after_the_outcome_is_refused(make):
    acceptance = under_acceptance(make)
    judge_all(acceptance, [80, 80, 80])
    confirm(acceptance)
    with pytest.raises(Refused, match="验收中"):
        services.save_judgement(acceptance.project, actor=acceptance.panel[0], score=10)
    db.session.rollback()


def test_a_second_rectification_is_refused(make):
    acceptance = under_acceptance(make)
    judge_all(acceptance, [55, 55, 55])
    confirm(acceptance, fixes="补充", deadline_on=clock.today() + timedelta(days=30))
    fire(acceptance.project, "resubmit_acceptance", acceptance.team, comment="已整改")
    services.start_acceptance(acceptance.project, actor=acceptance.officer)
    judge_all(acceptance, [55, 55, 55])
    with pytest.raises(Refused, match="只能整改一次"):
        confirm(acceptance, fixes="再补充", deadline_on=clock.today() + timedelta(days=30))
    db.session.rollback()
    assert acceptance.project.state == ProjectState.under_acceptance
    assert len(decisions.decisions_of(acceptance.project)) == 1


def test_only_voting_reviewers_judge(make):
    acceptance = under_acceptance(make)
    for outsider in (make.reviewer(), acceptance.team, acceptance.owner):
        with pytest.raises(Forbidden):
            services.save_judgement(acceptance.project, actor=outsider, score=90, submit=True)
        db.session.rollback()
