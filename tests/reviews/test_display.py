"""What a reviewer and an officer read: units once, a plain CSV header, "—" for what is empty."""
from grants.extensions import db
from tests.reviews.helpers import accepted_panel, reviewing, team_bid
from tests.reviews.test_award import scored

INDICATORS = [{"name": "响应时间", "target_value": "12", "unit": "min", "binding": False},
              {"name": "误差率", "target_value": "0.8", "unit": "%", "binding": True},
              {"name": "寿命", "target_value": "5", "unit": "年", "binding": False}]


def test_the_reviewer_reads_each_unit_once(make, login, client):
    from grants.challenges.models import Challenge

    officer = make.user("officer")
    challenge = make.challenge(officer=officer, indicators=INDICATORS)
    ids = [ci.id for ci in challenge.indicators]
    bid = team_bid(make, challenge, indicators={ids[0]: "≥12 min", ids[1]: "≤0.8%", ids[2]: "8"})
    from tests.reviews.helpers import to_review

    to_review(make, challenge, officer, [bid])
    [assignment] = accepted_panel(make, challenge, officer, n=1)
    html = login(assignment.reviewer).get(f"/reviews/assignments/{assignment.id}/bids/{bid.id}").get_data(as_text=True)
    assert "响应时间: ≥12 min" in html and "min min" not in html
    assert "误差率: ≤0.8%" in html and "% %" not in html
    assert "寿命: 8 年" in html  # a bare number gets its unit


def test_the_csv_download_names_its_charset_once(make, login, client):
    challenge, officer, bids, panel = scored(make, [85, 75])
    response = login(officer).get(f"/reviews/challenges/{challenge.id}/export.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
