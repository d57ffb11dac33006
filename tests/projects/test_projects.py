"""Projects: who sees them, and suspension when the lead is black-listed."""
import sqlalchemy as sa

from grants.core import audit
from grants.extensions import db
from grants.projects.models import Project, ProjectState
from grants.projects.services import create_project
from tests.reviews.helpers import reviewing


def test_projects_are_visible_to_the_bureau_the_team_and_the_owner_only(make, login, client):
    challenge, officer, bids = reviewing(make, n_bids=1)
    project = create_project(bids[0], actor=officer)
    db.session.commit()
    owner = make.user("enterprise", org=challenge.owner_org)
    for user, status in ((officer, 200), (owner, 200), (make.user("applicant", org=bids[0].organization), 200),
                         (make.user("applicant"), 404), (make.user("reviewer"), 404)):
        login(user)
        assert client.get(f"/projects/{project.id}").status_code == status
        listing = client.get("/projects/").get_data(as_text=True)
        assert (project.title in listing) == (status == 200)
        client.post("/logout")


def test_a_black_entry_against_the_lead_suspends_active_projects(make):
    challenge, officer, bids = reviewing(make, n_bids=2)
    contracting = create_project(bids[0], actor=officer)
    # No transition reaches "active" yet (the task agreement comes later): the row is built in that state.
    active = Project(challenge_id=challenge.id, bid_id=bids[1].id, lead_org_id=bids[1].organization_id,
                     lead_person_id=bids[1].lead_id, title=bids[1].title, award_fen=bids[1].requested_fen,
                     state=ProjectState.active)
    db.session.add(active)
    db.session.commit()
    entry = make.black(bids[1].lead)
    make.black(bids[0].organization)
    db.session.refresh(active)
    db.session.refresh(contracting)
    assert active.state == ProjectState.suspended
    assert contracting.state == ProjectState.contracting
    event = audit.history(active)[-1]
    assert event.action == "suspend" and entry.basis in event.comment
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 2
