"""The review half of a challenge driven through the API alone: the panel,
declarations, scores, ranking, award, public notice, objections, confirmation
and the project. The same services and messages as the pages."""
import io
import json
from datetime import timedelta

import pytest
import schemathesis

from grants.bids import services as bid_services
from grants.bids.models import Bid, BidState
from grants.challenges.models import Challenge, ChallengeState
from grants.core import clock
from grants.core.workflow import fire
from grants.extensions import db
from grants.projects.models import Project
from grants.reviews.models import ReviewAssignment
from tests.api.helpers import error_of
from tests.factories import bid_data, id_number
from tests.reviews.helpers import accepted_panel, reviewing, team_bid


@pytest.fixture
def documented(app, client, monkeypatch):
    """Every API answer of the test is checked against the OpenAPI document."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    open_ = client.open
    checked = []

    def open_and_check(*args, **kwargs):
        response = open_(*args, **kwargs)
        path = response.request.path
        if path.startswith("/api/v1/") and not path.endswith("openapi.json"):
            schema.find_operation_by_path(response.request.method, path).validate_response(response)
            checked.append(path)
        return response

    monkeypatch.setattr(client, "open", open_and_check)
    yield checked
    assert checked


def put(client, path, body, token):
    return client.put(f"/api/v1{path}", data=json.dumps(body), content_type="application/json",
                      headers={"Authorization": f"Bearer {token}"})


def scores_body(challenge, value=80, comment="方案可行", opinion="recommend", **override):
    body = {"scores": [{"criterion_id": c.id, "score": value, "comment": comment} for c in challenge.rubric],
            "opinion": opinion}
    body.update(override)
    return body


def closed_with_eligible_bids(make, n_bids=2, **fields):
    """A closed challenge whose bids passed the eligibility check (review not started)."""
    officer = make.user("officer")
    challenge = make.challenge(officer=officer, **fields)
    bids = [team_bid(make, challenge) for _ in range(n_bids)]
    clock.set_now(challenge.deadline_at + timedelta(seconds=1))
    fire(challenge, "close_bidding", None)
    for bid in bids:
        fire(bid, "accept", officer)
    db.session.commit()
    return challenge, officer, bids


def test_the_review_of_a_challenge_through_the_api(api, make, client, documented):
    challenge, officer, bids = closed_with_eligible_bids(make)
    officer_api = api(make.token(officer))
    base = f"/reviews/challenges/{challenge.id}"

    started = officer_api.post(f"{base}/transitions/start_review")
    assert started.status_code == 200, started.get_json()
    assert started.get_json()["state"] == "reviewing"
    assert {b.state for b in db.session.query(Bid).filter_by(challenge_id=challenge.id)} == {BidState.under_review}

    # the panel: one reviewer works for a bidding organisation and is excluded
    conflicted = make.reviewer(org=bids[0].organization, name="冲突专家")
    reviewers = [make.reviewer(name=f"专家{i}") for i in range(3)]
    panel = officer_api.get(base).get_json()
    by_id = {c["reviewer_id"]: c for c in panel["candidates"]}
    assert by_id[conflicted.id]["eligible"] is False and "揭榜单位" in by_id[conflicted.id]["reason"]
    refused = officer_api.post(f"{base}/assignments", {"reviewer_id": conflicted.id})
    assert refused.status_code == 409
    assert error_of(refused)["message"] == "冲突专家 不能评审本榜单：该专家就职于本榜单的揭榜单位。"
    missing = officer_api.post(f"{base}/assignments", {"reviewer_id": 2_000_000})
    assert missing.status_code == 422 and "reviewer_id" in error_of(missing)["details"]
    assignments = []
    for reviewer in reviewers:
        response = officer_api.post(f"{base}/assignments", {"reviewer_id": reviewer.id})
        assert response.status_code == 201, response.get_json()
        assignments.append(response.get_json()["id"])

    # declarations: two accept, one recuses with a reason
    tokens = [make.token(r) for r in reviewers]
    first, second, third = (api(t) for t in tokens)
    no_declaration = first.post(f"/reviews/{assignments[0]}/accept", {"no_conflict": False})
    assert no_declaration.status_code == 409
    assert error_of(no_declaration)["message"] == "接受任务前请声明与各申报均无利益冲突。"
    assert first.get(f"/reviews/{assignments[0]}/bids").get_json() == []  # nothing to see before accepting
    assert first.post(f"/reviews/{assignments[0]}/accept", {"no_conflict": True}).get_json()["state"] == "accepted"
    assert second.post(f"/reviews/{assignments[1]}/accept", {"no_conflict": True}).status_code == 200
    recused = third.post(f"/reviews/{assignments[2]}/transitions/recuse", {"comment": "与申报团队负责人系师生关系"})
    assert recused.status_code == 200 and recused.get_json()["state"] == "recused"
    assert db.session.get(ReviewAssignment, assignments[2]).recusal_reason == "与申报团队负责人系师生关系"

    # someone else's assignment is not found; the reviewer's list holds their own only
    assert first.get(f"/reviews/{assignments[1]}").status_code == 404
    assert [a["id"] for a in first.get("/reviews").get_json()] == [assignments[0]]
    listed = officer_api.get("/reviews", query_string={"challenge_id": challenge.id}).get_json()
    assert sorted(a["id"] for a in listed) == sorted(assignments)

    # scores: a bad score names the field, a draft saves, submission locks
    rubric = challenge.rubric
    bad = scores_body(challenge)
    bad["scores"][0]["score"] = 101
    response = put(client, f"/reviews/{assignments[0]}/bids/{bids[0].id}/scores", bad, tokens[0])
    assert response.status_code == 422
    assert error_of(response)["details"] == {f"score_{rubric[0].id}": f"{rubric[0].name}：分数必须是 0 到 100 的整数。"}
    typed = scores_body(challenge)
    typed["scores"][0]["score"] = "很好"
    response = put(client, f"/reviews/{assignments[0]}/bids/{bids[0].id}/scores", typed, tokens[0])
    assert response.status_code == 422 and "scores" in error_of(response)["details"]

    unknown = scores_body(challenge)
    unknown["scores"][0]["criterion_id"] = 2_000_000
    response = put(client, f"/reviews/{assignments[0]}/bids/{bids[0].id}/scores", unknown, tokens[0])
    assert response.status_code == 422 and error_of(response)["details"] == {"scores": "未知的评分指标。"}

    partial = scores_body(challenge)
    partial["scores"] = partial["scores"][1:]
    draft = put(client, f"/reviews/{assignments[0]}/bids/{bids[0].id}/scores", partial, tokens[0])
    assert draft.status_code == 200 and draft.get_json()["state"] == "draft"
    stale = put(client, f"/reviews/{assignments[0]}/bids/{bids[0].id}/scores",
                scores_body(challenge, version=draft.get_json()["version"] - 1), tokens[0])
    assert stale.status_code == 409 and error_of(stale)["code"] == "conflict"
    incomplete = first.post(f"/reviews/{assignments[0]}/bids/{bids[0].id}/submit")
    assert incomplete.status_code == 409 and f"缺少：{rubric[0].name}" in error_of(incomplete)["message"]

    for token, client_api, assignment_id, marks in ((tokens[0], first, assignments[0], (90, 50)),
                                                    (tokens[1], second, assignments[1], (80, 40))):
        for bid, mark in zip(bids, marks):
            path = f"/reviews/{assignment_id}/bids/{bid.id}"
            assert put(client, f"{path}/scores", scores_body(challenge, mark), token).status_code == 200
            submitted = client_api.post(f"{path}/submit")
            assert submitted.status_code == 200 and submitted.get_json()["state"] == "submitted"
    locked = put(client, f"/reviews/{assignments[0]}/bids/{bids[0].id}/scores", scores_body(challenge), tokens[0])
    assert locked.status_code == 409
    assert error_of(locked)["message"] == "该评审意见已提交并锁定，只有项目主管可以退回。"
    assert first.get(f"/reviews/{assignments[0]}").get_json()["state"] == "submitted"

    # the officer reopens one review with a reason; the reviewer submits it again
    nothing = officer_api.post(f"/reviews/{assignments[1]}/bids/2000000/reopen", {"comment": "请复核评分"})
    assert nothing.status_code == 404
    reopened = officer_api.post(f"/reviews/{assignments[1]}/bids/{bids[0].id}/reopen", {"comment": "请复核评分"})
    assert reopened.status_code == 200 and reopened.get_json()["state"] == "draft"
    assert second.get(f"/reviews/{assignments[1]}").get_json()["state"] == "accepted"
    assert second.post(f"/reviews/{assignments[1]}/bids/{bids[0].id}/submit").status_code == 200

    # ranking and award
    ranking = officer_api.get(f"{base}/ranking")
    assert ranking.status_code == 200
    rows = ranking.get_json()["rows"]
    assert [(r["bid_id"], r["score"]) for r in rows] == [(bids[0].id, "85.00"), (bids[1].id, "45.00")]
    assert not ranking.get_json()["unfinished"]
    below = officer_api.post(f"{base}/award", {"winners": [bids[1].id]})
    assert below.status_code == 409 and "低于及格线 60" in error_of(below)["message"]
    proposed = officer_api.post(f"{base}/award", {"winners": [bids[0].id]})
    assert proposed.status_code == 200 and proposed.get_json()["state"] == "notice"

    # the public notice, anonymously; objections from a signed-in user
    notice = api().get(f"{base}/notice")
    assert notice.status_code == 200
    data = notice.get_json()
    assert data["open_for_objections"] and [w["bid_id"] for w in data["winners"]] == [bids[0].id]
    assert data["winners"][0]["organization"] == bids[0].organization.name and data["my_objections"] == []
    assert api().post(f"{base}/objections", {"reasons": "中榜单位的业绩材料不实，请复核。"}).status_code == 401
    objector_token = make.token(bids[1].created_by)
    objector = api(objector_token)
    short = objector.post(f"{base}/objections", {"reasons": "不服"})
    assert short.status_code == 422 and error_of(short)["details"]["reasons"] == "请填写异议理由（至少 10 个字）。"
    filed = objector.post(f"{base}/objections", {"reasons": "中榜单位的业绩材料不实，请复核。"})
    assert filed.status_code == 201 and filed.get_json()["state"] == "open"
    objection_id = filed.get_json()["id"]
    assert [o["id"] for o in objector.get(f"{base}/notice").get_json()["my_objections"]] == [objection_id]
    assert objector.post(f"/reviews/objections/{objection_id}/dismiss", {"answer": "经核实"}).status_code == 403

    too_early = officer_api.post(f"{base}/transitions/confirm_award")
    assert too_early.status_code == 409 and "公示期满后方可确认立项" in error_of(too_early)["message"]
    dismissed = officer_api.post(f"/reviews/objections/{objection_id}/dismiss", {"answer": "经核实，业绩材料真实有效。"})
    assert dismissed.status_code == 200 and dismissed.get_json()["state"] == "dismissed"
    answered = objector.get(f"/reviews/objections/{objection_id}").get_json()
    assert answered["answer"] == "经核实，业绩材料真实有效。"
    history = objector.get(f"/reviews/objections/{objection_id}/history").get_json()
    assert [e["action"] for e in history] == ["file", "dismiss"]

    # after the notice, the award is confirmed and the project exists
    clock.set_now(clock.now() + timedelta(days=challenge.notice_days, seconds=1))
    assert objector.post(f"{base}/objections", {"reasons": "中榜单位的业绩材料不实，请复核。"}).status_code == 409
    confirmed = officer_api.post(f"{base}/transitions/confirm_award")
    assert confirmed.status_code == 200 and confirmed.get_json()["state"] == "awarded"
    assert db.session.get(Challenge, challenge.id).state == ChallengeState.awarded
    project = db.session.query(Project).filter_by(bid_id=bids[0].id).one()

    team = api(make.token(bids[0].created_by))
    listed = team.get("/projects")
    assert listed.status_code == 200 and [p["id"] for p in listed.get_json()] == [project.id]
    detail = team.get(f"/projects/{project.id}").get_json()
    assert detail["state"] == "contracting" and detail["milestones"][0]["title"] == "样机研制"
    assert [e["action"] for e in team.get(f"/projects/{project.id}/history").get_json()] == ["create"]
    assert objector.get("/projects").get_json() == []  # another team
    assert objector.get(f"/projects/{project.id}").status_code == 404


def test_an_officer_draws_a_panel_and_gets_the_seed(api, make, documented):
    challenge, officer, _bids = reviewing(make, n_bids=1)
    for _ in range(4):
        make.reviewer()
    officer_api = api(make.token(officer))
    response = officer_api.post(f"/reviews/challenges/{challenge.id}/draw", {"size": 2, "seed": 4242})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["seed"] == 4242 and len(body["assignments"]) == 2
    assert all(a["drawn"] for a in body["assignments"])
    again = officer_api.post(f"/reviews/challenges/{challenge.id}/draw", {"size": 5})
    assert again.status_code == 409 and "无法抽取 5 名" in error_of(again)["message"]
    zero = officer_api.post(f"/reviews/challenges/{challenge.id}/draw", {"size": 0})
    assert zero.status_code == 422 and error_of(zero)["details"] == {"size": "须在 1 与 50 之间"}
    history = officer_api.get(f"/reviews/{body['assignments'][0]['id']}/history").get_json()
    assert history[0]["action"] == "assign"


@pytest.mark.parametrize("role", ["applicant", "enterprise", "reviewer"])
def test_officer_endpoints_are_refused_to_other_roles(api, make, role):
    challenge, _officer, _bids = reviewing(make, n_bids=1)
    client = api(make.token(make.user(role)))
    for response in (client.get(f"/reviews/challenges/{challenge.id}/ranking"),
                     client.post(f"/reviews/challenges/{challenge.id}/award", {"winners": [1]})):
        assert response.status_code == 403


def test_a_reviewer_withdrawn_by_the_officer(api, make):
    challenge, officer, _bids = reviewing(make, n_bids=1)
    [assignment] = accepted_panel(make, challenge, officer, n=1)
    officer_api = api(make.token(officer))
    no_reason = officer_api.post(f"/reviews/{assignment.id}/transitions/withdraw")
    assert no_reason.status_code == 409 and error_of(no_reason)["code"] == "refused"
    done = officer_api.post(f"/reviews/{assignment.id}/transitions/withdraw", {"comment": "出差无法参评"})
    assert done.status_code == 200 and done.get_json()["state"] == "recused"
    assert api(make.token(assignment.reviewer)).get(f"/reviews/{assignment.id}").get_json()["state"] == "recused"


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": "张卫国"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("blind", [True, False])
def test_a_blind_review_names_no_one_in_the_api(api, make, blind, documented):
    officer = make.user("officer")
    challenge = make.challenge(officer=officer, blind_review=blind)
    org = make.org("西北理工大学", kind="university")
    partner = make.org("秦岭精密机械有限公司", kind="enterprise")
    user = make.user("applicant", org=org)
    bid = bid_services.create_bid(challenge, actor=user, data=bid_data(
        challenge, lead={"name": "张卫国", "id_number": id_number()},
        members=[{"name": "李建华", "id_number": id_number(), "role": "骨干"}], partners=[partner.credit_code]))
    bid_services.add_attachment(bid, actor=user, stream=io.BytesIO(_pdf()), filename="西北理工大学-张卫国-技术方案.pdf")
    db.session.commit()
    bid_services.confirm_partner(bid, actor=make.user("applicant", org=partner))
    fire(bid, "submit", user)
    db.session.commit()
    from tests.reviews.helpers import to_review

    to_review(make, challenge, officer, [bid])
    [assignment] = accepted_panel(make, challenge, officer, n=1)
    reviewer = api(make.token(assignment.reviewer))
    texts = [reviewer.get(path).get_data(as_text=True) for path in (
        "/reviews", f"/reviews/{assignment.id}", f"/reviews/{assignment.id}/bids",
        f"/reviews/{assignment.id}/bids/{bid.id}")]
    identifying = ["西北理工大学", "张卫国", "李建华", "秦岭精密机械", org.credit_code, partner.credit_code]
    escaped = [json.dumps(t)[1:-1] for t in identifying]  # as they would appear in JSON with \\u escapes
    for text in texts:
        found = [t for t in identifying + escaped if t in text]
        assert (not found) if blind else True, found
    shown = reviewer.get(f"/reviews/{assignment.id}/bids/{bid.id}").get_json()
    assert shown["technical_approach"] == bid.technical_approach
    if blind:
        assert shown["attachments"] == [{"position": 1, "name": "附件1.pdf"}]
        assert "organization" not in shown and "lead" not in shown
    else:
        assert shown["organization"] == "西北理工大学" and shown["lead"] == "张卫国"
        assert shown["members"] == ["李建华"] and shown["partners"] == ["秦岭精密机械有限公司"]


def test_an_upheld_objection_reopens_the_review(api, make, documented):
    from tests.reviews.helpers import score_all

    challenge, officer, bids = reviewing(make, n_bids=1)
    [assignment] = accepted_panel(make, challenge, officer, n=1)
    score_all(assignment, bids[0], 85)
    officer_api = api(make.token(officer))
    base = f"/reviews/challenges/{challenge.id}"
    assert officer_api.post(f"{base}/award", {"winners": [bids[0].id]}).status_code == 200
    objector = api(make.token(make.user("applicant")))
    objection = objector.post(f"{base}/objections", {"reasons": "评审专家与中榜团队存在合作关系。"}).get_json()
    assert objector.get(f"/reviews/objections/{objection['id']}").status_code == 200
    assert api(make.token(make.user("applicant"))).get(f"/reviews/objections/{objection['id']}").status_code == 404
    assert [o["id"] for o in officer_api.get(f"{base}/objections").get_json()] == [objection["id"]]

    no_answer = officer_api.post(f"/reviews/objections/{objection['id']}/uphold", {"answer": ""})
    assert no_answer.status_code == 409 and error_of(no_answer)["code"] == "refused"
    upheld = officer_api.post(f"/reviews/objections/{objection['id']}/uphold", {"answer": "异议成立，重新评审。"})
    assert upheld.status_code == 200 and upheld.get_json()["state"] == "upheld"
    assert db.session.get(Challenge, challenge.id).state == ChallengeState.reviewing
    assert db.session.get(Bid, bids[0].id).state == BidState.under_review
    # the notice is gone from public view while the review runs again
    assert api().get(f"{base}/notice").status_code == 404


def test_an_award_objection_has_its_transitions_and_upholding_there_reopens_the_review(api, make, documented):
    from tests.reviews.helpers import score_all

    challenge, officer, bids = reviewing(make, n_bids=1)
    [assignment] = accepted_panel(make, challenge, officer, n=1)
    score_all(assignment, bids[0], 85)
    officer_api = api(make.token(officer))
    base = f"/reviews/challenges/{challenge.id}"
    assert officer_api.post(f"{base}/award", {"winners": [bids[0].id]}).status_code == 200
    objector = api(make.token(make.user("applicant")))
    objection = objector.post(f"{base}/objections", {"reasons": "评审专家与中榜团队存在合作关系。"}).get_json()
    path = f"/reviews/objections/{objection['id']}/transitions"

    assert [t["name"] for t in officer_api.get(path).get_json()] == ["uphold", "dismiss"]
    assert objector.get(path).get_json() == []
    refused = objector.post(f"{path}/uphold", {"comment": "我支持自己"})
    assert refused.status_code == 403 and error_of(refused)["code"] == "forbidden"
    stranger = api(make.token(make.user("applicant")))
    assert stranger.post(f"{path}/uphold", {"comment": "支持"}).status_code == 404
    no_answer = officer_api.post(f"{path}/uphold")
    assert no_answer.status_code == 409 and "须填写理由" in error_of(no_answer)["message"]

    upheld = officer_api.post(f"{path}/uphold", {"comment": "异议成立，重新评审。", "version": objection["version"]})
    assert upheld.status_code == 200, upheld.get_json()
    assert upheld.get_json()["state"] == "upheld"
    assert db.session.get(Challenge, challenge.id).state == ChallengeState.reviewing
    assert db.session.get(Bid, bids[0].id).state == BidState.under_review
    reopened = officer_api.get(f"/challenges/{challenge.id}/history").get_json()[-1]
    assert reopened["action"] == "reopen_review"
    assert reopened["comment"] == f"异议 {objection['id']} 成立：异议成立，重新评审。"
