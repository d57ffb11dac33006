"""Demo challenges and bids: one open challenge with two bids, one draft challenge."""
from __future__ import annotations

from datetime import timedelta

from grants.bids import services as bids
from grants.challenges import services as challenges
from grants.core import clock
from grants.core.workflow import fire


def seed_challenges_and_bids(orgs, users) -> None:
    owner, officer = users["enterprise@demo.cn"], users["officer@demo.cn"]
    open_challenge = challenges.create_challenge(actor=owner, data={
        "title": "高精度伺服电机自适应控制算法", "field": "smart_manufacturing",
        "problem": "现有数控机床伺服系统在高速切削时定位精度不足、抖动明显，需研发自适应控制算法并完成样机验证。",
        "budget_fen": 500_000_00, "enterprise_cofunding_fen": 300_000_00, "max_winners": 2, "pass_mark": 70,
        "deadline_at": clock.now() + timedelta(days=30), "duration_months": 24, "blind_review": True,
        "notice_days": 5,
        "indicators": [
            {"name": "定位精度", "target_value": "≤0.5", "unit": "μm", "binding": True},
            {"name": "速度环响应时间", "target_value": "≤2", "unit": "ms", "binding": True},
            {"name": "发明专利申请", "target_value": "≥2", "unit": "件", "binding": False},
        ],
    })
    fire(open_challenge, "submit", owner)
    fire(open_challenge, "publish", officer)
    challenges.create_challenge(actor=owner, data={
        "title": "工业视觉缺陷检测系统", "field": "electronic_information",
        "problem": "生产线表面缺陷人工检测效率低，拟征集基于深度学习的在线检测方案。",
    })

    def plan(challenge, requested, own):
        return {
            "technical_approach": "模型预测控制与扰动观测器结合，在线辨识负载惯量，并在企业产线开展示范应用。",
            "requested_fen": requested, "equipment_fen": requested // 2, "materials_fen": requested // 4,
            "personnel_fen": requested // 5, "other_fen": requested - requested // 2 - requested // 4 - requested // 5,
            "own_cofunding_fen": own,
            "indicators": {ci.id: ci.target_value for ci in challenge.indicators},
            "milestones": [{"title": "算法仿真验证", "month": 6, "deliverable": "仿真报告"},
                           {"title": "样机联调", "month": 18, "deliverable": "样机及测试报告"}],
            "declaration": True,
        }

    university_bid = bids.create_bid(open_challenge, actor=users["applicant@demo.cn"],
                                     data={"title": "伺服系统自适应鲁棒控制揭榜方案",
                                           **plan(open_challenge, 450_000_00, 500_000_00)})
    fire(university_bid, "submit", users["applicant@demo.cn"])
    bids.create_bid(open_challenge, actor=users["applicant2@demo.cn"],
                    data={"title": "基于新型磁性材料的伺服电机改进方案（草稿）"})
