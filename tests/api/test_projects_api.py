"""Projects through the API: seen by the bureau, the team's organisation and
the enterprise that posted the challenge; not found by anyone else."""
import pytest

from grants.extensions import db
from grants.projects import services
from tests.api.helpers import error_of


@pytest.fixture
def project(make):
    challenge = make.challenge()
    bid = make.bid(challenge)
    created = services.create_project(bid)
    db.session.commit()
    return created


def test_who_sees_a_project(api, make, project):
    team = make.user("applicant", org=project.lead_org)
    owner = make.user("enterprise", org=project.challenge.owner_org)
    for user in (make.user("officer"), team, owner):
        client = api(make.token(user))
        assert [p["id"] for p in client.get("/projects").get_json()] == [project.id]
        detail = client.get(f"/projects/{project.id}")
        assert detail.status_code == 200
        body = detail.get_json()
        assert body["lead_organization"] == project.lead_org.name and body["award_fen"] == project.award_fen
        assert body["milestones"] == [{"month": 12, "title": "样机研制", "deliverable": "样机一台"}]
        assert {i["name"] for i in body["indicators"]} == {"定位精度", "响应时间"}

    for user in (make.user("applicant"), make.user("enterprise"), make.user("reviewer")):
        client = api(make.token(user))
        assert client.get("/projects").get_json() == []
        for path in (f"/projects/{project.id}", f"/projects/{project.id}/history",
                     f"/projects/{project.id}/transitions"):
            response = client.get(path)
            assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_anonymous_callers_are_asked_for_a_token(api, project):
    for path in ("/projects", f"/projects/{project.id}", f"/projects/{project.id}/history"):
        assert api().get(path).status_code == 401


def test_filters_and_the_officers_suspension(api, make, project):
    officer_api = api(make.token(make.user("officer")))
    assert officer_api.get("/projects", query_string={"state": "active"}).get_json() == []
    assert len(officer_api.get("/projects", query_string={"challenge_id": project.challenge_id}).get_json()) == 1
    # Suspension needs a reason; the team may not suspend its own project.
    refused = officer_api.post(f"/projects/{project.id}/transitions/suspend", {})
    assert refused.status_code == 409 and error_of(refused)["code"] == "refused"
    assert [t["name"] for t in officer_api.get(f"/projects/{project.id}/transitions").get_json()] == [
        "sign", "suspend", "terminate"]
    team = api(make.token(make.user("applicant", org=project.lead_org)))
    forbidden = team.post(f"/projects/{project.id}/transitions/suspend", {"comment": "违规"})
    assert forbidden.status_code == 403
    suspended = officer_api.post(f"/projects/{project.id}/transitions/suspend", {"comment": "违规"})
    assert suspended.status_code == 200 and suspended.get_json()["state"] == "suspended"


def test_history_lists_creation_and_suspension(api, make, project):
    officer = make.user("officer")
    history = api(make.token(officer)).get(f"/projects/{project.id}/history").get_json()
    assert [e["action"] for e in history] == ["create"]
