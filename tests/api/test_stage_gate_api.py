"""The stage gate of a parallel award through the API, every answer checked against
the OpenAPI document: set the gate, compare the teams, stop one and move its budget."""
from datetime import timedelta

from grants.core import clock
from grants.extensions import db
from grants.projects import reports
from tests.api.documented import documented_api as api  # noqa: F401
from tests.api.helpers import error_of
from tests.projects.helpers import parallel_award, signed


def test_a_single_winner_challenge_has_no_gate(api, make):
    parties = signed(make)
    officer = api(make.token(parties.officer))
    refused = officer.put(f"/stage-gates/{parties.project.challenge_id}", {"position": 1})
    assert refused.status_code == 409 and "仅适用于多团队并行" in error_of(refused)["message"]


def test_two_teams_through_the_gate_by_api(api, make):
    race = parallel_award(make, n_teams=2)
    first, second = (t.project for t in race.teams)
    officer = api(make.token(race.officer))
    cid = race.challenge.id
    assert api(make.token(race.teams[0].team)).put(f"/stage-gates/{cid}", {"position": 1}).status_code == 404
    assert officer.get(f"/stage-gates/{cid}").status_code == 404
    gate = officer.put(f"/stage-gates/{cid}", {"position": 1})
    assert gate.status_code == 200 and gate.get_json()["waiting"] == [first.id, second.id]
    reports.submit_report(first.milestones[0], actor=race.teams[0].team, text="样机完成",
                          values={first.indicators[0].id: "0.6"})
    db.session.commit()
    clock.set_now(clock.now() + timedelta(days=400))  # the second team's gate report is past due
    officer = api(make.token(race.officer))
    view = officer.get(f"/stage-gates/{cid}").get_json()
    assert view["waiting"] == [] and view["teams"][0]["indicators"][0]["reached"] == "0.6"
    decisions = [{"project_id": first.id, "verdict": "continue", "reason": "领先"},
                 {"project_id": second.id, "verdict": "stop", "reason": "逾期"}]
    too_much = officer.post(f"/stage-gates/{cid}/decision", {"version": view["version"], "decisions": decisions,
                                                             "move_to": first.id, "move_fen": 100_000_01})
    assert too_much.status_code == 409 and "剩余（未拨付）经费" in error_of(too_much)["message"]
    decided = officer.post(f"/stage-gates/{cid}/decision", {"version": view["version"], "decisions": decisions,
                                                            "move_to": first.id, "move_fen": 100_000_00})
    assert decided.status_code == 200, decided.get_json()
    body = decided.get_json()
    assert [t["verdict"] for t in body["teams"]] == ["continue", "stop"] and body["moved_fen"] == 100_000_00
    assert [t["state"] for t in body["teams"]] == ["active", "terminated"]
    assert officer.get(f"/projects/{first.id}").get_json()["award_fen"] == 200_000_00
    again = officer.post(f"/stage-gates/{cid}/decision", {"decisions": decisions})
    assert again.status_code == 409 and "已作出决定" in error_of(again)["message"]
