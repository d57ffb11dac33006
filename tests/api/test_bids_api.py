"""Bids through the API: how much of a bid each caller sees, drafting, files and partners."""
import io

import pytest
import sqlalchemy as sa

from grants.bids import services
from grants.bids.models import Bid
from grants.core.workflow import fire
from grants.extensions import db
from tests.api.documented import documented_api as api  # noqa: F401  (every answer checked)
from tests.api.helpers import error_of
from tests.api.test_challenge_flow_api import bid_body
from tests.factories import id_number, pdf_bytes


def challenge_json(api, challenge) -> dict:
    return api().get(f"/challenges/{challenge.id}").get_json()


@pytest.fixture
def world(make):
    """Two challenges with bids in several states, a partner organisation and people in every role."""
    owner = make.user("enterprise")
    open_challenge = make.challenge(owner=owner)
    closing = make.challenge(owner=owner, title="冷链保鲜")
    team = make.user("applicant")
    partner_org = make.org(kind="institute")
    partner = make.user("applicant", org=partner_org)
    partner_enterprise = make.user("enterprise", org=make.org())
    bids = {
        "draft": make.bid(open_challenge, user=team, submit=False, partners=[partner_org.credit_code]),
        "open_submitted": make.bid(open_challenge),
        "closed_submitted": make.bid(closing, user=team),
        "closed_draft": make.bid(closing, submit=False),
        "closed_other": make.bid(closing, partners=[partner_enterprise.organization.credit_code], submit=False),
    }
    withdrawn = make.bid(closing)
    fire(withdrawn, "withdraw", make.user("applicant", org=withdrawn.organization))
    db.session.commit()
    bids["withdrawn"] = withdrawn
    make.challenge(owner=owner, state="closed")  # moves the clock past every deadline above
    fire(closing, "close_bidding", None)
    db.session.commit()
    users = {"owner": owner, "team": team, "partner": partner, "partner_enterprise": partner_enterprise,
             "officer": make.user("officer"), "stranger": make.user("applicant"),
             "other_enterprise": make.user("enterprise"), "reviewer": make.user("reviewer")}
    return users, bids


def test_the_list_is_exactly_what_each_caller_may_open(api, make, world):
    users, bids = world
    expected = {
        "owner": {"closed_submitted": "owner", "open_submitted": None},
        "team": {"draft": "full", "closed_submitted": "full"},
        "partner": {"draft": "partner"},
        "partner_enterprise": {"closed_other": "partner"},
        "officer": {name: "full" for name in bids},
        "stranger": {}, "other_enterprise": {}, "reviewer": {},
    }
    for who, user in users.items():
        client = api(make.token(user))
        listed = {row["id"]: row["view"] for row in client.get("/bids", query_string={"page_size": 100}).get_json()}
        opened = {}
        for name, bid in bids.items():
            response = client.get(f"/bids/{bid.id}")
            assert response.status_code in (200, 404), (who, name)
            if response.status_code == 200:
                opened[bid.id] = response.get_json()["view"]
            assert services.view_of(user, bid) == opened.get(bid.id), (who, name)
        assert listed == opened, who
        wanted = {bids[name].id: view for name, view in expected[who].items() if view}
        assert opened == wanted, who


def test_a_partner_sees_its_own_row_and_confirms(api, make, world):
    users, bids = world
    bid = bids["draft"]
    client = api(make.token(users["partner"]))
    data = client.get(f"/bids/{bid.id}").get_json()
    assert set(data) == {"id", "view", "challenge", "organization", "title", "state", "state_label", "lead", "partners"}
    [row] = data["partners"]
    assert row["confirmed"] is False
    assert data["lead"]["id_number"] != users["team"].person.id_number  # masked
    confirmed = client.post(f"/bids/{bid.id}/partners/{row['id']}/confirm")
    assert confirmed.status_code == 200 and confirmed.get_json()["confirmed"] is True
    assert confirmed.get_json()["confirmed_at"] == "2026-04-01T02:00:01+00:00"
    assert client.post(f"/bids/{bid.id}/partners/{row['id'] + 1000}/confirm").status_code == 404
    stranger = api(make.token(users["stranger"]))
    assert stranger.post(f"/bids/{bid.id}/partners/{row['id']}/confirm").status_code == 404
    # The team sees who confirmed; the partner may not edit or submit the bid.
    team = api(make.token(users["team"])).get(f"/bids/{bid.id}").get_json()
    assert [p["confirmed"] for p in team["partners"]] == [True]
    assert client.patch(f"/bids/{bid.id}", {"version": 1, "title": "x"}).status_code == 404
    assert client.post(f"/bids/{bid.id}/transitions/submit").status_code == 404


def test_officers_see_integrity_flags_and_full_id_numbers(api, make):
    challenge = make.challenge()
    team = make.user("applicant")
    member_id = id_number()
    bid = make.bid(challenge, user=team, members=[{"name": "钱七", "id_number": member_id, "role": "算法"}])
    entry = make.black(bid.members[0].person)
    officer = api(make.token(make.user("officer"))).get(f"/bids/{bid.id}").get_json()
    assert officer["integrity_flag"]["entry_id"] == entry.id
    assert officer["members"][0]["person"]["id_number"] == member_id
    mine = api(make.token(team)).get(f"/bids/{bid.id}").get_json()
    assert "integrity_flag" not in mine and mine["members"][0]["person"]["id_number"] != member_id
    assert mine["lead"]["id_number"] == team.person.id_number  # one's own number


def test_drafting_a_bid(api, make):
    challenge = make.challenge()
    partner_org = make.org(kind="university")
    team = api(make.token(make.user("applicant")))
    created = team.post("/bids", {"challenge_id": challenge.id})
    assert created.status_code == 201, created.get_json()
    bid = created.get_json()
    assert bid["title"] == challenge.title and bid["state"] == "draft" and bid["requested_fen"] is None
    body = bid_body(challenge_json(api, challenge), members=[{"name": "孙八", "id_number": id_number(), "role": "测试"}],
                    partners=[partner_org.credit_code.lower()], lead={"name": "赵六", "id_number": id_number()})
    del body["challenge_id"]
    changed = team.patch(f"/bids/{bid['id']}", {**body, "version": bid["version"]})
    assert changed.status_code == 200, changed.get_json()
    data = changed.get_json()
    assert data["lead"]["name"] == "赵六" and [m["person"]["name"] for m in data["members"]] == ["孙八"]
    assert [p["organization"]["credit_code"] for p in data["partners"]] == [partner_org.credit_code]
    assert [m["month"] for m in data["milestones"]] == [12]
    assert {i["name"] for i in data["indicators"]} == {"定位精度", "响应时间"}
    assert data["equipment_fen"] + data["materials_fen"] + data["personnel_fen"] + data["other_fen"] == \
        data["requested_fen"]
    # Unconfirmed partner: submitting is refused in words.
    refused = team.post(f"/bids/{bid['id']}/transitions/submit", {"version": data["version"]})
    assert refused.status_code == 409 and "尚未确认参与" in error_of(refused)["message"]


def test_bad_bid_input_names_the_fields(api, make):
    challenge = make.challenge(budget_fen=300_000_00)
    user = make.user("applicant")
    team = api(make.token(user))
    over = team.post("/bids", bid_body(challenge_json(api, challenge)))
    assert over.status_code == 422
    assert error_of(over)["details"] == {"requested_fen": "申请经费（¥400,000）高于榜单的支持金额（¥300,000）。"}
    types = team.post("/bids", {"challenge_id": "one", "members": "张三", "milestones": [{"month": "六"}],
                                "colour": "red"})
    assert types.status_code == 422
    assert set(error_of(types)["details"]) == {"challenge_id", "members", "milestones", "colour"}
    assert db.session.scalar(sa.select(sa.func.count(Bid.id))) == 0

    bid = team.post("/bids", {"challenge_id": challenge.id}).get_json()
    bad_lead = team.patch(f"/bids/{bid['id']}", {"version": bid["version"],
                                                 "lead": {"name": "赵六", "id_number": "610102198001010000"}})
    assert bad_lead.status_code == 422 and set(error_of(bad_lead)["details"]) == {"lead"}
    bad_member = team.patch(f"/bids/{bid['id']}", {"version": bid["version"],
                                                   "members": [{"name": "孙八", "id_number": "123"}]})
    assert bad_member.status_code == 422 and error_of(bad_member)["details"]["members"].startswith("第 1 位团队成员")
    unknown_partner = team.patch(f"/bids/{bid['id']}", {"version": bid["version"], "partners": ["91610100MA0000001X"]})
    assert set(error_of(unknown_partner)["details"]) == {"partners"}
    stale = team.patch(f"/bids/{bid['id']}", {"version": bid["version"] + 5, "title": "新标题"})
    assert stale.status_code == 409 and error_of(stale)["code"] == "conflict"


def test_who_may_start_a_bid(api, make):
    challenge = make.challenge()
    draft = make.challenge(state="draft")
    officer = api(make.token(make.user("officer")))
    response = officer.post("/bids", {"challenge_id": challenge.id})
    assert response.status_code == 403 and error_of(response)["message"] == "只有科研团队账号可以揭榜申报。"
    team = api(make.token(make.user("applicant")))
    hidden = team.post("/bids", {"challenge_id": draft.id})
    assert hidden.status_code == 422 and set(error_of(hidden)["details"]) == {"challenge_id"}
    first = team.post("/bids", {"challenge_id": challenge.id})
    assert first.status_code == 201
    again = team.post("/bids", {"challenge_id": challenge.id})
    assert again.status_code == 409 and "每个单位只能申报一次" in error_of(again)["message"]


def test_officers_do_not_edit_bids(api, make):
    bid = make.bid(make.challenge(), submit=False)
    response = api(make.token(make.user("officer"))).patch(f"/bids/{bid.id}", {"version": bid.version, "title": "x"})
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"


def test_attachments_are_pdfs_on_drafts(api, make):
    user = make.user("applicant")
    bid = make.bid(make.challenge(), user=user, submit=False)
    team = api(make.token(user))

    def upload(content: bytes, name="plan.pdf"):
        return team.post(f"/bids/{bid.id}/attachments", data={"file": (io.BytesIO(content), name)},
                         content_type="multipart/form-data")

    not_pdf = upload(b"MZ\x90\x00", "plan.pdf")
    assert not_pdf.status_code == 422
    assert error_of(not_pdf)["details"] == {"file": "plan.pdf 不是 PDF 文件（只接受 PDF 文档）。"}
    too_big = upload(b"%PDF-" + b"x" * (20 * 1024 * 1024))
    assert too_big.status_code == 422 and "超过 20 MB" in error_of(too_big)["details"]["file"]
    far_too_big = upload(b"%PDF-" + b"x" * (21 * 1024 * 1024))
    assert far_too_big.status_code == 413
    missing = team.post(f"/bids/{bid.id}/attachments", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422 and error_of(missing)["details"] == {"file": "为必填项"}
    ok = upload(pdf_bytes("ok"))
    assert ok.status_code == 201 and ok.get_json()["download_url"].startswith(f"/bids/{bid.id}/attachments/")
    fire(bid, "submit", user)
    db.session.commit()
    late = upload(pdf_bytes("late"))
    assert late.status_code == 409 and error_of(late)["message"] == "只有申报团队可以在草稿阶段添加附件。"


def _queries(client, path) -> int:
    conn = db.session.connection()
    counter = []
    listen = lambda *a, **k: counter.append(1)  # noqa: E731
    sa.event.listen(conn, "before_cursor_execute", listen)
    try:
        response = client.get(path, query_string={"page_size": 100})
    finally:
        sa.event.remove(conn, "before_cursor_execute", listen)
    assert response.status_code == 200
    return len(counter)


def test_lists_use_a_fixed_number_of_queries(api, make):
    officer = make.user("officer")
    owner = make.user("enterprise")
    clients = {"officer": api(make.token(officer)), "team": None, "anonymous": api()}
    team = make.user("applicant")
    clients["team"] = api(make.token(team))
    partner_org = make.org()

    def grow(n):
        for _ in range(n):
            challenge = make.challenge(owner=owner, officer=officer)
            make.bid(challenge, user=team, submit=False, partners=[partner_org.credit_code])

    grow(2)
    for client in clients.values():  # warm up: later requests find some of it in the session
        client.get("/challenges")
    few = {who: (_queries(c, "/challenges"), _queries(c, "/bids") if who != "anonymous" else 0)
           for who, c in clients.items()}
    grow(8)
    many = {who: (_queries(c, "/challenges"), _queries(c, "/bids") if who != "anonymous" else 0)
            for who, c in clients.items()}
    assert many == few
