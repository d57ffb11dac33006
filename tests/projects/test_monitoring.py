"""The officer's monitoring page across projects: filters, sorting, red flags,
CSV and XLSX export, and a fixed number of queries whatever the number of
projects, milestones, reports and tranches."""
import csv
import io
import re
from datetime import timedelta

from openpyxl import load_workbook

from grants.core import clock
from grants.core.workflow import fire
from grants.extensions import db
from grants.integrity import services as integrity
from grants.projects import reports, services
from tests.challenges.test_pages import signed_in
from tests.integrity.test_query_counts import queries
from tests.projects.helpers import approve_report, awarded, co_fund, signed

FIVE_MILESTONES = [{"title": f"阶段{n}", "month": 2 * n, "deliverable": f"成果{n}"} for n in range(1, 6)]


def row_of(html: str, project) -> str:
    """The table row of ``project`` on the monitoring page ('' if not listed)."""
    found = re.search(rf'<tr>\s*<td><a href="/projects/{project.id}">.*?</tr>', html, re.S)
    return found.group(0) if found else ""


def flags_on_page(client, project, query: str = "") -> list[str]:
    row = row_of(client.get(f"/projects/monitor{query}").get_data(as_text=True), project)
    assert row, f"project {project.id} is not listed"
    return re.findall(r'data-flag="(\w+)"', row)


def decide(parties, milestone, transition: str):
    """The team reports on ``milestone``; an hour later the officer approves (the mid-way
    milestone after the experts' check) or returns it."""
    reports.submit_report(milestone, actor=parties.team, text="阶段进展")
    clock.advance(timedelta(hours=1))
    if transition == "approve":
        approve_report(milestone, parties.officer)
    else:
        fire(milestone, transition, parties.officer, comment="请补充测试数据")
    db.session.commit()
    clock.advance(timedelta(hours=1))


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
        approve_report(first, parties.officer)
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


# red flags ------------------------------------------------------------------------------

def test_a_milestone_overdue_by_more_than_30_days_is_a_red_flag(app, make):
    parties = signed(make)
    first = parties.project.milestones[0]
    client = signed_in(app, parties.officer)
    for days, flagged in ((29, False), (30, False), (31, True)):
        with clock.frozen(clock.start_of_day(first.due_on) + timedelta(days=days)):
            html = client.get("/projects/monitor").get_data(as_text=True)
            row = row_of(html, parties.project)
            assert '<span class="badge text-bg-danger">1</span>' in row  # overdue, whatever the flag
            assert ('data-flag="overdue_30"' in row) is flagged, days
            assert ("逾期超过30天" in row) is flagged
    with clock.frozen(clock.start_of_day(first.due_on) + timedelta(days=31)):
        decide(parties, first, "approve")
        assert flags_on_page(client, parties.project) == []


def test_a_black_entry_in_force_against_the_lead_or_organisation_is_a_red_flag(app, make):
    by_org, by_lead, clean = signed(make), signed(make), signed(make)
    client = signed_in(app, make.user("officer"))
    assert flags_on_page(client, by_org.project) == []
    today = clock.today()
    make.black(by_org.project.lead_org, end_on=today + timedelta(days=10))
    make.black(by_lead.project.lead_person)
    make.red(clean.project.lead_org)  # a trust mark, not a flag
    make.black(make.org())  # someone else
    html = client.get("/projects/monitor").get_data(as_text=True)
    assert 'data-flag="integrity"' in row_of(html, by_org.project)
    assert "负责人或单位在黑名单中" in row_of(html, by_lead.project)
    assert "data-flag" not in row_of(html, clean.project)
    with clock.frozen(clock.start_of_day(today + timedelta(days=11))):  # the organisation's entry ended
        assert flags_on_page(client, by_org.project) == []
        assert flags_on_page(client, by_lead.project) == ["integrity"]


def test_a_revoked_black_entry_is_no_red_flag(app, make):
    parties = signed(make)
    officer = make.user("officer")
    entry = make.black(parties.project.lead_org)
    client = signed_in(app, officer)
    assert flags_on_page(client, parties.project) == ["integrity"]
    integrity.revoke_entry(entry, actor=officer, reason="复核后撤销")
    db.session.commit()
    assert flags_on_page(client, parties.project) == []


def test_reports_returned_twice_in_a_row_are_a_red_flag(app, make):
    parties = signed(make)
    first, second = parties.project.milestones
    client = signed_in(app, parties.officer)
    decide(parties, first, "return_for_revision")
    assert flags_on_page(client, parties.project) == []  # once is no flag
    decide(parties, first, "return_for_revision")
    assert flags_on_page(client, parties.project) == ["returned_twice"]
    assert "报告连续两次被退回" in row_of(client.get("/projects/monitor").get_data(as_text=True), parties.project)
    decide(parties, first, "approve")
    assert flags_on_page(client, parties.project) == []
    decide(parties, second, "return_for_revision")  # return, approve, return: not in a row
    assert flags_on_page(client, parties.project) == []
    decide(parties, second, "return_for_revision")  # across milestones, in the order decided
    assert flags_on_page(client, parties.project) == ["returned_twice"]


def test_returns_count_in_the_order_they_were_decided_not_submitted(app, make):
    parties = signed(make)
    first, second = parties.project.milestones
    client = signed_in(app, parties.officer)
    reports.submit_report(first, actor=parties.team, text="一")
    reports.submit_report(second, actor=parties.team, text="二")
    db.session.commit()
    for milestone, transition in ((second, "return_for_revision"), (first, "approve")):
        clock.advance(timedelta(hours=1))
        if transition == "approve":
            approve_report(milestone, parties.officer, comment="意见")
        else:
            fire(milestone, transition, parties.officer, comment="意见")
        db.session.commit()
    clock.advance(timedelta(hours=1))
    decide(parties, second, "return_for_revision")  # return (2nd), approve (1st), return (2nd)
    assert flags_on_page(client, parties.project) == []


def test_flag_filters_sort_and_exports(app, make):
    late, returned, calm = signed(make), signed(make), signed(make)
    for _ in range(2):
        decide(returned, returned.project.milestones[0], "return_for_revision")
    decide(calm, calm.project.milestones[0], "approve")
    make.black(late.project.lead_org)
    client = signed_in(app, make.user("officer"))
    due = max(p.project.milestones[0].due_on for p in (late, returned))
    with clock.frozen(clock.start_of_day(due) + timedelta(days=40)):  # both first milestones 40+ days late
        flagged = client.get("/projects/monitor?flag=any").get_data(as_text=True)
        assert row_of(flagged, late.project) and row_of(flagged, returned.project)
        assert not row_of(flagged, calm.project)
        assert flags_on_page(client, late.project, "?flag=integrity") == ["overdue_30", "integrity"]
        only_returned = client.get("/projects/monitor?flag=returned_twice").get_data(as_text=True)
        assert row_of(only_returned, returned.project) and not row_of(only_returned, late.project)
        by_flags = client.get("/projects/monitor?sort=flags").get_data(as_text=True)
        order = [by_flags.index(f'href="/projects/{p.project.id}"') for p in (late, returned, calm)]
        assert order[0] < order[2] and order[1] < order[2]
        assert "仅看有预警的项目" in by_flags and "预警数" in by_flags
        lines = list(csv.reader(io.StringIO(
            client.get("/projects/monitor.csv?sort=flags").get_data().decode("utf-8-sig"))))
        assert lines[0][-1] == "预警"
        flags_of = {line[1]: line[-1] for line in lines[1:]}  # by lead organisation
        assert flags_of[late.project.lead_org.name] == "逾期超过30天; 负责人或单位在黑名单中"
        assert flags_of[calm.project.lead_org.name] == ""
        sheet = load_workbook(io.BytesIO(client.get("/projects/monitor.xlsx?flag=returned_twice").data)).active
        cells = [[c.value for c in row] for row in sheet.iter_rows()]
        assert cells[0][-1] == "预警" and len(cells) == 2
        assert cells[1][-1] == "逾期超过30天; 报告连续两次被退回"


# query counts ---------------------------------------------------------------------------

def busy(make, officer_reports: int = 3):
    """A project with five milestones, reports returned and approved, a tranche released
    and its organisation black-listed: every column and every flag has rows behind it."""
    parties = signed(make, milestones=FIVE_MILESTONES)
    services.release_tranche(parties.project.tranches[0], actor=parties.officer)
    db.session.commit()
    first = parties.project.milestones[0]
    for _ in range(officer_reports - 1):
        decide(parties, first, "return_for_revision")
    decide(parties, first, "approve")
    co_fund(parties, parties.project.award_fen)
    services.release_tranche(parties.project.tranches[1], actor=parties.officer)
    db.session.commit()
    for _ in range(2):
        decide(parties, parties.project.milestones[1], "return_for_revision")
    make.black(parties.project.lead_org)
    return parties


URLS = ("/projects/monitor?sort=overdue", "/projects/monitor?sort=flags&flag=any",
        "/projects/monitor?flag=integrity&overdue=1")


def test_the_page_costs_the_same_queries_for_two_projects_or_six(app, make):
    client = signed_in(app, make.user("officer"))
    for _ in range(2):
        signed(make)
    busy(make, officer_reports=1)
    with clock.frozen(clock.now() + timedelta(days=400)):
        few = [queries(client, url) for url in URLS]
    for _ in range(2):
        signed(make)
    for _ in range(3):
        busy(make, officer_reports=3)
    with clock.frozen(clock.now() + timedelta(days=400)):
        many = [queries(client, url) for url in URLS]
        assert "data-flag=\"returned_twice\"" in client.get(URLS[1]).get_data(as_text=True)
    assert many == few
