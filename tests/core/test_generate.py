"""``flask demo generate``: synthetic data at scale, loaded in bulk, that the app can show."""
import re
from collections import Counter

import sqlalchemy as sa

from grants.auth.models import Organization, Person, User
from grants.bids.models import Bid
from grants.challenges.models import Challenge
from grants.core import audit
from grants.core.codes import credit_code_error, id_number_error
from grants.core.generate import OFFICER_EMAIL, PASSWORD
from grants.core.models import AuditEvent
from grants.extensions import db
from grants.integrity.models import IntegrityEntry
from grants.projects.funding import Contribution
from grants.projects.models import Project, Report, Tranche


def test_generated_data_has_valid_codes_a_valid_chain_and_shows_on_the_board(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "generate", "--scale", "0.001"])
    assert result.exit_code == 0, result.output
    assert "officer@bench.example" in result.output

    assert db.session.scalar(sa.select(sa.func.count(Challenge.id))) == 20
    assert db.session.scalar(sa.select(sa.func.count(Bid.id))) == 250
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 1000
    states = set(db.session.scalars(sa.select(Challenge.state).distinct()))
    assert {"published", "reviewing", "awarded"} <= {str(s) for s in states}
    for code in db.session.scalars(sa.select(Organization.credit_code)):
        assert credit_code_error(code) is None, code
    for number in db.session.scalars(sa.select(Person.id_number).limit(300)):
        assert id_number_error(number) is None, number
    for code, kind in db.session.execute(sa.select(IntegrityEntry.subject_code, IntegrityEntry.subject_type)):
        assert (id_number_error(code) if kind == "person" else credit_code_error(code)) is None, code

    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "1000 events checked" in result.output, result.output
    assert "the chain still holds the signed head" in result.output, result.output
    assert "object states agree with their last recorded events" in result.output, result.output
    awarded = db.session.scalar(sa.select(Challenge).where(Challenge.state == "awarded").limit(1))
    steps = [(e.action, e.to_state) for e in audit.history(awarded) if e.to_state]
    assert steps[-2:] == [("propose_award", "notice"), ("confirm_award", "awarded")]

    page = client.get("/challenges/")
    assert page.status_code == 200
    published = db.session.scalar(sa.select(Challenge.title).where(Challenge.state == "published").limit(1))
    assert published in page.get_data(as_text=True)


def test_a_scale_out_of_range_is_refused_in_words(app):
    result = app.test_cli_runner().invoke(args=["demo", "generate", "--scale", "0"])
    assert result.exit_code == 2 and "--scale" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Challenge.id))) == 0


def test_every_awarded_bid_has_a_project_that_keeps_the_agreement_rules(app):
    result = app.test_cli_runner().invoke(args=["demo", "generate", "--scale", "0.01"])
    assert result.exit_code == 0, result.output
    awarded = db.session.scalar(sa.select(sa.func.count(Bid.id)).join(Challenge).where(
        Bid.state == "awarded", Challenge.state == "awarded"))
    projects = db.session.scalars(sa.select(Project).order_by(Project.id)).all()
    assert awarded and len(projects) == awarded
    assert f"projects: {awarded}" in result.output

    states = Counter(str(p.state) for p in projects)
    assert set(states) <= {"contracting", "active", "suspended", "acceptance_requested", "terminated"}
    assert states["active"] > len(projects) / 2 and states["contracting"] and states["suspended"], states
    released_of_challenge = Counter()
    for project in projects:
        agreement, milestones = project.agreement, project.milestones
        assert milestones and project.indicators and agreement is not None, project.id
        assert sum(t.amount_fen for t in project.tranches) == project.award_fen, project.id
        assert agreement.breakdown_total_fen == project.award_fen
        assert [m.due_on for m in milestones] == sorted(m.due_on for m in milestones)
        assert agreement.start_on <= milestones[0].due_on and milestones[-1].due_on <= agreement.end_on
        assert (project.state == "suspended") == (project.suspended_from is not None)
        signed = agreement.confirmed_versions == 1
        assert signed == agreement.fully_confirmed
        if project.state in ("active", "acceptance_requested"):
            assert signed and project.tranches[0].at_signing and project.tranches[0].state == "released", project.id
        if project.state == "contracting":
            assert not signed and not any(t.state == "released" for t in project.tranches)
            assert all(m.state == "pending" for m in milestones)
        if project.state == "acceptance_requested":
            assert all(m.state == "approved" for m in milestones)
            assert db.session.scalar(sa.select(Report).where(Report.project_id == project.id, Report.kind == "final"))
        for tranche in project.tranches:
            if tranche.state == "released":
                assert signed if tranche.at_signing else tranche.milestone.state == "approved", tranche.id
                released_of_challenge[project.challenge_id] += tranche.amount_fen
        for milestone in milestones:
            reports = db.session.scalars(sa.select(Report).where(Report.milestone_id == milestone.id)
                                         .order_by(Report.id)).all()
            latest = reports[-1].decision if reports else "none"
            assert {"pending": "none", "submitted": None}.get(milestone.state, milestone.state) == latest, milestone.id
    for challenge_id, released in released_of_challenge.items():
        assert released <= db.session.get(Challenge, challenge_id).budget_fen
    milestone_states = Counter(str(s) for s in db.session.scalars(sa.text("SELECT state FROM milestones")))
    assert {"pending", "submitted", "approved", "returned"} <= set(milestone_states), milestone_states
    assert db.session.scalar(sa.select(sa.func.count(Contribution.id)))

    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "object states agree with their last recorded events" in result.output, \
        result.output
    active = next(p for p in projects if p.state == "active")
    assert [(e.action, e.to_state) for e in audit.history(active) if e.to_state] == [("sign", "active")]


def test_the_officer_monitors_the_generated_projects_and_opens_one(app, client, login):
    assert app.test_cli_runner().invoke(args=["demo", "generate", "--scale", "0.001"]).exit_code == 0
    login(db.session.scalar(sa.select(User).where(User.email == OFFICER_EMAIL)), PASSWORD)

    page = client.get("/projects/monitor")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td><a href=\"/projects/\d+\">.*?</tr>", html, re.S)
    assert len(rows) == db.session.scalar(sa.select(sa.func.count(Project.id))) > 0
    flagged = [row for row in rows if "data-flag=" in row]
    assert 0 < len(flagged) < len(rows)
    assert 'data-flag="overdue_30"' in html and 'data-flag="returned_twice"' in html

    active = db.session.scalar(sa.select(Project).where(Project.state == "active").order_by(Project.id).limit(1))
    page = client.get(f"/projects/{active.id}")
    assert page.status_code == 200
    assert active.title in page.get_data(as_text=True)
    assert active.milestones[0].title in page.get_data(as_text=True)
    for tab in ("milestones", "funds", "history"):
        assert client.get(f"/projects/{active.id}/{tab}").status_code == 200, tab
