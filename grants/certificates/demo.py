"""Demo projects further down the line, made through the real services and transitions
on a clock set back in time (so their dates lie in the past, as they would have):

* an awarded challenge whose project is active: two milestones, the first (mid-way)
  one's report checked by experts, approved and its tranche released (西北理工大学, ``applicant@demo.cn``);
* a project that passed final acceptance, with its certificate issued
  (长安新材料研究院, ``applicant2@demo.cn``).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from io import BytesIO

import pikepdf
import sqlalchemy as sa

from grants.acceptance import decisions
from grants.acceptance import services as acceptance
from grants.auth.models import User
from grants.bids import services as bids
from grants.challenges import services as challenges
from grants.core import clock
from grants.core.workflow import fire
from grants.extensions import db
from grants.projects import agreement as agreements
from grants.projects import funding
from grants.projects import permissions as can
from grants.projects import reports
from grants.projects import services as projects
from grants.projects.models import Project
from grants.reviews import services as reviews

EXPERT_EMAILS = ("reviewer@demo.cn", "expert2@demo.cn", "expert3@demo.cn")


def _pdf(name: str):
    """A one-page PDF (uploads are parsed, so it must be a real one)."""
    document = pikepdf.new()
    document.add_blank_page(page_size=(595, 842))
    out = BytesIO()
    document.save(out, deterministic_id=True)
    out.seek(0)
    return out, name


def _experts() -> list[User]:
    return db.session.scalars(sa.select(User).where(User.email.in_(EXPERT_EMAILS)).order_by(User.id)).all()


def _awarded(start: datetime, *, owner, officer, team, challenge: dict, bid: dict) -> Project:
    """A challenge published at ``start``, one bid from ``team``'s organisation, reviewed by the
    demo experts and awarded after its notice: the project, its agreement confirmed by all three."""
    with clock.frozen(start):
        posted = challenges.create_challenge(actor=owner, data={
            "field": "smart_manufacturing", "max_winners": 1, "pass_mark": 60, "blind_review": False,
            "notice_days": 5, "deadline_at": start + timedelta(days=20), **challenge})
        fire(posted, "submit", owner)
        fire(posted, "publish", officer)
        person = team.person
        winner = bids.create_bid(posted, actor=team, data={
            "lead": {"name": person.name, "id_number": person.id_number}, "declaration": True,
            "indicators": {ci.id: ci.target_value for ci in posted.indicators}, **bid})
        fire(winner, "submit", team)
    with clock.frozen(start + timedelta(days=21)):
        fire(posted, "close_bidding", None)
        fire(winner, "accept", officer)
        fire(posted, "start_review", officer)
        for expert in _experts():
            assignment = reviews.assign_reviewer(posted, expert, actor=officer)
            fire(assignment, "accept", expert, no_conflict=True)
            reviews.save_review(assignment, winner, actor=expert, submit=True, opinion="recommend",
                                scores={c.id: (86, "方案可行，团队基础扎实。") for c in posted.rubric})
        fire(posted, "propose_award", officer, winners=[winner.id])
    with clock.frozen(start + timedelta(days=27)):
        fire(posted, "confirm_award", officer)
        project = db.session.scalars(sa.select(Project).where(Project.bid_id == winner.id)).one()
        for party in (officer, owner, team):
            agreements.confirm_agreement(project, actor=party)
    with clock.frozen(start + timedelta(days=30)):
        funding.record_contribution(project, actor=team, data={
            "source": "own", "amount_fen": project.award_fen, "paid_on": clock.today().isoformat(),
            "note": "团队自筹配套资金到账"})
    return project


def _report(project: Project, milestone, *, on: datetime, team, officer, text: str) -> None:
    values = {i.id: i.target for i in project.indicators}
    with clock.frozen(on):
        reports.submit_report(milestone, actor=team, text=text, values=values, uploads=[_pdf("阶段进展报告.pdf")])
    with clock.frozen(on + timedelta(days=2)):
        if milestone is can.midway_milestone(project) and project.waived_milestone_id != milestone.id:
            reports.record_expert_check(milestone, actor=officer, experts=[e.display_name for e in _experts()],
                                        opinion="阶段目标已完成，测试数据完整，同意继续执行。",
                                        conclusion="satisfactory")
        fire(milestone, "approve", officer, comment="进展符合任务书要求。")
    with clock.frozen(on + timedelta(days=3)):
        for tranche in project.tranches:
            if tranche.milestone_id == milestone.id:
                projects.release_tranche(tranche, actor=officer)


def _plan(requested: int, milestones: list[dict]) -> dict:
    return {"technical_approach": "模型预测控制与扰动观测器结合，在线辨识负载惯量，并在企业产线开展示范应用。",
            "requested_fen": requested, "equipment_fen": requested // 2, "materials_fen": requested // 4,
            "personnel_fen": requested // 5, "other_fen": requested - requested // 2 - requested // 4 - requested // 5,
            "own_cofunding_fen": requested, "milestones": milestones}


def seed_projects(orgs, users) -> None:
    owner, officer = users["enterprise@demo.cn"], users["officer@demo.cn"]
    now = clock.now()

    # an active project: milestone 1 reported, approved and paid; milestone 2 still ahead
    team = users["applicant@demo.cn"]
    start = now - timedelta(days=200)
    active = _awarded(start, owner=owner, officer=officer, team=team, challenge={
        "title": "数控机床热误差智能补偿技术", "duration_months": 18,
        "problem": "高速加工中主轴热变形导致尺寸漂移，需建立热误差模型并实现在线补偿。",
        "budget_fen": 300_000_00, "enterprise_cofunding_fen": 150_000_00,
        "indicators": [{"name": "热漂移补偿后误差", "target_value": "≤5", "unit": "μm", "binding": True},
                       {"name": "示范应用机床", "target_value": "≥3", "unit": "台", "binding": False}]},
        bid={"title": "数控机床热误差建模与在线补偿揭榜方案",
             **_plan(280_000_00, [{"title": "热误差建模与仿真", "month": 3, "deliverable": "模型及仿真报告"},
                                  {"title": "在线补偿样机示范", "month": 12, "deliverable": "样机及示范报告"}])})
    first = active.milestones[0]
    _report(active, first, on=start + timedelta(days=110), team=team, officer=officer,
            text="完成热误差机理分析与多测点温度建模，仿真补偿后误差 4.2μm。")

    # a project that passed acceptance, with its certificate
    team = users["applicant2@demo.cn"]
    start = now - timedelta(days=420)
    done = _awarded(start, owner=owner, officer=officer, team=team, challenge={
        "title": "伺服电机用高性能磁性材料", "duration_months": 12, "field": "new_materials",
        "problem": "进口钕铁硼磁体成本高、高温退磁明显，需开发耐高温高矫顽力磁性材料并完成装机验证。",
        "budget_fen": 200_000_00, "enterprise_cofunding_fen": 100_000_00,
        "indicators": [{"name": "矫顽力", "target_value": "≥20", "unit": "kOe", "binding": True},
                       {"name": "发明专利申请", "target_value": "≥2", "unit": "件", "binding": False}]},
        bid={"title": "耐高温高矫顽力磁体制备及装机验证",
             **_plan(180_000_00, [{"title": "材料配方与小批量制备", "month": 3, "deliverable": "样品及检测报告"},
                                  {"title": "装机验证", "month": 9, "deliverable": "装机测试报告"}])})
    for milestone, day, text in ((done.milestones[0], 110, "完成配方优化，小批量样品矫顽力 21.5kOe。"),
                                 (done.milestones[1], 290, "完成 20 台伺服电机装机测试，150℃ 下无明显退磁。")):
        _report(done, milestone, on=start + timedelta(days=day), team=team, officer=officer, text=text)
    values = {i.id: ("21.5" if i.binding else "3") for i in done.indicators}
    with clock.frozen(start + timedelta(days=380)):
        reports.request_acceptance(done, actor=team, text="项目完成任务书全部考核指标，申请结题验收。", values=values,
                                   upload=_pdf("结题报告.pdf"))
    with clock.frozen(start + timedelta(days=385)):
        acceptance.form_panel(done, _experts(), actor=officer, observer=owner)
        acceptance.start_acceptance(done, actor=officer)
    with clock.frozen(start + timedelta(days=390)):
        for expert, score in zip(_experts(), (88, 85, 90)):
            acceptance.save_judgement(done, actor=expert, score=score, submit=True,
                                      opinion="指标全部达到，技术资料齐全，同意通过验收。",
                                      indicators={i.id: (True, values[i.id]) for i in done.indicators})
    with clock.frozen(start + timedelta(days=395)):
        decisions.confirm_outcome(done, actor=officer, conclusion="项目完成了任务书规定的全部考核指标，"
                                  "技术资料齐全，经费使用规范，验收专家组一致同意通过验收。")
    with clock.frozen(start + timedelta(days=396)):
        decisions.issue_project_certificate(done, actor=officer)
