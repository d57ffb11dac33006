"""One challenge from the enterprise's draft to the winner's project, through the API alone.

Only the accounts and their tokens are made outside the API.
"""
from datetime import datetime, timedelta

from grants.core import clock
from tests.api.test_challenge_flow_api import bid_body, challenge_body


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_a_whole_challenge_through_the_api(api, make, client):
    put = lambda who, path, body: client.put(  # noqa: E731
        f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer {who.token}"})
    owner = api(make.token(make.user("enterprise", org=make.org("秦川装备集团"))))
    officer = api(make.token(make.user("officer")))
    teams = [api(make.token(make.user("applicant", org=make.org(f"第{n}研究院", kind="institute"))))
             for n in range(3)]
    reviewers = [make.reviewer() for _ in range(3)]
    experts = [api(make.token(r)) for r in reviewers]

    # Post, submit, publish.
    challenge = ok(owner.post("/challenges", challenge_body(title="高精度伺服电机控制算法")), 201)
    ok(owner.post(f"/challenges/{challenge['id']}/transitions/submit"))
    ok(officer.post(f"/challenges/{challenge['id']}/transitions/publish"))
    assert [c["title"] for c in ok(api().get("/challenges"))] == ["高精度伺服电机控制算法"]

    # Three teams bid; one withdraws again.
    bids = []
    for team in teams:
        bid = ok(team.post("/bids", bid_body(challenge)), 201)
        ok(team.post(f"/bids/{bid['id']}/transitions/submit"))
        bids.append(bid)
    ok(teams[2].post(f"/bids/{bids[2]['id']}/transitions/withdraw"))
    assert ok(api().get(f"/challenges/{challenge['id']}"))["bid_count"] == 2

    # Bidding closes; the eligibility check; the review starts.
    clock.set_now(datetime.fromisoformat(challenge["deadline_at"]).replace(tzinfo=None) + timedelta(seconds=1))
    ok(officer.post(f"/challenges/{challenge['id']}/transitions/close_bidding"))
    for bid in bids[:2]:
        ok(officer.post(f"/bids/{bid['id']}/transitions/accept"))
    base = f"/reviews/challenges/{challenge['id']}"
    ok(officer.post(f"{base}/transitions/start_review"))

    # A panel of three accepts and scores both bids.
    rubric = ok(officer.get(f"/challenges/{challenge['id']}"))["rubric"]
    for reviewer, expert in zip(reviewers, experts):
        assignment = ok(officer.post(f"{base}/assignments", {"reviewer_id": reviewer.id}), 201)
        ok(expert.post(f"/reviews/{assignment['id']}/accept", {"no_conflict": True}))
        for bid, mark in zip(bids[:2], (88, 70)):
            body = {"scores": [{"criterion_id": c["id"], "score": mark, "comment": "意见"} for c in rubric],
                    "opinion": "recommend"}
            path = f"/reviews/{assignment['id']}/bids/{bid['id']}"
            assert put(expert, f"{path}/scores", body).status_code == 200
            ok(expert.post(f"{path}/submit"))

    # Ranking, award proposal, public notice, confirmation after the notice.
    ranking = ok(officer.get(f"{base}/ranking"))
    assert [(row["bid_id"], row["score"]) for row in ranking["rows"]] == \
        [(bids[0]["id"], "88.00"), (bids[1]["id"], "70.00")]
    assert ranking["unfinished"] == []
    ok(officer.post(f"{base}/award", {"winners": [bids[0]["id"]]}))
    notice = ok(api().get(f"{base}/notice"))
    assert "第0研究院" in str(notice)
    refused = officer.post(f"{base}/transitions/confirm_award")
    assert refused.status_code == 409
    clock.advance(timedelta(days=8))
    ok(officer.post(f"{base}/transitions/confirm_award"))

    # The winner's project, visible to its team and not to the others.
    projects = ok(teams[0].get("/projects"))
    assert len(projects) == 1 and projects[0]["state"] == "contracting"
    assert ok(teams[1].get("/projects")) == []
    assert teams[1].get(f"/projects/{projects[0]['id']}").status_code == 404
    assert ok(officer.get(f"/challenges/{challenge['id']}"))["state"] == "awarded"
