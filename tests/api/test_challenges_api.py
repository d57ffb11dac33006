"""Challenges through the API: who sees which, filters, drafting and its refusals."""
import json
from datetime import timedelta

import pytest

from grants.challenges.models import Challenge
from grants.core import clock
from grants.extensions import db
from tests.api.documented import documented_api as api  # noqa: F401  (every answer checked)
from tests.api.helpers import error_of
from tests.api.test_challenge_flow_api import challenge_body


def titles(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [row["title"] for row in response.get_json()]


@pytest.fixture
def board(make):
    """A published, a closed, a draft and a submitted challenge of two enterprises."""
    owner = make.user("enterprise")
    other = make.user("enterprise")
    officer = make.user("officer")
    published = make.challenge(owner=owner, officer=officer, title="伺服电机控制算法", budget_fen=450_000_00)
    materials = make.challenge(owner=other, officer=officer, title="可降解包装材料", field="new_materials",
                               problem="寻找可降解材料", budget_fen=900_000_00)
    draft = make.challenge(owner=owner, state="draft", title="甲的草稿")
    submitted = make.challenge(owner=other, state="submitted", title="乙的待发布榜单")
    make.bid(published)
    make.bid(published, submit=False)  # drafts are not counted
    return {"owner": owner, "other": other, "officer": officer, "published": published, "materials": materials,
            "draft": draft, "submitted": submitted}


def test_who_sees_which_challenges(api, make, board):
    everyone = ["伺服电机控制算法", "可降解包装材料"]
    assert sorted(titles(api().get("/challenges"))) == sorted(everyone)
    assert sorted(titles(api(make.token(make.user("applicant"))).get("/challenges"))) == sorted(everyone)
    assert sorted(titles(api(make.token(board["owner"])).get("/challenges"))) == sorted(everyone + ["甲的草稿"])
    assert sorted(titles(api(make.token(board["other"])).get("/challenges"))) == sorted(everyone + ["乙的待发布榜单"])
    assert len(titles(api(make.token(board["officer"])).get("/challenges"))) == 4

    assert api().get(f"/challenges/{board['draft'].id}").status_code == 404
    assert api(make.token(board["other"])).get(f"/challenges/{board['draft'].id}").status_code == 404
    assert api(make.token(board["owner"])).get(f"/challenges/{board['draft'].id}").get_json()["state"] == "draft"
    assert api(make.token(board["officer"])).get(f"/challenges/{board['submitted'].id}").status_code == 200


def test_the_list_filters_sorts_and_pages_like_the_board(api, board):
    anonymous = api()
    assert titles(anonymous.get("/challenges", query_string={"q": "可降解"})) == ["可降解包装材料"]
    assert titles(anonymous.get("/challenges", query_string={"field": "smart_manufacturing"})) == ["伺服电机控制算法"]
    assert titles(anonymous.get("/challenges", query_string={"sort": "budget"})) == ["可降解包装材料", "伺服电机控制算法"]
    assert titles(anonymous.get("/challenges", query_string={"status": "draft"})) == []
    page = anonymous.get("/challenges", query_string={"page_size": 1, "page": 2})
    assert len(page.get_json()) == 1 and json.loads(page.headers["X-Pagination"])["total"] == 2
    counts = {row["title"]: row["bid_count"] for row in anonymous.get("/challenges").get_json()}
    assert counts == {"伺服电机控制算法": 1, "可降解包装材料": 0}
    bad = anonymous.get("/challenges", query_string={"field": "space", "status": "open"})
    assert bad.status_code == 422 and set(error_of(bad)["details"]) == {"field", "status"}


def test_one_challenge_in_full(api, board):
    data = api().get(f"/challenges/{board['published'].id}").get_json()
    assert data["budget_fen"] == 450_000_00 and isinstance(data["budget_fen"], int)
    assert data["bid_count"] == 1 and data["max_winners"] == 1 and data["pass_mark"] == 60
    assert data["blind_review"] is False and data["field_label"] == "智能制造"
    assert [(i["name"], i["binding"]) for i in data["indicators"]] == [("定位精度", True), ("响应时间", False)]
    assert sum(c["weight"] for c in data["rubric"]) == 100


def test_only_an_enterprise_posts_challenges(api, make):
    for role in ("applicant", "officer"):
        response = api(make.token(make.user(role))).post("/challenges", challenge_body())
        assert response.status_code == 403
        assert error_of(response)["message"] == "只有企业账号可以以本单位名义发榜。"
    assert api().post("/challenges", challenge_body()).status_code == 401


def test_wrong_types_and_unknown_fields_are_named(api, make):
    client = api(make.token(make.user("enterprise")))
    response = client.post("/challenges", challenge_body(budget_fen="五十万", blind_review="maybe", title=7,
                                                         deadline_at="next friday"))
    assert response.status_code == 422
    assert error_of(response)["details"] == {"budget_fen": "须为整数", "blind_review": "须为 true 或 false",
                                             "title": "须为字符串", "deadline_at": "须为日期时间（ISO 8601）"}
    response = client.post("/challenges", challenge_body(state="published"))
    assert response.status_code == 422 and error_of(response)["details"] == {"state": "不是可识别的字段"}
    nested = client.post("/challenges", challenge_body(indicators=[{"name": "精度"}]))
    assert nested.status_code == 422 and "target_value" in error_of(nested)["details"]["indicators"]
    assert db.session.query(Challenge).count() == 0


def test_the_services_rules_name_their_fields(api, make):
    client = api(make.token(make.user("enterprise")))
    past = clock.now() - timedelta(minutes=1)
    response = client.post("/challenges", challenge_body(deadline_at=past))
    assert response.status_code == 422
    assert error_of(response)["details"] == {"deadline_at": "揭榜截止时间必须晚于当前时间。"}
    response = client.post("/challenges", challenge_body(rubric=[{"name": "技术", "weight": 50}]))
    assert error_of(response)["details"] == {"rubric": "评分细则权重合计为 50，而不是 100。"}
    in_english = api(client.token, lang="en").post("/challenges", challenge_body(deadline_at=past))
    assert error_of(in_english)["details"] == {"deadline_at": "The bidding deadline must be in the future."}


def test_a_time_without_offset_is_beijing_time(api, make):
    client = api(make.token(make.user("enterprise")))
    response = client.post("/challenges", challenge_body(deadline_at="2026-05-01T18:00:00"))
    assert response.status_code == 201
    assert response.get_json()["deadline_at"] == "2026-05-01T10:00:00+00:00"


def test_patch_changes_a_draft_with_optimistic_concurrency(api, make):
    owner = make.user("enterprise")
    client = api(make.token(owner))
    draft = client.post("/challenges", challenge_body()).get_json()
    response = client.patch(f"/challenges/{draft['id']}", {"version": draft["version"], "budget_fen": 600_000_00,
                                                            "max_winners": 2})
    assert response.status_code == 200, response.get_json()
    changed = response.get_json()
    assert (changed["budget_fen"], changed["max_winners"], changed["version"]) == (600_000_00, 2, draft["version"] + 1)
    assert changed["title"] == draft["title"]  # what is not sent stays

    stale = client.patch(f"/challenges/{draft['id']}", {"version": draft["version"], "title": "改名"})
    assert stale.status_code == 409
    assert error_of(stale)["code"] == "conflict" and "已被他人修改" in error_of(stale)["message"]
    missing = client.patch(f"/challenges/{draft['id']}", {"title": "改名"})
    assert missing.status_code == 422 and error_of(missing)["details"] == {"version": "为必填项"}
    bad = client.patch(f"/challenges/{draft['id']}", {"version": changed["version"], "pass_mark": 101})
    assert error_of(bad)["details"] == {"pass_mark": "合格分数线必须在 0 到 100 之间。"}

    colleague = api(make.token(make.user("enterprise", org=owner.organization)))
    assert colleague.patch(f"/challenges/{draft['id']}", {"version": changed["version"], "title": "同事改名"}) \
        .status_code == 200
    stranger = api(make.token(make.user("enterprise")))
    assert stranger.patch(f"/challenges/{draft['id']}", {"version": 3, "title": "x"}).status_code == 404


def test_only_a_draft_is_edited(api, make):
    owner = make.user("enterprise")
    submitted = make.challenge(owner=owner, state="submitted")
    response = api(make.token(owner)).patch(f"/challenges/{submitted.id}", {"version": submitted.version,
                                                                            "title": "改名"})
    assert response.status_code == 409
    assert error_of(response)["message"] == "只有草稿可以修改；该榜单当前为“待发布”。"
    officer = api(make.token(make.user("officer")))
    assert officer.patch(f"/challenges/{submitted.id}", {"version": submitted.version}).status_code == 409


def test_the_owners_black_entry_stops_submission(api, make):
    owner = make.user("enterprise")
    draft = make.challenge(owner=owner, state="draft")
    make.black(owner.organization, end_on=clock.today() + timedelta(days=30))
    response = api(make.token(owner)).post(f"/challenges/{draft.id}/transitions/submit", {})
    assert response.status_code == 409
    message = error_of(response)["message"]
    assert owner.organization.name in message and "不得提交榜单" in message


@pytest.mark.postgres
def test_two_colleagues_saving_the_same_version_at_once_one_wins(app, make):
    import threading

    from grants.auth.models import User
    from grants.challenges import services
    from grants.core.errors import ChangedUnderYou

    with app.app_context():
        owner = make.user("enterprise")
        colleague = make.user("enterprise", org=owner.organization)
        draft = make.challenge(owner=owner, state="draft")
        ids, draft_id, version = (owner.id, colleague.id), draft.id, draft.version
    db.session.remove()

    barrier = threading.Barrier(2)
    outcomes = []

    def save(user_id, title):
        with app.app_context():
            user = db.session.get(User, user_id)
            challenge = db.session.get(Challenge, draft_id)
            barrier.wait()
            try:
                services.update_challenge(challenge, actor=user, expected_version=version,
                                          data={"title": title, "indicators": [
                                              {"name": title, "target_value": "1", "unit": "", "binding": False}]})
                db.session.commit()
                outcomes.append(title)
            except ChangedUnderYou as exc:
                db.session.rollback()
                outcomes.append(str(exc))

    threads = [threading.Thread(target=save, args=(ids[0], "甲的标题")),
               threading.Thread(target=save, args=(ids[1], "乙的标题"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 2 and sum("已被他人修改" in o for o in outcomes) == 1
    with app.app_context():
        saved = db.session.get(Challenge, draft_id)
        winner = next(o for o in outcomes if "已被他人修改" not in o)
        assert saved.title == winner and [i.name for i in saved.indicators] == [winner]
        assert saved.version == version + 1


def test_an_officer_reading_a_challenge_after_its_deadline_sees_it_closed(api, make):
    """The page's rule through the API: the same loader closes bidding on the way, as the clock would."""
    challenge = make.challenge()
    clock.set_now(challenge.deadline_at + timedelta(seconds=1))
    assert api().get(f"/challenges/{challenge.id}").get_json()["state"] == "published"
    body = api(make.token(make.user("officer"))).get(f"/challenges/{challenge.id}").get_json()
    assert body["state"] == "closed"
    db.session.refresh(challenge)
    assert challenge.state == "closed"
