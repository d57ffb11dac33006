"""One challenge from draft to the eligibility check, through the API alone."""
import io
import json
from datetime import timedelta

from grants.bids.models import Bid, BidState
from grants.challenges.models import Challenge, ChallengeState
from grants.core import audit, clock
from grants.extensions import db
from tests.api.documented import documented_api as api  # noqa: F401  (every answer checked)
from tests.api.helpers import error_of
from tests.factories import challenge_data, id_number, pdf_bytes


def challenge_body(**overrides) -> dict:
    body = challenge_data(**overrides)
    if not isinstance(body["deadline_at"], str):
        body["deadline_at"] = body["deadline_at"].isoformat() + "+00:00"
    return body


def bid_body(challenge_json: dict, **overrides) -> dict:
    body = {"challenge_id": challenge_json["id"], "title": "伺服控制揭榜方案",
            "technical_approach": "自适应鲁棒控制与模型预测控制相结合。",
            "requested_fen": 400_000_00, "equipment_fen": 200_000_00, "materials_fen": 100_000_00,
            "personnel_fen": 80_000_00, "other_fen": 20_000_00, "own_cofunding_fen": 800_000_00,
            "indicators": [{"challenge_indicator_id": i["id"], "promised_value": i["target_value"]}
                           for i in challenge_json["indicators"]],
            "milestones": [{"month": 12, "title": "样机研制", "deliverable": "样机一台"}],
            "declaration": True}
    body.update(overrides)
    return body


def fire(client, kind, obj, name, **body):
    return client.post(f"/{kind}/{obj['id']}/transitions/{name}", body)


def titles(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [row["title"] for row in response.get_json()]


def test_a_challenge_from_draft_to_the_eligibility_check(api, make):
    owner_user = make.user("enterprise", org=make.org("秦川装备集团"))
    owner = api(make.token(owner_user))
    officer = api(make.token(make.user("officer")))
    anonymous = api()

    # The enterprise posts a draft and submits it.
    response = owner.post("/challenges", challenge_body(title="高精度伺服电机控制算法"))
    assert response.status_code == 201, response.get_json()
    challenge = response.get_json()
    assert challenge["state"] == "draft" and challenge["budget_fen"] == 500_000_00
    assert [c["weight"] for c in challenge["rubric"]] == [35, 25, 20, 10, 10]
    assert challenge["bid_count"] == 0 and challenge["owner_organization"]["name"] == "秦川装备集团"
    assert titles(anonymous.get("/challenges")) == []
    assert titles(owner.get("/challenges")) == ["高精度伺服电机控制算法"]
    assert anonymous.get(f"/challenges/{challenge['id']}").status_code == 404
    submitted = fire(owner, "challenges", challenge, "submit", version=challenge["version"])
    assert submitted.status_code == 200 and submitted.get_json()["state"] == "submitted"

    # The officer publishes it; now the public sees it.
    assert [t["name"] for t in officer.get(f"/challenges/{challenge['id']}/transitions").get_json()] == \
        ["return_for_revision", "publish"]
    published = fire(officer, "challenges", challenge, "publish")
    assert published.status_code == 200, published.get_json()
    assert titles(anonymous.get("/challenges")) == ["高精度伺服电机控制算法"]
    public = anonymous.get(f"/challenges/{challenge['id']}").get_json()
    assert public["state"] == "published" and public["state_label"] == "揭榜中"
    assert public["deadline_at"] == "2026-04-01T02:00:00+00:00"

    # Team A (a university) bids and submits.
    team_a = api(make.token(make.user("applicant", org=make.org("西北理工大学", kind="university"))))
    response = team_a.post("/bids", bid_body(challenge, own_cofunding_fen=400_000_00))
    assert response.status_code == 201, response.get_json()
    bid_a = response.get_json()
    assert bid_a["view"] == "full" and bid_a["state"] == "draft"
    assert fire(team_a, "bids", bid_a, "submit", version=bid_a["version"]).status_code == 200

    # Team B's member is black-listed: refused in words, then the team withdraws.
    team_b = api(make.token(make.user("applicant", org=make.org("长安新材料研究院", kind="institute"))))
    member = {"name": "周九", "id_number": id_number(), "role": "工程师"}
    bid_b = team_b.post("/bids", bid_body(challenge, members=[member], own_cofunding_fen=400_000_00)).get_json()
    make.black(db.session.get(Bid, bid_b["id"]).members[0].person, end_on=clock.today() + timedelta(days=400))
    refused = fire(team_b, "bids", bid_b, "submit")
    assert refused.status_code == 409
    error = error_of(refused)
    assert error["code"] == "refused"
    assert "个人 周九 在科研诚信黑名单中" in error["message"] and "不得提交揭榜申报" in error["message"]
    assert error["details"]["evidence"]
    in_english = error_of(api(team_b.token, lang="en").post(f"/bids/{bid_b['id']}/transitions/submit"))
    assert "周九" in in_english["message"] and "black list" in in_english["message"]
    assert fire(team_b, "bids", bid_b, "withdraw").get_json()["state"] == "withdrawn"

    # Team C (an enterprise, 2:1 co-funding) attaches its plan and submits.
    team_c = api(make.token(make.user("applicant", org=make.org("渭水生物医药", kind="enterprise"))))
    bid_c = team_c.post("/bids", bid_body(challenge, title="渭水方案")).get_json()
    upload = team_c.post(f"/bids/{bid_c['id']}/attachments", data={"file": (io.BytesIO(pdf_bytes("plan")), "方案.pdf")},
                         content_type="multipart/form-data")
    assert upload.status_code == 201, upload.get_json()
    assert upload.get_json()["original_filename"] == "方案.pdf" and upload.get_json()["size"] == len(pdf_bytes("plan"))
    assert fire(team_c, "bids", bid_c, "submit").status_code == 200

    # Nobody sees another team's bid; the owner sees none while bidding is open; the public sees the count.
    assert team_a.get(f"/bids/{bid_c['id']}").status_code == 404
    assert titles(team_a.get("/bids")) == ["伺服控制揭榜方案"]
    assert titles(owner.get("/bids")) == []
    assert owner.get(f"/bids/{bid_a['id']}").status_code == 404
    assert anonymous.get(f"/challenges/{challenge['id']}").get_json()["bid_count"] == 2
    assert anonymous.get("/bids").status_code == 401

    # Too early to close; after the deadline the officer closes bidding.
    early = fire(officer, "challenges", challenge, "close_bidding")
    assert early.status_code == 409 and "截止" in error_of(early)["message"]
    clock.set_now(db.session.get(Challenge, challenge["id"]).deadline_at + timedelta(seconds=1))
    closed = fire(officer, "challenges", challenge, "close_bidding")
    assert closed.status_code == 200 and closed.get_json()["state"] == "closed"

    # Now the owner sees titles and organisations, and nothing else.
    listed = owner.get("/bids", query_string={"challenge_id": challenge["id"]}).get_json()
    assert sorted((row["title"], row["organization"]["name"]) for row in listed) == \
        [("伺服控制揭榜方案", "西北理工大学"), ("渭水方案", "渭水生物医药")]
    assert all(set(row) == {"id", "view", "challenge", "organization", "title"} for row in listed)
    one = owner.get(f"/bids/{bid_a['id']}").get_json()
    assert one["view"] == "owner" and "technical_approach" not in one and "state" not in one
    assert owner.get(f"/bids/{bid_b['id']}").status_code == 404  # withdrawn bids are not listed

    # The eligibility check: a rejection needs its reason.
    no_reason = fire(officer, "bids", bid_a, "reject")
    assert no_reason.status_code == 409 and error_of(no_reason)["message"] == "“形式审查不通过”须填写理由。"
    rejected = fire(officer, "bids", bid_a, "reject", comment="未提供单位承诺书")
    assert rejected.status_code == 200 and rejected.get_json()["state"] == "ineligible"
    assert fire(officer, "bids", bid_c, "accept").get_json()["state"] == "eligible"
    assert team_a.get(f"/bids/{bid_a['id']}").get_json()["rejection_reason"] == "未提供单位承诺书"
    assert [r["state"] for r in officer.get("/bids", query_string={"state": "eligible"}).get_json()] == ["eligible"]

    # Every step is in the history, for the bureau and the owner only.
    history = officer.get(f"/challenges/{challenge['id']}/history").get_json()
    assert [e["action"] for e in history] == ["create", "submit", "publish", "close_bidding"]
    assert anonymous.get(f"/challenges/{challenge['id']}/history").status_code == 404
    assert [e["action"] for e in team_a.get(f"/bids/{bid_a['id']}/history").get_json()] == \
        ["create", "submit", "reject"]
    state = {b.id: b.state for b in db.session.query(Bid)}
    assert state == {bid_a["id"]: BidState.ineligible, bid_b["id"]: BidState.withdrawn,
                     bid_c["id"]: BidState.eligible}
    assert db.session.get(Challenge, challenge["id"]).state == ChallengeState.closed
    assert json.loads(officer.get("/bids").headers["X-Pagination"])["total"] == 3
    assert audit.history(db.session.get(Bid, bid_c["id"]))[-1].action == "accept"
