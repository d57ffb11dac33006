"""Final acceptance through the API alone, every answer checked against the OpenAPI document."""
from datetime import timedelta

from grants.core import clock
from tests.acceptance.helpers import requested
from tests.api.documented import documented_api as api  # noqa: F401
from tests.api.helpers import error_of


def _judge(client, pid, acceptance, score, met=True):
    return client.put(f"/acceptance/{pid}/judgement", {
        "score": score, "opinion": "意见", "submit": True,
        "indicators": [{"indicator_id": acceptance.binding.id, "met": met, "value": "0.45"},
                       {"indicator_id": acceptance.other.id, "met": True, "value": "1.8"}]})


def test_panel_judgements_and_outcome(api, make):
    acceptance = requested(make)
    pid = acceptance.project.id
    officer = api(make.token(acceptance.officer))
    reviewers = [make.reviewer() for _ in range(3)]
    clients = [api(make.token(r)) for r in reviewers]

    two = officer.put(f"/acceptance/{pid}/panel", {"reviewer_ids": [r.id for r in reviewers[:2]]})
    assert two.status_code == 409 and "至少需要 3" in error_of(two)["message"]
    formed = officer.put(f"/acceptance/{pid}/panel", {"reviewer_ids": [r.id for r in reviewers],
                                                      "observer_id": acceptance.owner.id})
    assert formed.status_code == 200 and [m["voting"] for m in formed.get_json()] == [True, True, True, False]
    assert clients[0].get(f"/acceptance/{pid}/panel").status_code == 200
    outsider = api(make.token(make.reviewer()))
    assert outsider.get(f"/acceptance/{pid}/panel").status_code == 404

    started = officer.post(f"/acceptance/{pid}/transitions/start_acceptance")
    assert started.status_code == 200 and started.get_json()["state"] == "under_acceptance"

    bad = clients[0].put(f"/acceptance/{pid}/judgement", {"score": 101, "submit": True})
    assert bad.status_code == 422 and "0 到 100" in error_of(bad)["message"]
    draft = clients[0].put(f"/acceptance/{pid}/judgement", {"score": 50})
    assert draft.status_code == 200 and draft.get_json()["submitted_at"] is None
    team = api(make.token(acceptance.team))
    assert team.put(f"/acceptance/{pid}/judgement", {"score": 99}).status_code == 404
    for client, score in zip(clients, (58, 55, 52)):
        assert _judge(client, pid, acceptance, score).status_code == 200
    locked = _judge(clients[0], pid, acceptance, 90)
    assert locked.status_code == 409 and "已提交" in error_of(locked)["message"]

    preview = officer.get(f"/acceptance/{pid}/outcome").get_json()
    assert preview["outcome"] == "rectifying" and preview["submitted"] == 3
    late = (clock.today() + timedelta(days=120)).isoformat()
    too_late = officer.post(f"/acceptance/{pid}/outcome", {"conclusion": "需整改", "fixes": "补充数据",
                                                           "deadline_on": late})
    assert too_late.status_code == 422 and "三个月" in error_of(too_late)["message"]
    deadline = (clock.today() + timedelta(days=60)).isoformat()
    confirmed = officer.post(f"/acceptance/{pid}/outcome", {"conclusion": "需整改", "fixes": "补充数据",
                                                            "deadline_on": deadline})
    assert confirmed.status_code == 200 and confirmed.get_json()["state"] == "rectifying"
    assert [d["outcome"] for d in officer.get(f"/acceptance/{pid}/decisions").get_json()] == ["rectifying"]
    history = officer.get(f"/acceptance/{pid}/history").get_json()
    assert [e["action"] for e in history][-2:] == ["submit_judgement", "rectify"]
