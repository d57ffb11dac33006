"""``GET /api/v1/projects/monitoring``: the officer's monitoring rows through the API,
with the page's filters, sorts and red flags, checked against the OpenAPI document."""
import json
from datetime import timedelta

from grants.core import clock
from grants.extensions import db
from grants.projects import services
from tests.api.documented import documented_api as api  # noqa: F401
from tests.api.helpers import error_of
from tests.integrity.test_query_counts import queries
from tests.projects.helpers import signed
from tests.projects.test_monitoring import busy, decide


def test_an_officer_lists_the_rows_with_their_red_flags(api, make):
    late, calm = signed(make), signed(make)
    services.release_tranche(calm.project.tranches[0], actor=calm.officer)
    db.session.commit()
    decide(calm, calm.project.milestones[0], "approve")
    make.black(late.project.lead_person)
    officer_user = make.user("officer")
    with clock.frozen(clock.start_of_day(late.project.milestones[0].due_on) + timedelta(days=31)):
        officer = api(make.token(officer_user))  # a token valid then
        answer = officer.get("/projects/monitoring")
        assert answer.status_code == 200
        assert json.loads(answer.headers["X-Pagination"])["total"] == 2
        rows = {row["project_id"]: row for row in answer.get_json()}
        row = rows[late.project.id]
        assert row["red_flags"] == ["overdue_30", "integrity"]
        assert row["red_flag_labels"] == ["逾期超过30天", "负责人或单位在黑名单中"]
        assert row["overdue_milestones"] == 1 and row["state"] == "suspended"  # the black entry suspended it
        assert row["next_due_on"] == late.project.milestones[0].due_on.isoformat()
        assert row["planned_fen"] == late.project.award_fen and row["released_fen"] == 0
        quiet = rows[calm.project.id]
        assert quiet["red_flags"] == [] and quiet["overdue_milestones"] == 0
        assert quiet["released_fen"] == calm.project.tranches[0].amount_fen
        assert quiet["next_due_on"] == calm.project.milestones[1].due_on.isoformat()

        flagged = officer.get("/projects/monitoring?flag=any").get_json()
        assert [r["project_id"] for r in flagged] == [late.project.id]
        assert officer.get("/projects/monitoring?flag=returned_twice").get_json() == []
        assert [r["project_id"] for r in officer.get("/projects/monitoring?overdue=true").get_json()] \
            == [late.project.id]
        assert [r["project_id"] for r in officer.get("/projects/monitoring?state=active").get_json()] \
            == [calm.project.id]
        by_flags = officer.get("/projects/monitoring?sort=flags").get_json()
        assert [r["project_id"] for r in by_flags] == [late.project.id, calm.project.id]
        by_released = officer.get("/projects/monitoring?sort=released").get_json()
        assert [r["project_id"] for r in by_released] == [calm.project.id, late.project.id]
        paged = officer.get("/projects/monitoring?sort=flags&page_size=1&page=2")
        assert [r["project_id"] for r in paged.get_json()] == [calm.project.id]


def test_the_api_and_the_page_give_the_same_rows(api, make, app):
    from tests.challenges.test_pages import signed_in

    projects = [signed(make), signed(make), busy(make)]
    officer_user = make.user("officer")
    officer = api(make.token(officer_user))
    page = signed_in(app, officer_user)
    for query in ("sort=flags", "flag=any", "flag=integrity", "sort=title"):
        listed = [r["project_id"] for r in officer.get(f"/projects/monitoring?{query}").get_json()]
        html = page.get(f"/projects/monitor?{query}").get_data(as_text=True)
        on_page = sorted((html.index(f'href="/projects/{p.project.id}"'), p.project.id)
                         for p in projects if f'href="/projects/{p.project.id}"' in html)
        assert listed == [pid for _at, pid in on_page], query


def test_an_applicant_or_an_enterprise_is_refused(api, make):
    parties = signed(make)
    for user in (parties.team, parties.owner):
        refused = api(make.token(user)).get("/projects/monitoring?sort=bogus")
        assert refused.status_code == 403
        assert error_of(refused)["message"] == "您的角色无权使用此部分 API。"
    assert api().get("/projects/monitoring").status_code == 401


def test_bad_filters_are_refused_in_words(api, make):
    officer = api(make.token(make.user("officer")))
    bad = officer.get("/projects/monitoring?flag=late&sort=bogus")
    assert bad.status_code == 422
    assert set(error_of(bad)["details"]) >= {"flag", "sort"}


def test_the_list_costs_the_same_queries_for_two_projects_or_six(api, make):
    officer_user = make.user("officer")
    signed(make)
    busy(make, officer_reports=1)
    urls = ("/projects/monitoring?sort=flags", "/projects/monitoring?flag=any&overdue=true")
    later = clock.now() + timedelta(days=400)
    with clock.frozen(later):
        officer = api(make.token(officer_user))
        officer.get("/projects/monitoring")  # the token's first use is recorded once
        few = [queries(officer, url) for url in urls]
    signed(make)
    for _ in range(3):
        busy(make, officer_reports=3)
    with clock.frozen(later):
        many = [queries(officer, url) for url in urls]
        assert len(officer.get(urls[0]).get_json()) == 6
    assert many == few
