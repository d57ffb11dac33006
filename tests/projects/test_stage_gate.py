"""The stage gate of a parallel award: the officer compares the teams after the gate
milestone, continues or stops each with reasons, and may move the stopped teams'
unreleased budget to a continuing team as an amendment of its agreement."""
from datetime import timedelta

import pytest

from grants.core import audit, clock
from grants.core.errors import Forbidden, Refused, ValidationFailed
from grants.core.workflow import fire
from grants.extensions import db
from grants.projects import agreement as agreements
from grants.projects import funding, reports
from grants.projects import stage_gate as gates
from grants.projects.models import ProjectState, TrancheState
from tests.projects.helpers import parallel_award, signed


def _report(parties, text="阶段成果"):
    milestone = parties.project.milestones[0]
    indicator = parties.project.indicators[0]
    reports.submit_report(milestone, actor=parties.team, text=text, values={indicator.id: "0.7"})
    db.session.commit()


def test_a_single_winner_challenge_has_no_stage_gate(make):
    parties = signed(make)
    with pytest.raises(Refused, match="仅适用于多团队并行"):
        gates.set_stage_gate(parties.project.challenge, actor=parties.officer, position=1)
    with pytest.raises(Refused, match="仅适用于多团队并行"):
        gates.decide_stage_gate(parties.project.challenge, actor=parties.officer,
                                decisions={parties.project.id: ("continue", "继续")})


def test_only_the_officer_sets_the_gate_after_a_milestone_that_leaves_work(make):
    race = parallel_award(make, n_teams=2)
    with pytest.raises(Forbidden):
        gates.set_stage_gate(race.challenge, actor=race.teams[0].team, position=1)
    with pytest.raises(ValidationFailed, match="第 1 至 1 个"):
        gates.set_stage_gate(race.challenge, actor=race.officer, position=2)
    gate = gates.set_stage_gate(race.challenge, actor=race.officer, position=1)
    db.session.commit()
    assert gate.position == 1
    assert audit.history(race.challenge)[-1].action == "set_stage_gate"


def _enterprise_planned(project):
    return {row["source"]: row["planned_fen"] for row in funding.ledger(project)["sources"]}["enterprise"]


def test_three_teams_through_the_gate_one_stopped_and_its_budget_moved(make):
    race = parallel_award(make, n_teams=3)
    first, second, third = (t.project for t in race.teams)
    # The enterprise's co-funding is shared by the running teams, not counted whole by each.
    assert [_enterprise_planned(p) for p in (first, second, third)] == [race.challenge.enterprise_cofunding_fen // 3] * 3
    gate = gates.set_stage_gate(race.challenge, actor=race.officer, position=1)
    db.session.commit()
    _report(race.teams[0])
    _report(race.teams[1])
    with pytest.raises(Refused, match="并非所有团队均已到达"):
        gates.decide_stage_gate(race.challenge, actor=race.officer, decisions={})
    clock.set_now(clock.now() + timedelta(days=400))  # the third team's gate report is past due
    rows = gates.gate_comparison(gate)
    assert [r["indicators"][0]["reached"] for r in rows] == ["0.7", "0.7", None]
    assert rows[0]["funds"]["released_fen"] == 0 and rows[0]["funds"]["planned_fen"] == 100_000_00

    every = {p.id: ("stop", "进展不足") for p in (first, second, third)}
    with pytest.raises(Refused, match="不能终止全部团队"):
        gates.decide_stage_gate(race.challenge, actor=race.officer, decisions=every)
    decisions = {first.id: ("continue", "指标领先"), second.id: ("stop", "精度未达标"), third.id: ("stop", "逾期未报")}
    with pytest.raises(ValidationFailed, match="请说明"):
        gates.decide_stage_gate(race.challenge, actor=race.officer, decisions=decisions | {first.id: ("continue", " ")})
    with pytest.raises(Refused, match="剩余（未拨付）经费"):
        gates.decide_stage_gate(race.challenge, actor=race.officer, decisions=decisions,
                                move_to=first.id, move_fen=200_000_01)
    with pytest.raises(Refused, match="只能调给继续攻关的团队"):
        gates.decide_stage_gate(race.challenge, actor=race.officer, decisions=decisions,
                                move_to=second.id, move_fen=1)
    with pytest.raises(Forbidden):
        gates.decide_stage_gate(race.challenge, actor=race.teams[0].team, decisions=decisions)

    gates.decide_stage_gate(race.challenge, actor=race.officer, decisions=decisions, move_to=first.id,
                            move_fen=150_000_00)
    db.session.commit()
    assert (second.state, third.state) == (ProjectState.terminated, ProjectState.terminated)
    stop = audit.history(second)[-1]
    assert stop.action == "terminate" and "精度未达标" in stop.comment
    with pytest.raises(Refused):
        fire(second.tranches[0], "release", race.officer)
    assert first.award_fen == 250_000_00
    assert sum(t.amount_fen for t in first.tranches) == first.award_fen == first.agreement.breakdown_total_fen
    assert first.tranches[-1].amount_fen == 150_000_00 and first.tranches[-1].milestone == first.milestones[1]
    assert first.tranches[-1].state == TrancheState.planned
    assert [v.number for v in agreements.agreement_versions(first)] == [1]
    assert agreements.agreement_versions(first)[0].snapshot["tranches"][-1]["amount_fen"] != 150_000_00
    assert "gate_budget_moved" in [e.action for e in audit.history(first)]
    assert [_enterprise_planned(p) for p in (first, second, third)] == [race.challenge.enterprise_cofunding_fen, 0, 0]
    assert {d.project_id: d.verdict for d in gate.decisions} == {first.id: "continue", second.id: "stop",
                                                                 third.id: "stop"}
    with pytest.raises(Refused, match="已作出决定"):
        gates.decide_stage_gate(race.challenge, actor=race.officer, decisions=decisions)


def test_the_gate_pages_compare_the_teams_and_take_the_decision(app, make):
    from tests.challenges.test_pages import signed_in

    race = parallel_award(make, n_teams=2)
    first, second = (t.project for t in race.teams)
    assert signed_in(app, race.teams[0].team).get(f"/projects/stage-gates/{race.challenge.id}").status_code == 404
    client = signed_in(app, race.officer)
    assert "赛马制阶段评估" in client.get(f"/projects/{first.id}").get_data(as_text=True)
    page = client.post(f"/projects/stage-gates/{race.challenge.id}/gate", data={"position": "1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "阶段评估节点已设置" in page and "等待以下团队提交节点报告" in page
    clock.set_now(clock.now() + timedelta(days=400))
    page = client.get(f"/projects/stage-gates/{race.challenge.id}").get_data(as_text=True)
    assert "作出阶段评估决定" in page and second.lead_org.name in page
    data = {f"verdict_{first.id}": "stop", f"reason_{first.id}": "落后", f"verdict_{second.id}": "stop",
            f"reason_{second.id}": "落后"}
    page = client.post(f"/projects/stage-gates/{race.challenge.id}/decision", data=data,
                       follow_redirects=True).get_data(as_text=True)
    assert "不能终止全部团队" in page
    data |= {f"verdict_{first.id}": "continue", "move_to": str(first.id), "move_yuan": "50000"}
    page = client.post(f"/projects/stage-gates/{race.challenge.id}/decision", data=data,
                       follow_redirects=True).get_data(as_text=True)
    assert "阶段评估已作出决定" in page
    db.session.refresh(first)
    db.session.refresh(second)
    assert second.state == ProjectState.terminated and first.award_fen == 150_000_00
