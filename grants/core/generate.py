"""Synthetic data at scale, for measuring (``flask demo generate --scale S``).

Scale 1.0 is a city-wide system: 3,000 organisations, 10,000 challenges, 200,000 bids,
about 1.9 million score rows, 100,000 integrity entries and 1,000,000 audit events. Rows go
in through Core ``executemany`` in batches (``insertmanyvalues`` on PostgreSQL), never the
ORM per row. Every code carries its check character, every state is one the workflow can
reach, and the audit events form a valid hash chain after any events already there: each
workflow object not in its initial state has the transitions that led to its state (at least
the last one; earlier steps and edits fill the events wanted), and the chain's head is
signed into the checkpoint, as ``flask tick`` does.

Every awarded bid of an awarded challenge has its project (some 9,000 at scale 1.0), with
a task agreement whose tranches add up to the award: most in progress under an agreement the
three parties confirmed, the rest in contracting, suspended, terminated or asking for
acceptance. Milestones are due around today; their reports were approved, returned (twice
in a row for some projects), are waiting for a decision or were never sent (overdue), so the
monitoring page's red flags show. A tranche is released at signing or after its milestone's
approval, within the challenge's budget and after the co-funding its release needs.

From scale 0.01 up, one reviewing challenge has 1,000 bids (the officer tables' case), so
there are never fewer than 1,100 organisations; below it (tests), 50 bids.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import click
import sqlalchemy as sa

from grants.auth.models import OrgKind
from grants.core import audit, clock
from grants.core.permissions import Role
from grants.core.codes import CREDIT_ALPHABET, complete_credit_code, complete_id_number
from grants.extensions import db

BATCH = 5000
PASSWORD = "bench-password"
OFFICER_EMAIL = "officer@bench.example"
BIG_CHALLENGE_BIDS = 1000

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰峰辉鹏宇浩然子涵欣怡佳琪思远博文晨阳"
CITY = ["秦川", "渭水", "长安", "终南", "灞桥", "曲江", "汉中", "宝鸡", "咸阳", "高新", "临潼", "雁塔"]
TRADE = ["智能装备", "生物医药", "新材料", "电子信息", "农业科技", "环保科技", "精密机械", "光电", "储能", "数据"]
ORG_SUFFIX = {OrgKind.enterprise: "有限公司", OrgKind.university: "大学", OrgKind.institute: "研究院",
              OrgKind.other: "中心"}
TOPICS = ["高精度伺服电机控制算法", "锂电池热失控预警", "小麦抗旱品种选育", "工业视觉缺陷检测", "碳化硅功率器件封装",
          "污水深度脱氮工艺", "手术机器人力反馈", "高端轴承寿命预测", "光伏组件清洁机器人", "动物疫苗冷链监测",
          "复合材料无损检测", "5G 工业网关国产化", "中药材有效成分提取", "土壤重金属原位修复"]
FIELDS = ["smart_manufacturing", "electronic_information", "biomedicine", "modern_agriculture", "new_materials",
          "ecology_environment", "other"]
RUBRIC = [("技术路线", 35), ("团队能力", 25), ("指标可行性", 20), ("预算", 10), ("企业合作与转化", 10)]

# Challenge states with their share of the total (about 89% public, as measured in the issue).
CHALLENGE_MIX = [("draft", 0.05), ("submitted", 0.03), ("withdrawn", 0.03), ("published", 0.30),
                 ("closed", 0.08), ("reviewing", 0.14), ("notice", 0.04), ("awarded", 0.28), ("failed", 0.05)]
# Bid states a challenge's bids can be in, by the challenge's state.
BID_STATES = {
    "published": ["submitted"] * 6 + ["draft", "withdrawn"],
    "closed": ["submitted"],
    "reviewing": ["under_review"] * 5 + ["ineligible"],
    "notice": ["recommended"] + ["not_recommended"] * 4 + ["ineligible"],
    "awarded": ["awarded"] + ["not_recommended"] * 5 + ["ineligible"],
    "failed": ["not_recommended"] * 3 + ["ineligible"],
}
REVIEWED = {"under_review", "recommended", "not_recommended", "awarded"}
PANEL = 3

# The transitions (action, from, to) that lead from the initial state to each generated state.
_CHALLENGE_STEPS = [("submit", "draft", "submitted"), ("publish", "submitted", "published"),
                    ("close_bidding", "published", "closed"), ("start_review", "closed", "reviewing"),
                    ("propose_award", "reviewing", "notice"), ("confirm_award", "notice", "awarded")]
CHALLENGE_PATHS = {
    "draft": [], "submitted": _CHALLENGE_STEPS[:1], "published": _CHALLENGE_STEPS[:2],
    "withdrawn": _CHALLENGE_STEPS[:2] + [("withdraw", "published", "withdrawn")],
    "closed": _CHALLENGE_STEPS[:3], "reviewing": _CHALLENGE_STEPS[:4], "notice": _CHALLENGE_STEPS[:5],
    "awarded": _CHALLENGE_STEPS[:6], "failed": _CHALLENGE_STEPS[:4] + [("declare_failed", "reviewing", "failed")],
}
_BID_STEPS = [("submit", "draft", "submitted"), ("accept", "submitted", "eligible"),
              ("start_review", "eligible", "under_review")]
BID_PATHS = {
    "draft": [], "submitted": _BID_STEPS[:1], "withdrawn": [("withdraw", "draft", "withdrawn")],
    "ineligible": _BID_STEPS[:1] + [("reject", "submitted", "ineligible")], "under_review": _BID_STEPS,
    "recommended": _BID_STEPS + [("recommend", "under_review", "recommended")],
    "not_recommended": _BID_STEPS + [("not_recommend", "under_review", "not_recommended")],
    "awarded": _BID_STEPS + [("recommend", "under_review", "recommended"), ("award", "recommended", "awarded")],
}
ASSIGNMENT_PATHS = {"accepted": [("accept", "assigned", "accepted")],
                    "submitted": [("accept", "assigned", "accepted"), ("complete", "accepted", "submitted")]}
REVIEW_PATHS = {"draft": [], "submitted": [("submit", "draft", "submitted")]}


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) if rng.random() < 0.4 else rng.choice(GIVEN) + rng.choice(GIVEN)
    return rng.choice(SURNAMES) + given


def id_number(rng: random.Random, serial: int) -> str:
    born = date(1955, 1, 1) + timedelta(days=rng.randrange(0, 365 * 45))
    area = rng.choice(["610102", "610103", "610104", "610113", "330106", "110108"])
    return complete_id_number(f"{area}{born:%Y%m%d}{serial % 1000:03d}")


def credit_code(rng: random.Random, kind: str, serial: int) -> str:
    registration = {OrgKind.enterprise: "91", OrgKind.university: "12", OrgKind.institute: "12",
                    OrgKind.other: "52"}[kind]
    area = rng.choice(["610100", "610102", "610113", "610400", "330100"])
    body = "".join(rng.choice(CREDIT_ALPHABET) for _ in range(3))
    digits = f"{serial:06d}"
    return complete_credit_code(f"{registration}{area}{body}{digits}")


class Loader:
    """Batched Core inserts with explicit ids, so rows can refer to each other."""

    def __init__(self, conn):
        self.conn = conn
        self.counts: dict[str, int] = {}

    def next_id(self, table: str) -> int:
        t = db.metadata.tables[table]
        return (self.conn.scalar(sa.select(sa.func.max(t.c.id))) or 0) + 1

    def insert(self, table: str, rows: list[dict]) -> None:
        if not rows:
            return
        t = db.metadata.tables[table]
        keys = set().union(*(row.keys() for row in rows[:50]))
        rows = [row if len(row) == len(keys) else {key: row.get(key) for key in keys} for row in rows]
        for i in range(0, len(rows), BATCH):
            self.conn.execute(t.insert(), rows[i:i + BATCH])
        self.counts[table] = self.counts.get(table, 0) + len(rows)

    def fix_sequences(self) -> None:
        if self.conn.dialect.name != "postgresql":
            return
        for table in self.counts:
            if "id" in db.metadata.tables[table].c:
                self.conn.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"))


# Projects: one per awarded bid of an awarded challenge, with the task agreement as the three
# parties signed it (or, in contracting, as drafted), its milestones, indicators, tranches and reports.
PROJECT_MIX = [("active", 0.72), ("contracting", 0.10), ("suspended", 0.06), ("acceptance_requested", 0.06),
               ("terminated", 0.06)]
MILESTONE_TITLES = ["技术方案设计与关键技术攻关", "核心部件研制", "样机试制与性能测试", "中试验证与工艺优化",
                    "示范应用与成果总结"]
PROJECT_INDICATORS = [("样机数量", "台", 0, 3), ("发明专利申请", "件", 0, 5), ("关键技术指标达标率", "%", 60, 98),
                      ("示范应用单位", "家", 0, 2), ("新增产值", "万元", 0, 2000), ("技术标准（草案）", "项", 0, 1)]
EXPERTS = ["张建国、李红、王志远", "陈明、刘思远、赵佳琪", "周伟、吴静、孙浩然"]
_SIGN = ("sign", "contracting", "active")


def _day_at(rng: random.Random, day: date, hour: int | None = None) -> datetime:
    """A moment in office hours (Beijing) of ``day``, as naive UTC."""
    return clock.start_of_day(day) + timedelta(hours=hour if hour is not None else rng.randrange(10, 17),
                                               minutes=rng.randrange(60))


def _milestone_plan(rng: random.Random, *, finishing: bool, trouble: str | None) -> tuple[list[str], int, bool]:
    """(the officer's decisions on successive reports, days late of the first report, and whether the
    team reports again after the last decision when it is a return). ``trouble``: ``returned_twice``
    (two returns in a row) or ``silent`` (no report at all: overdue)."""
    if trouble == "returned_twice":
        return ["returned", "returned"], rng.randrange(-8, 3), rng.random() < 0.5
    if trouble == "silent":
        return ["approved"], 10_000, False
    r = rng.random()
    if finishing:
        decisions = ["approved"] if r < 0.85 else ["returned", "approved"]
    elif r < 0.75:
        decisions = ["approved"]
    elif r < 0.88:
        decisions = ["returned", "approved"]
    elif r < 0.93:
        decisions = ["returned", "returned", "approved"]
    else:
        decisions = ["returned"]
    late = rng.randrange(-12, 4) if finishing or rng.random() < 0.8 else rng.randrange(15, 120)
    return decisions, late, False


def generate_projects(load: Loader, rng: random.Random, *, challenges: list[dict], bids: list[dict],
                      kind_of_org: dict[int, str], officer_id: int, now: datetime) -> list[tuple]:
    """The projects of the awarded challenges, bulk-inserted; returns the audit paths
    (kind, id, transitions, actor) of the projects, milestones and tranches not in their initial state."""
    from grants.projects.agreement import add_months, _tranche_plan

    today = clock.to_local(now).date()
    last_day = today - timedelta(days=1)  # every generated step happened before today
    awarded = {c["id"]: c for c in challenges if c["state"] == "awarded"}
    ids = {table: load.next_id(table) for table in (
        "projects", "task_agreements", "milestones", "project_indicators", "tranches", "project_reports",
        "report_values", "agreement_versions", "project_contributions")}
    rows: dict[str, list[dict]] = {table: [] for table in ids}

    def add(table: str, row: dict) -> int:
        row["id"] = ids[table] + len(rows[table])
        rows[table].append(row)
        return row["id"]

    paths = []
    officer = (officer_id, f"测试主任 <{OFFICER_EMAIL}>")
    states = [s for s, share in PROJECT_MIX for _ in range(round(share * 100))]
    paid_of_challenge: dict[int, int] = {}
    n_troubled = 0
    for bid in bids:
        challenge = awarded.get(bid["challenge_id"])
        if challenge is None or bid["state"] != "awarded":
            continue
        award = bid["requested_fen"]
        award_day = min(challenge["deadline_at"].date() + timedelta(days=rng.randrange(25, 70)), last_day)
        sign_day = award_day + timedelta(days=rng.randrange(10, 45))
        wanted = rng.choice(states)
        duration = challenge["duration_months"]
        plan = _tranche_plan(award, rng.randint(3, 5))
        budget = challenge["budget_fen"]
        paid = paid_of_challenge.get(challenge["id"], 0)
        signed = (sign_day <= last_day and wanted != "contracting"
                  and paid + plan[0]["amount_fen"] <= budget)  # the signing tranche within the challenge's budget
        finished = signed and add_months(sign_day, duration) <= today - timedelta(days=60)
        if wanted == "acceptance_requested" and not finished:
            wanted = "active"  # not finished yet
        elif wanted == "active" and finished and rng.random() < 0.4:
            wanted = "acceptance_requested"  # most teams that finished ask for acceptance
        if not signed:
            wanted = wanted if wanted in ("suspended", "terminated") and award_day < last_day else "contracting"
        state = wanted
        start_on = sign_day if signed else max(award_day, today - timedelta(days=rng.randrange(0, 30)))
        end_on = add_months(start_on, duration)
        n_milestones = len(plan) - 1
        dues = [add_months(start_on, max(1, round(duration * (k + 1) / n_milestones))) for k in range(n_milestones)]
        # the day the project stopped moving: suspended, terminated, or (signed or not) yesterday
        stop_day = last_day
        first = sign_day if signed else award_day
        if state in ("suspended", "terminated") and last_day > first:
            stop_day = first + timedelta(days=rng.randrange(1, (last_day - first).days + 1))
        elif state in ("suspended", "terminated"):
            state = "active" if signed else "contracting"
        pid = add("projects", {
            "state": state, "challenge_id": challenge["id"], "bid_id": bid["id"],
            "lead_org_id": bid["organization_id"], "lead_person_id": bid["lead_id"], "title": bid["title"],
            "award_fen": award,
            "suspended_from": ("active" if signed else "contracting") if state == "suspended" else None,
            "red_at_signing": False, "waived_milestone_id": None,
            "created_at": _day_at(rng, award_day, 9), "updated_at": now, "version": 1})

        chosen = sorted(rng.sample(PROJECT_INDICATORS, rng.randint(2, 4)), key=PROJECT_INDICATORS.index)
        indicators = []
        for position, (name, unit, baseline, target) in enumerate(chosen):
            indicators.append((add("project_indicators", {
                "project_id": pid, "position": position, "challenge_indicator_id": None, "name": name, "unit": unit,
                "baseline": str(baseline), "target": str(target), "binding": position == 0}), baseline, target))

        # milestones and their reports, in time: a milestone not approved holds back the next ones
        milestones = []  # (id, title, due, state, approved day or None)
        cursor = sign_day
        blocked = not signed
        finishing = state == "acceptance_requested"
        # Of the projects with a milestone due over 45 days before they stopped, one in eight has
        # its report returned twice in a row and another in eight sends none (overdue), so both red
        # flags show at any scale; others get there by chance.
        trouble_at, trouble = None, None
        if signed and not finishing:
            trouble_at = next((k for k, due in enumerate(dues) if due < stop_day - timedelta(days=45)), None)
            if trouble_at is not None:
                trouble = {0: "returned_twice", 4: "silent"}.get(n_troubled % 8)
                n_troubled += 1
        midway = (n_milestones - 1) // 2
        for k, due in enumerate(dues):
            mid = ids["milestones"] + len(rows["milestones"])
            steps, reports, mstate, approved_on = [], [], "pending", None
            if not blocked:
                decisions, late, again = _milestone_plan(rng, finishing=finishing,
                                                         trouble=trouble if k == trouble_at else None)
                submit_day = max(cursor + timedelta(days=1), due + timedelta(days=late))
                for decision in decisions:
                    if submit_day > stop_day:
                        break
                    steps.append(("submit", mstate, "submitted"))
                    mstate = "submitted"
                    report = {"submitted_at": _day_at(rng, submit_day), "decision": None, "decided_at": None}
                    reports.append(report)
                    # the officer takes days, weeks for some reports: a few wait for a decision
                    decide_day = submit_day + timedelta(days=rng.randrange(3, 15) if rng.random() < 0.8
                                                        else rng.randrange(15, 45))
                    if decide_day > stop_day:
                        break
                    report.update(decision=decision, decided_at=_day_at(rng, decide_day))
                    mstate = decision
                    action = "approve" if decision == "approved" else "return_for_revision"
                    steps.append((action, "submitted", decision))
                    cursor = decide_day
                    if decision == "approved":
                        approved_on = decide_day
                        break
                    submit_day = decide_day + timedelta(days=rng.randrange(5, 25))
                if again and mstate == "returned" and submit_day <= stop_day:
                    steps.append(("submit", "returned", "submitted"))
                    mstate = "submitted"
                    reports.append({"submitted_at": _day_at(rng, submit_day), "decision": None, "decided_at": None})
                blocked = mstate != "approved"
            add("milestones", {
                "project_id": pid, "position": k, "state": mstate, "title": MILESTONE_TITLES[k], "due_on": due,
                "deliverables": f"{MILESTONE_TITLES[k]}：阶段技术报告、测试报告及相关成果材料。",
                "due_soon_reminded_for": None, "due_3_days_reminded_for": None, "overdue_reminded_for": None,
                "version": 1})
            if steps:
                paths.append(("milestone", mid, steps, officer))
            milestones.append((mid, MILESTONE_TITLES[k], due, mstate, approved_on))
            for report in reports:
                share = min(1.0, (k + 1) / n_milestones * rng.uniform(0.8, 1.1))
                checked = k == midway and n_milestones >= 2 and report["decision"] is not None and (
                    report["decision"] == "approved" or rng.random() < 0.5)
                rid = add("project_reports", {
                    "project_id": pid, "milestone_id": mid, "kind": "progress",
                    "text": f"{MILESTONE_TITLES[k]}阶段进展：已按任务书完成主要研究内容，附测试数据与阶段成果。",
                    "submitted_at": report["submitted_at"], "submitted_by_id": None, "decision": report["decision"],
                    "decision_comment": "阶段成果材料不完整，请补充测试数据后重新提交。"
                    if report["decision"] == "returned" else None,
                    "decided_at": report["decided_at"], "decided_by_id": officer_id if report["decision"] else None,
                    "expert_names": rng.choice(EXPERTS) if checked else None,
                    "expert_opinion": ("阶段目标基本达成，同意通过。" if report["decision"] == "approved"
                                       else "关键指标未达到中期要求。") if checked else None,
                    "expert_conclusion": ("satisfactory" if report["decision"] == "approved" else "not_satisfactory")
                    if checked else None,
                    "expert_checked_at": report["decided_at"] - timedelta(days=1) if checked else None,
                    "expert_checked_by_id": officer_id if checked else None})
                for indicator_id, baseline, target in indicators:
                    add("report_values", {"report_id": rid, "indicator_id": indicator_id,
                                          "value": str(round(baseline + (target - baseline) * share))})

        request_day = None
        if finishing:
            if all(m[3] == "approved" for m in milestones) and cursor + timedelta(days=5) <= last_day:
                request_day = min(cursor + timedelta(days=rng.randrange(5, 40)), last_day)
            else:
                state = "active"  # it did not finish in time after all
                rows["projects"][-1]["state"] = state
        stop_day = request_day or stop_day

        # tranches: at signing (released once signed), then one per milestone, released after its approval
        own, public = (2, 1) if kind_of_org[bid["organization_id"]] == OrgKind.enterprise else (1, 1)
        released = contributed = 0
        for position, tranche in enumerate(plan):
            milestone = milestones[tranche["milestone"] - 1] if tranche["milestone"] else None
            release_day = None
            if milestone is None and signed:
                release_day = min(sign_day + timedelta(days=rng.randrange(1, 10)), stop_day)
            elif milestone is not None and milestone[4] is not None:
                day = milestone[4] + timedelta(days=rng.randrange(1, 15))
                release_day = day if day <= stop_day else None
            if release_day is not None and paid + tranche["amount_fen"] > budget:
                release_day = None  # the challenge's budget is spent: the release waits
            if release_day is not None and released:  # co-funding in step, paid before the release
                needed = -(-(released + tranche["amount_fen"]) * own // public)
                if contributed < needed:
                    amount = -(-(needed - contributed) // 1_000_000) * 1_000_000
                    paid_on = max(sign_day, release_day - timedelta(days=rng.randrange(1, 10)))
                    add("project_contributions", {
                        "project_id": pid, "source": rng.choice(["enterprise", "own"]), "amount_fen": amount,
                        "paid_on": paid_on, "note": "配套资金到账。", "recorded_at": _day_at(rng, paid_on, 9),
                        "recorded_by_id": officer_id, "proof_filename": None, "proof_stored_name": None,
                        "proof_size": None, "proof_sha256": None})
                    contributed += amount
            tid = add("tranches", {
                "project_id": pid, "position": position, "state": "released" if release_day else "planned",
                "amount_fen": tranche["amount_fen"], "milestone_id": milestone[0] if milestone else None,
                "released_on": release_day, "released_at": _day_at(rng, release_day, 16) if release_day else None,
                "released_by_id": officer_id if release_day else None, "version": 1})
            if release_day is not None:
                released += tranche["amount_fen"]
                paid += tranche["amount_fen"]
                paths.append(("tranche", tid, [("release", "planned", "released")], officer))
        paid_of_challenge[challenge["id"]] = paid

        if request_day is not None:
            rid = add("project_reports", {
                "project_id": pid, "milestone_id": None, "kind": "final",
                "text": "项目总结报告：任务书规定的研究内容已全部完成，各项考核指标均已达到。",
                "submitted_at": _day_at(rng, request_day), "submitted_by_id": None, "decision": None,
                "decision_comment": None, "decided_at": None, "decided_by_id": None, "expert_names": None,
                "expert_opinion": None, "expert_conclusion": None, "expert_checked_at": None,
                "expert_checked_by_id": None})
            for indicator_id, _, target in indicators:
                add("report_values", {"report_id": rid, "indicator_id": indicator_id, "value": str(target)})

        # the agreement: confirmed by the three parties at signing (version 1), or waiting for some of them
        signed_at = _day_at(rng, sign_day, 9) if signed else None
        if signed:
            confirmed = {"officer": signed_at - timedelta(days=2), "enterprise": signed_at - timedelta(days=1),
                         "lead": signed_at}
        else:
            parties = rng.choice([(), ("officer",), ("officer",), ("officer", "enterprise"), ("officer", "lead")])
            confirmed = {party: _day_at(rng, award_day, 11 + i) for i, party in enumerate(parties)}
        add("task_agreements", {
            "project_id": pid, "start_on": start_on, "end_on": end_on,
            **{key: bid[key] for key in ("equipment_fen", "materials_fen", "personnel_fen", "other_fen")},
            "officer_confirmed_at": confirmed.get("officer"),
            "officer_confirmed_by_id": officer_id if "officer" in confirmed else None,
            "enterprise_confirmed_at": confirmed.get("enterprise"), "enterprise_confirmed_by_id": None,
            "lead_confirmed_at": confirmed.get("lead"), "lead_confirmed_by_id": None,
            "confirmed_versions": 1 if signed else 0, "created_at": _day_at(rng, award_day, 9),
            "updated_at": signed_at or max(confirmed.values(), default=_day_at(rng, award_day, 9)), "version": 1})
        if signed:
            add("agreement_versions", {"project_id": pid, "number": 1, "confirmed_at": signed_at, "snapshot": {
                "start_on": start_on.isoformat(), "end_on": end_on.isoformat(),
                **{key: bid[key] for key in ("equipment_fen", "materials_fen", "personnel_fen", "other_fen")},
                "milestones": [{"title": title, "due_on": due.isoformat(),
                                "deliverables": f"{title}：阶段技术报告、测试报告及相关成果材料。"}
                               for _, title, due, _, _ in milestones],
                "indicators": [{"name": name, "unit": unit, "baseline": str(baseline), "target": str(target),
                                "binding": position == 0}
                               for position, (name, unit, baseline, target) in enumerate(chosen)],
                "tranches": plan}})

        steps = {"contracting": [], "active": [_SIGN],
                 "acceptance_requested": [_SIGN, ("request_acceptance", "active", "acceptance_requested")],
                 "suspended": [_SIGN, ("suspend", "active", "suspended")] if signed
                 else [("suspend", "contracting", "suspended")],
                 "terminated": [_SIGN, ("terminate", "active", "terminated")] if signed
                 else [("terminate", "contracting", "terminated")]}[state]
        if steps:
            paths.append(("project", pid, steps, officer))

    for table in ids:  # in the order their foreign keys need
        load.insert(table, rows[table])
    return paths


def generate(scale: float, seed: int = 15, echo=click.echo) -> dict[str, int]:
    """Fill the database; commits once at the end. Returns the rows added per table."""
    from werkzeug.security import generate_password_hash

    rng = random.Random(seed)
    now = clock.now()
    conn = db.session.connection()
    load = Loader(conn)

    big = BIG_CHALLENGE_BIDS if scale >= 0.01 else 50
    n_orgs = max(int(3000 * scale), big + 100)
    n_challenges = max(int(10_000 * scale), 20)
    n_bids = max(int(200_000 * scale), big + 200)
    n_entries = max(int(100_000 * scale), 50)
    n_events = max(int(1_000_000 * scale), 100)

    # organisations and people ---------------------------------------------------
    first_org = load.next_id("organizations")
    kinds = [OrgKind.enterprise] * 5 + [OrgKind.university, OrgKind.institute, OrgKind.other]
    orgs = []
    for i in range(n_orgs):
        kind = OrgKind.other if i == 0 else rng.choice(kinds)
        name = ("市科学技术局" if i == 0 else
                f"{rng.choice(CITY)}{rng.choice(TRADE)}{ORG_SUFFIX[kind]}{i}")
        orgs.append({"id": first_org + i, "name": name, "kind": kind,
                     "credit_code": credit_code(rng, kind, first_org + i), "active": True,
                     "created_at": now, "updated_at": now})
    load.insert("organizations", orgs)
    bureau_id = orgs[0]["id"]
    enterprises = [o["id"] for o in orgs if o["kind"] == OrgKind.enterprise]
    bidders = [o["id"] for o in orgs[1:]]

    first_person = load.next_id("persons")
    persons = []
    for i in range(n_orgs * 3):
        pid = first_person + i
        persons.append({"id": pid, "name": person_name(rng), "id_number": id_number(rng, pid),
                        "organization_id": orgs[1 + i % (n_orgs - 1)]["id"], "created_at": now, "updated_at": now})
    # ID numbers repeat by chance on a birth date and area; keep the first of each.
    seen: set[str] = set(conn.scalars(sa.text("SELECT id_number FROM persons")))
    persons = [p for p in persons if not (p["id_number"] in seen or seen.add(p["id_number"]))]
    load.insert("persons", persons)
    lead_of_org: dict[int, int] = {}
    for p in persons:
        lead_of_org.setdefault(p["organization_id"], p["id"])

    # accounts: one officer, a panel of reviewers, one member per enterprise that posts
    password_hash = generate_password_hash(PASSWORD)
    first_user = load.next_id("users")
    users = [{"id": first_user, "email": OFFICER_EMAIL, "display_name": "测试主任", "password_hash": password_hash,
              "role": Role.officer, "active": True, "organization_id": bureau_id, "created_at": now, "updated_at": now}]
    n_reviewers = max(int(300 * scale), PANEL * 3)
    reviewers = []
    for i in range(n_reviewers):
        uid = first_user + 1 + i
        reviewers.append(uid)
        users.append({"id": uid, "email": f"reviewer{i}@bench.example", "display_name": person_name(rng),
                      "password_hash": password_hash, "role": Role.reviewer, "active": True,
                      "created_at": now, "updated_at": now})
    uid = first_user + 1 + n_reviewers
    users.append({"id": uid, "email": "enterprise@bench.example", "display_name": "测试经理",
                  "password_hash": password_hash, "role": Role.enterprise, "active": True,
                  "organization_id": enterprises[0], "created_at": now, "updated_at": now})
    load.insert("users", users)
    officer_id = first_user

    # challenges, their rubrics and bids -------------------------------------------
    first_challenge = load.next_id("challenges")
    first_criterion = load.next_id("rubric_criteria")
    states = [s for s, share in CHALLENGE_MIX for _ in range(round(share * 1000))]
    challenges, criteria = [], []
    for i in range(n_challenges):
        cid = first_challenge + i
        state = "reviewing" if i == 0 else rng.choice(states)
        if state in ("published",):
            deadline = now + timedelta(hours=rng.randrange(2, 24 * 60))
        elif state in ("draft", "submitted"):
            deadline = now + timedelta(days=rng.randrange(20, 90))
        else:
            deadline = now - timedelta(days=rng.randrange(1, 700))
        public = state not in ("draft", "submitted", "withdrawn")
        topic = rng.choice(TOPICS)
        challenges.append({
            "id": cid, "state": state, "owner_org_id": rng.choice(enterprises), "created_by_id": None,
            "title": f"{topic}（第{i + 1}号）", "field": rng.choice(FIELDS),
            "problem": f"{topic}：企业面临的关键技术问题。" * rng.randrange(5, 40),
            "budget_fen": rng.randrange(50, 2000) * 1_000_000, "enterprise_cofunding_fen": rng.randrange(0, 500) * 1_000_000,
            "max_winners": rng.choice([1, 1, 1, 2, 3]), "pass_mark": 60, "deadline_at": deadline,
            "duration_months": rng.choice([12, 24, 36]), "blind_review": rng.random() < 0.3, "notice_days": 5,
            "published_at": deadline - timedelta(days=30) if public or state == "withdrawn" else None,
            "closed_at": deadline if state not in ("draft", "submitted", "withdrawn", "published") else None,
            "created_at": now - timedelta(days=40), "updated_at": now, "version": 1,
        })
        for position, (name, weight) in enumerate(RUBRIC):
            criteria.append({"id": first_criterion + len(criteria), "challenge_id": cid, "position": position,
                             "name": name, "weight": weight})
    load.insert("challenges", challenges)
    load.insert("rubric_criteria", criteria)
    criteria_of = {c["id"]: [first_criterion + i * 5 + k for k in range(5)] for i, c in enumerate(challenges)}

    with_bids = [c for c in challenges if c["state"] in BID_STATES]
    quota = {c["id"]: 0 for c in with_bids}
    quota[challenges[0]["id"]] = big
    for _ in range(n_bids - big):
        quota[rng.choice(with_bids)["id"]] += 1
    first_bid = load.next_id("bids")
    bids = []
    state_of = {c["id"]: c for c in challenges}
    for cid, count in quota.items():
        challenge = state_of[cid]
        for org in rng.sample(bidders, min(count, len(bidders))):
            state = rng.choice(BID_STATES[challenge["state"]])
            if cid == challenges[0]["id"]:
                state = "under_review" if rng.random() < 0.9 else "ineligible"
            submitted = None if state in ("draft", "withdrawn") else challenge["deadline_at"] - timedelta(hours=rng.randrange(1, 600))
            requested = challenge["budget_fen"] // rng.choice([1, 2, 4])
            bids.append({
                "id": first_bid + len(bids), "state": state, "challenge_id": cid, "organization_id": org,
                "lead_id": lead_of_org.get(org), "title": f"{challenge['title']} 揭榜方案",
                "technical_approach": "拟采用的技术路线与实施方案。" * rng.randrange(3, 20),
                "requested_fen": requested, "equipment_fen": requested // 4, "materials_fen": requested // 4,
                "personnel_fen": requested // 4, "other_fen": requested - 3 * (requested // 4),
                "own_cofunding_fen": requested, "declaration_confirmed_at": submitted, "submitted_at": submitted,
                "rejection_reason": "申报材料不全。" if state == "ineligible" else None,
                "created_at": now - timedelta(days=30), "updated_at": now, "version": 1,
            })
    load.insert("bids", bids)
    echo(f"  {len(bids)} bids")

    # panels, reviews and scores ---------------------------------------------------------
    reviewed = {}
    for b in bids:
        if b["state"] in REVIEWED:
            reviewed.setdefault(b["challenge_id"], []).append(b["id"])
    first_assignment, first_review = load.next_id("review_assignments"), load.next_id("reviews")
    first_score = load.next_id("review_scores")
    assignments, reviews, scores = [], [], []
    assignment_states, review_states = [], []  # (id, state, reviewer's user id), for the audit trail
    for cid, bid_ids in reviewed.items():
        done = state_of[cid]["state"] != "reviewing"
        for reviewer in rng.sample(reviewers, PANEL):
            aid = first_assignment + len(assignments)
            assignments.append({"id": aid, "state": "submitted" if done else "accepted", "challenge_id": cid,
                                "reviewer_id": reviewer, "assigned_by_id": officer_id, "drawn": True,
                                "declared_at": now - timedelta(days=20), "submitted_at": now if done else None,
                                # due 14 to 23 days after the assignment: some panels run late
                                "due_on": (now - timedelta(days=21 - 14 - aid % 10)).date(),
                                "created_at": now, "updated_at": now, "version": 1})
            assignment_states.append((aid, assignments[-1]["state"], reviewer))
            for bid_id in bid_ids:
                rid = first_review + len(reviews)
                submitted = done or rng.random() < 0.6
                reviews.append({"id": rid, "state": "submitted" if submitted else "draft", "assignment_id": aid,
                                "bid_id": bid_id, "opinion": rng.choice(["recommend", "not_recommend"]) if submitted else None,
                                "submitted_at": now if submitted else None, "created_at": now, "updated_at": now,
                                "version": 1})
                review_states.append((rid, reviews[-1]["state"], reviewer))
                for criterion in criteria_of[cid]:
                    scores.append({"id": first_score + len(scores), "review_id": rid, "criterion_id": criterion,
                                   "score": rng.randrange(40, 100), "comment": ""})
        if len(scores) > 200_000:
            load.insert("review_assignments", assignments)
            load.insert("reviews", reviews)
            load.insert("review_scores", scores)
            first_assignment += len(assignments)
            first_review += len(reviews)
            first_score += len(scores)
            assignments, reviews, scores = [], [], []
    load.insert("review_assignments", assignments)
    load.insert("reviews", reviews)
    load.insert("review_scores", scores)
    echo(f"  {load.counts.get('review_scores', 0)} score rows")

    # integrity lists: people often share common names (张伟), organisations by code ---------
    first_entry = load.next_id("integrity_entries")
    entries = []
    for i in range(n_entries):
        if rng.random() < 0.7:
            subject_type = "person"
            name = "张伟" if rng.random() < 0.02 else person_name(rng)
            code = id_number(rng, i)
        else:
            subject_type = "organization"
            kind = rng.choice(kinds)
            name = f"{rng.choice(CITY)}{rng.choice(TRADE)}{ORG_SUFFIX[kind]}"
            code = credit_code(rng, kind, 500_000 + i)
        start = (now - timedelta(days=rng.randrange(0, 2000))).date()
        end = None if rng.random() < 0.2 else start + timedelta(days=rng.randrange(180, 1500))
        entries.append({"id": first_entry + i, "list": "black" if rng.random() < 0.8 else "red",
                        "subject_type": subject_type, "subject_code": code, "subject_name": name,
                        "reason": "科研不端行为：数据造假。", "basis": f"科技信用〔{start.year}〕{i}号",
                        "authority": "市科学技术局", "start_on": start, "end_on": end,
                        "created_at": now, "updated_at": now})
    load.insert("integrity_entries", entries)

    # projects of the awarded challenges (their own random sequence: the data above stays as it was)
    project_paths = generate_projects(load, random.Random(f"projects-{seed}"), challenges=challenges, bids=bids,
                                      kind_of_org={o["id"]: o["kind"] for o in orgs}, officer_id=officer_id,
                                      now=now)
    echo(f"  {load.counts.get('projects', 0)} projects")

    # the audit trail: the transitions that led each generated object to its state, chained after
    # the current head, so that every state agrees with the last event of its object
    head = conn.scalar(sa.text("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1")) or audit.GENESIS
    first_event = load.next_id("audit_events")
    officer = (officer_id, f"测试主任 <{OFFICER_EMAIL}>")
    label_of = {u["id"]: (u["id"], f"{u['display_name']} <{u['email']}>") for u in users}
    paths = ([("challenge", c["id"], CHALLENGE_PATHS[c["state"]], officer) for c in challenges]
             + [("bid", b["id"], BID_PATHS[b["state"]], officer) for b in bids]
             + [("review_assignment", aid, ASSIGNMENT_PATHS[state], label_of[reviewer])
                for aid, state, reviewer in assignment_states]
             + [("review", rid, REVIEW_PATHS[state], label_of[reviewer]) for rid, state, reviewer in review_states]
             + project_paths)
    # Every object's last transition is kept; earlier ones, then edits of the content, fill the
    # rest of the events wanted, nearest to the current state first.
    # In time, a kind's steps come after those of the challenge they depend on (bids after its
    # publication, reviews after the start of its review).
    # A project's steps come after the award; its milestones' after its signing, their tranches'
    # releases after them, and the project's last step (suspension, termination, request for
    # acceptance) after both.
    offset = {"challenge": 0, "bid": 2, "review_assignment": 4, "review": 4, "project": 7, "milestone": 8,
              "tranche": 15}
    stride = {"project": 10}
    budget = n_events - sum(1 for _, _, path, _ in paths if path)
    chosen = []  # (moment, object's position, action, from, to, actor)
    for back in range(max((len(path) for _, _, path, _ in paths), default=0)):
        for position, (kind, _, path, actor) in enumerate(paths):
            if back >= len(path) or (back > 0 and budget <= 0):
                continue
            level = len(path) - 1 - back
            chosen.append((offset[kind] + level * stride.get(kind, 1), position, *path[level], actor))
            if back > 0:
                budget -= 1
    while budget > 0:  # edits of a challenge's or a bid's content before its first step
        position = rng.randrange(len(challenges) + len(bids))
        chosen.append((-1, position, "update", None, None, paths[position][3]))
        budget -= 1
    chosen.sort(key=lambda event: event[:2])  # each object's steps in their order
    at = now - timedelta(days=700)
    step = timedelta(days=700) / max(len(chosen), 1)
    events = []
    for i, (_, position, action, from_state, to_state, (actor_id, label)) in enumerate(chosen):
        kind, object_id = paths[position][:2]
        at += step
        ev = SimpleNamespace(object_type=kind, object_id=object_id, action=action, from_state=from_state,
                             to_state=to_state, actor_id=actor_id, actor_label=label, at=at, comment=None,
                             evidence=None, prev_hash=head)
        ev.hash = head = audit.content_hash(ev)
        events.append({"id": first_event + i, **vars(ev)})
        if len(events) >= 100_000:
            load.insert("audit_events", events)
            events = []
    load.insert("audit_events", events)

    load.fix_sequences()
    db.session.commit()
    # Anchor the loaded trail, as the next `flask tick` would.
    from grants.core.checkpoint import write_checkpoint
    write_checkpoint()
    if conn.dialect.name == "postgresql" and isinstance(db.engine, sa.Engine):  # (not inside a test's transaction)
        # Fresh statistics and visibility map, as autovacuum would leave them in time: the
        # planner's estimates and index-only scans depend on them.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as maintenance:
            for table in load.counts:
                maintenance.execute(sa.text(f"VACUUM ANALYZE {table}"))
    return load.counts
