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


def test_a_black_entry_against_any_party_suspends_live_projects(make):
    from tests.reviews.helpers import team_bid, to_review

    officer = make.user("officer")
    challenge = make.challenge(officer=officer)
    bids = [team_bid(make, challenge, members=["郑十"]), team_bid(make, challenge), team_bid(make, challenge)]
    to_review(make, challenge, officer, bids)
    contracting = create_project(bids[0], actor=officer)
    untouched = create_project(bids[2], actor=officer)
    # No transition reaches "active" yet (the task agreement comes later): the row is built in that state.
    active = Project(challenge_id=challenge.id, bid_id=bids[1].id, lead_org_id=bids[1].organization_id,
                     lead_person_id=bids[1].lead_id, title=bids[1].title, award_fen=bids[1].requested_fen,
                     state=ProjectState.active)
    db.session.add(active)
    db.session.commit()
    entry = make.black(bids[1].lead)
    make.black(bids[0].members[0].person)  # a team member, not the lead
    for project in (active, contracting, untouched):
        db.session.refresh(project)
    assert active.state == ProjectState.suspended
    assert contracting.state == ProjectState.suspended
    assert untouched.state == ProjectState.contracting
    event = audit.history(active)[-1]
    assert event.action == "suspend" and entry.basis in event.comment and event.actor_id is None
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 3


def test_an_imported_list_suspends_only_projects_it_names(make):
    from grants.integrity.imports import import_entries
    from tests.factories import integrity_csv, integrity_row

    challenge, officer, bids = reviewing(make, n_bids=1)
    project = create_project(bids[0], actor=officer)
    db.session.commit()
    rows = [integrity_row(bids[0].organization)] + [integrity_row() for _ in range(20)]
    import_entries(integrity_csv(rows), file_name="list.csv")
    db.session.commit()
    db.session.refresh(project)
    assert project.state == ProjectState.suspended
