"""The integrity list pages cost the same number of queries whatever the number of rows."""
import sqlalchemy as sa

from grants.extensions import db
from grants.integrity import services
from tests.challenges.test_pages import signed_in


def queries(client, url: str) -> int:
    counted = []
    conn = db.session.connection()
    listener = lambda *a, **k: counted.append(1)  # noqa: E731
    sa.event.listen(conn, "before_cursor_execute", listener)
    try:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    finally:
        sa.event.remove(conn, "before_cursor_execute", listener)
    return len(counted)


def objections_by_new_subjects(make, n: int) -> list:
    members = []
    for _ in range(n):
        org = make.org()
        members.append(make.user("enterprise", org=org))
        services.file_objection(make.black(org), actor=members[-1], reasons="决定书认定事实有误")
        db.session.commit()
    return members


def test_the_objections_list_costs_the_same_queries_for_two_objections_or_six(app, make):
    client = signed_in(app, make.user("officer"))
    members = objections_by_new_subjects(make, 2)
    few = queries(client, "/integrity/objections")
    members += objections_by_new_subjects(make, 4)
    many = queries(client, "/integrity/objections")
    assert many <= few + 2, (few, many)
    html = client.get("/integrity/objections").get_data(as_text=True)
    for member in members:  # each row still names the subject and who filed
        assert member.organization.name in html and member.display_name in html


def test_the_entries_list_costs_the_same_queries_for_two_entries_or_six(app, make):
    client = signed_in(app, make.user("officer"))
    for _ in range(2):
        make.black(make.org())
    few = queries(client, "/integrity/")
    for _ in range(4):
        make.black(make.org())
    many = queries(client, "/integrity/")
    assert many <= few + 2, (few, many)


def test_the_subject_page_and_the_subjects_own_record_cost_the_same_for_two_objections_or_six(app, make):
    org = make.org()
    member = make.user("enterprise", org=org)
    officer_client, member_client = signed_in(app, make.user("officer")), signed_in(app, member)
    subject_url = f"/integrity/subjects/organization/{org.credit_code}"

    def object_to(n: int) -> None:
        for _ in range(n):
            services.file_objection(make.black(org), actor=member, reasons="决定书认定事实有误")
            db.session.commit()

    object_to(2)
    few = queries(officer_client, subject_url), queries(member_client, "/integrity/mine")
    object_to(4)
    many = queries(officer_client, subject_url), queries(member_client, "/integrity/mine")
    assert many[0] <= few[0] + 2 and many[1] <= few[1] + 2, (few, many)


def test_the_entries_search_costs_the_same_queries_for_two_matches_or_six(app, make):
    client = signed_in(app, make.user("officer"))
    for _ in range(2):
        make.black(make.org(name="查询计数单位"))
    few = queries(client, "/integrity/?q=查询")
    for _ in range(4):
        make.black(make.org(name="查询计数单位"))
    many = queries(client, "/integrity/?q=查询")
    assert many == few, (few, many)
    assert client.get("/integrity/?q=查询").get_data(as_text=True).count("查询计数单位") == 6
