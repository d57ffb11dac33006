"""Synthetic data at scale, for measuring (``flask demo generate --scale S``).

Scale 1.0 is a city-wide system: 3,000 organisations, 10,000 challenges, 200,000 bids,
about 1.9 million score rows, 100,000 integrity entries and 1,000,000 audit events. Rows go
in through Core ``executemany`` in batches (``insertmanyvalues`` on PostgreSQL), never the
ORM per row. Every code carries its check character, every state is one the workflow can
reach, and the audit events form a valid hash chain after any events already there: each
workflow object not in its initial state has the transitions that led to its state (at least
the last one; earlier steps and edits fill the events wanted), and the chain's head is
signed into the checkpoint, as ``flask tick`` does.

From scale 0.01 up, one reviewing challenge has 1,000 bids (the officer tables' case), so
there are never fewer than 1,100 organisations; below it (tests), 50 bids.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
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
             + [("review", rid, REVIEW_PATHS[state], label_of[reviewer]) for rid, state, reviewer in review_states])
    # Every object's last transition is kept; earlier ones, then edits of the content, fill the
    # rest of the events wanted, nearest to the current state first.
    # In time, a kind's steps come after those of the challenge they depend on (bids after its
    # publication, reviews after the start of its review).
    offset = {"challenge": 0, "bid": 2, "review_assignment": 4, "review": 4}
    budget = n_events - sum(1 for _, _, path, _ in paths if path)
    chosen = []  # (moment, object's position, action, from, to, actor)
    for back in range(max((len(path) for _, _, path, _ in paths), default=0)):
        for position, (kind, _, path, actor) in enumerate(paths):
            if back >= len(path) or (back > 0 and budget <= 0):
                continue
            level = len(path) - 1 - back
            chosen.append((offset[kind] + level, position, *path[level], actor))
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
