"""The officer's monitoring page across projects: filters, sorting, CSV export,
and a fixed number of queries whatever the number of projects."""
from datetime import timedelta

from grants.core import clock
from grants.extensions import db
from grants.projects import reports, services
from tests.challenges.test_pages import signed_in
from tests.integrity.test_query_counts import queries
from tests.projects.helpers import awarded, signed


def test_the_page_shows_next_due_overdue_and_funds(app, make):
    parties = signed(make)
    project = parties.project
    services.release_tranche(project.tranches[0], actor=parties.officer)
    db.session.commit()
    other = awarded(make).project
    client = signed_in(app, make.user("officer"))
    first = project.milestones[0]
    html = client.get("/projects/monitor").get_data(as_text=True)
    assert project.title in html and other.title in html
    assert first.due_on.isoformat() in html
    with clock.frozen(clock.start_of_day(first.due_on) + timedelta(days=2)):
        overdue = client.get("/projects/monitor?overdue=1").get_data(as_text=True)
        assert f'href="/projects/{project.id}"' in overdue and f'href="/projects/{other.id}"' not in overdue
        reports.submit_report(first, actor=parties.team, text="完成")
        from grants.core.workflow import fire

        fire(first, "approve", parties.officer)
        db.session.commit()
        assert f'href="/projects/{project.id}"' not in client.get("/projects/monitor?overdue=1").get_data(as_text=True)
    active = client.get("/projects/monitor?state=active").get_data(as_text=True)
    assert f'href="/projects/{other.id}"' not in active
    csv = client.get("/projects/monitor.csv?sort=released").get_data(as_text=True)
    lines = csv.strip().splitlines()
    assert len(lines) == 3 and project.title in lines[1]  # the most released first
    assert f"{project.tranches[0].amount_fen / 100:.2f}" in lines[1]


def test_only_officers_see_it(app, make):
    parties = awarded(make)
    assert signed_in(app, parties.team).get("/projects/monitor").status_code == 403
    assert signed_in(app, parties.owner).get("/projects/monitor.csv").status_code == 403


def test_the_page_costs_the_same_queries_for_two_projects_or_six(app, make):
    client = signed_in(app, make.user("officer"))
    for _ in range(2):
        signed(make)
    few = queries(client, "/projects/monitor?sort=overdue")
    for _ in range(4):
        signed(make)
    many = queries(client, "/projects/monitor?sort=overdue")
    assert many == few
