"""The review pages cost the same number of queries whatever the number of rows."""
import sqlalchemy as sa

from grants.extensions import db
from grants.reviews import services
from tests.challenges.test_pages import signed_in
from tests.reviews.helpers import accepted_panel, reviewing, score_all, team_bid, to_review


def queries(client, url: str) -> int:
    counted = []
    conn = db.session.connection()
    listener = lambda *a, **k: counted.append(1)  # noqa: E731
    sa.event.listen(conn, "before_cursor_execute", listener)
    try:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    finally:
        sa.event.remove(conn, "before_cursor_execute", listener)
    return len(counted)


def test_the_panel_costs_the_same_queries_for_two_bids_or_six(app, make):
    officer = make.user("officer")
    make.reviewer()

    def panel_with(n_bids: int) -> int:
        challenge = make.challenge(officer=officer)
        bids = [team_bid(make, challenge, members=["成员甲", "成员乙"], partner=make.org(kind="institute"))
                for _ in range(n_bids)]
        to_review(make, challenge, officer, bids)
        return queries(signed_in(app, officer), f"/reviews/challenges/{challenge.id}")

    few = panel_with(2)
    many = panel_with(6)
    assert many <= few + 2, (few, many)


def test_the_panel_costs_the_same_queries_for_two_experts_or_six_on_the_panel_and_in_the_pool(app, make):
    challenge, officer, bids = reviewing(make)
    client = signed_in(app, officer)
    accepted_panel(make, challenge, officer, n=2)
    make.reviewer(), make.reviewer()
    few = queries(client, f"/reviews/challenges/{challenge.id}")
    accepted_panel(make, challenge, officer, n=4)
    for _ in range(4):
        make.reviewer()
    many = queries(client, f"/reviews/challenges/{challenge.id}")
    assert many <= few + 2, (few, many)


def test_the_expert_pool_on_the_panel_is_paginated(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    challenge, officer, bids = reviewing(make)
    names = ["专家甲", "专家乙", "专家丙"]  # the pool is ordered by name
    for name in names:
        make.reviewer(name=name)
    client = signed_in(app, officer)
    first = client.get(f"/reviews/challenges/{challenge.id}").get_data(as_text=True)
    shown = sorted(names)
    assert shown[0] in first and shown[1] in first and shown[2] not in first
    assert f"/reviews/challenges/{challenge.id}?page=2" in first
    second = client.get(f"/reviews/challenges/{challenge.id}?page=2").get_data(as_text=True)
    assert shown[2] in second and shown[0] not in second


def test_the_draw_still_takes_the_whole_pool_not_one_page(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    challenge, officer, bids = reviewing(make)
    reviewers = [make.reviewer() for _ in range(4)]
    client = signed_in(app, officer)
    response = client.post(f"/reviews/challenges/{challenge.id}/draw", data={"size": "4", "seed": "7"})
    assert response.status_code == 302
    assert {a.reviewer_id for a in services.assignments_of(challenge)} == {r.id for r in reviewers}


def test_the_ranking_table_costs_the_same_queries_for_two_reviewers_or_six(app, make):
    challenge, officer, bids = reviewing(make)
    client = signed_in(app, officer)

    def score(panel):
        for assignment in panel:
            for bid in bids:
                score_all(assignment, bid, 80)

    score(accepted_panel(make, challenge, officer, n=2))
    few = queries(client, f"/reviews/challenges/{challenge.id}/table")
    score(accepted_panel(make, challenge, officer, n=4))
    many = queries(client, f"/reviews/challenges/{challenge.id}/table")
    assert many <= few + 2, (few, many)
    html = client.get(f"/reviews/challenges/{challenge.id}/table").get_data(as_text=True)
    assert html.count("退回该评审意见") == 6 * len(bids)  # every submitted review is still listed


def test_my_reviews_and_the_dashboard_cost_the_same_queries_for_two_assignments_or_six(app, make):
    reviewer = make.reviewer()

    def assign(n: int) -> None:
        for _ in range(n):
            challenge, officer, _bids = reviewing(make, n_bids=1)
            services.assign_reviewer(challenge, reviewer, actor=officer)
            db.session.commit()

    client = signed_in(app, reviewer)
    assign(2)
    few_mine, few_dashboard = queries(client, "/reviews/mine"), queries(client, "/dashboard")
    assign(4)
    many_mine, many_dashboard = queries(client, "/reviews/mine"), queries(client, "/dashboard")
    assert many_mine <= few_mine + 2, (few_mine, many_mine)
    assert many_dashboard <= few_dashboard + 2, (few_dashboard, many_dashboard)


def test_the_reviewer_sees_the_bids_of_an_accepted_assignment_at_the_same_cost_for_two_or_six(app, make):
    def page_with(n_bids: int) -> int:
        challenge, officer, _bids = reviewing(make, n_bids=n_bids)
        [assignment] = accepted_panel(make, challenge, officer, n=1)
        return queries(signed_in(app, assignment.reviewer), f"/reviews/assignments/{assignment.id}")

    few = page_with(2)
    many = page_with(6)
    assert many <= few + 2, (few, many)


def test_parties_of_a_challenge_name_every_bidder_partner_lead_and_member(make):
    officer = make.user("officer")
    challenge = make.challenge(officer=officer)
    partner = make.org(kind="institute")
    bid = team_bid(make, challenge, members=["成员甲"], partner=partner)
    draft = make.bid(challenge, submit=False)
    parties = services.challenge_parties(challenge)
    assert parties.owner_org_id == challenge.owner_org_id
    assert parties.bidder_org_ids == {bid.organization_id, partner.id}
    assert parties.team_person_ids == {bid.lead_id, bid.members[0].person_id}
    assert draft.organization_id not in parties.bidder_org_ids


def api_queries(client, path: str, token: str) -> tuple[int, object]:
    counted = []
    conn = db.session.connection()
    listener = lambda *a, **k: counted.append(1)  # noqa: E731
    sa.event.listen(conn, "before_cursor_execute", listener)
    try:
        response = client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, (path, response.status_code)
    finally:
        sa.event.remove(conn, "before_cursor_execute", listener)
    return len(counted), response.get_json()


def test_the_api_bid_list_and_assignment_cost_the_same_queries_for_two_bids_or_six(app, make, client):
    def costs(n_bids: int) -> tuple[int, int]:
        challenge = make.challenge(officer=make.user("officer"))
        officer = make.user("officer")
        bids = [team_bid(make, challenge, members=["成员甲", "成员乙"], partner=make.org(kind="institute"))
                for _ in range(n_bids)]
        to_review(make, challenge, officer, bids)
        [assignment] = accepted_panel(make, challenge, officer, n=1)
        score_all(assignment, bids[0], 80, submit=False)
        token = make.token(assignment.reviewer)
        listed, rows = api_queries(client, f"/reviews/{assignment.id}/bids", token)
        assert len(rows) == n_bids and all(len(r["members"]) == 2 and len(r["partners"]) == 1 for r in rows)
        assert rows[0]["review"] is not None and rows[1]["review"] is None
        detail, body = api_queries(client, f"/reviews/{assignment.id}", token)
        assert len(body["bids"]) == n_bids
        return listed, detail

    few = costs(2)
    many = costs(6)
    assert many[0] <= few[0] + 2 and many[1] <= few[1] + 2, (few, many)


def test_the_ranking_shows_a_page_at_a_time_in_the_same_queries(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    challenge, officer, bids = reviewing(make, n_bids=3)
    panel = accepted_panel(make, challenge, officer, n=2)
    for assignment in panel:
        for bid, mark in zip(bids, (90, 80, 70)):
            score_all(assignment, bid, mark)
    client = signed_in(app, officer)
    first = client.get(f"/reviews/challenges/{challenge.id}/table").get_data(as_text=True)
    second = client.get(f"/reviews/challenges/{challenge.id}/table?page=2").get_data(as_text=True)
    assert bids[0].organization.name in first and bids[1].organization.name in first and bids[2].organization.name not in first
    assert bids[2].organization.name in second and bids[0].organization.name not in second
    assert "共 3 条" in first and "?page=2" in first
    assert queries(client, f"/reviews/challenges/{challenge.id}/table") == \
        queries(client, f"/reviews/challenges/{challenge.id}/table?page=2")
