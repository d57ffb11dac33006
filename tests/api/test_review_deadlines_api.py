"""The review deadline in the API: given when assigning (14 days by default), refused in words
when not after today, and each assignment says its due date and whether it is overdue."""
from datetime import timedelta

from grants.core import clock
from tests.api.helpers import error_of
from tests.reviews.helpers import reviewing


def test_the_api_gives_and_takes_the_due_date(api, make):
    challenge, officer, _bids = reviewing(make, n_bids=1)
    reviewer, late = make.reviewer(), make.reviewer()
    officer_api = api(make.token(officer))
    base = f"/reviews/challenges/{challenge.id}"
    today = clock.today()
    due = (today + timedelta(days=10)).isoformat()
    given = officer_api.post(f"{base}/assignments", {"reviewer_id": reviewer.id, "due_on": due})
    assert given.status_code == 201, given.get_json()
    assert given.get_json()["due_on"] == due and given.get_json()["overdue"] is False
    refused = officer_api.post(f"{base}/assignments", {"reviewer_id": late.id, "due_on": today.isoformat()})
    assert refused.status_code == 422
    assert error_of(refused)["details"]["due_on"] == f"评审截止日期须晚于今天（{today.isoformat()}）。"
    by_default = officer_api.post(f"{base}/assignments", {"reviewer_id": late.id})
    assert by_default.get_json()["due_on"] == (today + timedelta(days=14)).isoformat()
    clock.set_now(clock.now() + timedelta(days=11))
    mine = api(make.token(reviewer)).get("/reviews").get_json()
    assert [(a["due_on"], a["overdue"]) for a in mine] == [(due, True)]
