"""Public pages and shared page parts: the statistics of the bureau's plan, the award notice
(lead, organisation, score) and its public list, the project library, the ranking's winners,
the history timeline, pagination, the remembered language, help pages and the board's prompt."""
import re

from grants.awards.rules import notice_of
from grants.core import clock
from grants.core.workflow import fire
from grants.extensions import db
from tests.acceptance.helpers import confirm, judge_all, under_acceptance
from tests.challenges.test_pages import signed_in
from tests.projects.helpers import awarded
from tests.reviews.test_award import scored


def figure(html: str, key: str) -> str:
    return re.search(rf'id="figure-{key}">([^<]+)<', html).group(1).strip()


def test_the_statistics_page_counts_the_plans_figures(client, make):
    html = client.get("/stats").get_data(as_text=True)
    assert (figure(html, "published"), figure(html, "library"), figure(html, "pass-rate")) == ("0", "0 / 300", "—")
    make.challenge()  # published
    make.challenge(state="submitted")  # not public: not counted
    first = awarded(make, requested_fen=300_000_00)
    passed = under_acceptance(make)
    judge_all(passed, [80, 75, 70])
    confirm(passed)
    failed = under_acceptance(make)
    judge_all(failed, [40, 45, 30], binding_met=(False, False, False))
    confirm(failed, misconduct=True)
    html = client.get("/stats").get_data(as_text=True)
    assert figure(html, "published") == "4"  # one on its own, one per project's challenge
    assert figure(html, "library") == "3 / 300"
    total = first.project.award_fen + passed.project.award_fen + failed.project.award_fen
    assert figure(html, "awarded") == f"¥{total / 100:,.2f}"
    assert figure(html, "pass-rate") == "50%"
    assert "已作出结论的 2 个项目中 1 个通过结题验收" in html
    # the charts read their figures from JSON blocks, never from inline script
    assert 'type="application/json" id="chart-public-library-data"' in html
    assert "/static/vendor/chartjs/chart.umd.min.js" in html and "<script>" not in html


def test_the_vendored_chart_library_and_its_licence_are_served(client):
    assert b"Chart.js" in client.get("/static/vendor/chartjs/chart.umd.min.js").data[:400]
    assert b"MIT License" in client.get("/static/vendor/chartjs/LICENSE.md").data
    assert client.get("/static/js/charts.js").status_code == 200


def test_the_officer_charts_link_to_their_lists_and_have_a_table(app, make):
    officer = make.user("officer")
    challenge = make.challenge(state="submitted")
    html = signed_in(app, officer).get("/dashboard").get_data(as_text=True)
    for key in ("challenge-states", "challenge-fields", "bids", "reviews", "project-states", "funds",
                "overdue", "integrity"):
        assert f"chart-{key}" in html, key
    states = re.search(r'id="chart-challenge-states-data">([^<]+)<', html).group(1)
    assert '"links": ["/challenges/manage?state=submitted"]' in states and '"values": [1]' in states
    assert '<a href="/challenges/manage?state=submitted">待发布</a>' in html  # the table alternative
    assert "以表格显示" in html
    assert challenge.title  # the chart counts it; the list behind the bar lists it
    assert challenge.title in signed_in(app, officer).get("/challenges/manage?state=submitted").get_data(as_text=True)


def test_the_public_notice_names_lead_organisation_and_score_and_the_ranking_marks_winners(app, make, client):
    challenge, officer, bids, panel = scored(make, [85, 75])
    fire(challenge, "propose_award", officer, winners=[bids[0].id])
    db.session.commit()
    html = client.get(f"/reviews/notice/{challenge.id}").get_data(as_text=True)
    winner = bids[0]
    row = html[html.index(winner.lead.name):html.index("</tr>", html.index(winner.lead.name))]
    assert winner.organization.name in row and "85.00" in row
    assert bids[1].organization.name not in html and "75.00" not in html
    assert challenge.owner_org.name in html
    listing = client.get("/notices").get_data(as_text=True)
    assert f'href="/reviews/notice/{challenge.id}"' in listing and "结果公示中" in listing
    table = signed_in(app, officer).get(f"/reviews/challenges/{challenge.id}/table").get_data(as_text=True)
    assert table.count("拟立项") == 1 and 'class="table-success winner"' in table
    assert '<th class="text-nowrap">排名</th>' in table
    clock.set_now(notice_of(challenge).notice_ends_at)
    fire(challenge, "confirm_award", officer)
    db.session.commit()
    table = signed_in(app, officer).get(f"/reviews/challenges/{challenge.id}/table").get_data(as_text=True)
    awarded_row = table[table.index('class="table-success winner"'):]
    assert "已立项" in awarded_row.split("</tr>")[0] and "拟立项" not in table
    assert "已授榜" in client.get("/notices").get_data(as_text=True)


def test_the_project_library_lists_projects_publicly_and_paginates(app, make, client):
    parties = awarded(make)
    html = client.get("/library").get_data(as_text=True)
    assert parties.project.title in html and parties.project.lead_org.name in html
    app.config["PER_PAGE"], per_page = 1, app.config["PER_PAGE"]
    try:
        other = awarded(make)
        first = client.get("/library").get_data(as_text=True)
        mine, theirs = parties.project.lead_org.name, other.project.lead_org.name
        assert theirs in first and mine not in first
        assert 'href="/library?page=2"' in first and "共 2 条" in first
        assert mine in client.get("/library?page=2").get_data(as_text=True)
        assert "项目库中暂无项目" in client.get("/library?q=不存在的项目").get_data(as_text=True)
    finally:
        app.config["PER_PAGE"] = per_page


def test_history_is_a_timeline_with_actors_and_reasons(app, make):
    owner = make.user("enterprise")
    officer = make.user("officer")
    challenge = make.challenge(owner=owner, state="submitted")
    fire(challenge, "return_for_revision", officer, comment="请补充考核指标")
    db.session.commit()
    html = signed_in(app, officer).get(f"/challenges/{challenge.id}").get_data(as_text=True)
    timeline = html[html.index('<ol class="timeline">'):html.index("</ol>", html.index('<ol class="timeline">'))]
    items = timeline.split('<li class="timeline-item')[1:]
    assert len(items) == 3  # created, submitted, returned
    returned = items[-1]
    assert officer.display_name in returned and "请补充考核指标" in returned and "原因：" in returned
    assert owner.display_name in items[1]


def test_the_language_choice_is_remembered_in_a_cookie(app, client):
    response = client.post("/lang/en", data={"next": "/stats"})
    cookie = response.headers.getlist("Set-Cookie")
    lang = next(c for c in cookie if c.startswith("lang="))
    assert lang.startswith("lang=en;") and "Max-Age=31536000" in lang and "HttpOnly" in lang
    fresh = app.test_client()  # a new browser session that kept only the cookie
    fresh.set_cookie("lang", "en")
    assert "Statistics" in fresh.get("/stats").get_data(as_text=True)
    assert "统计数据" in app.test_client().get("/stats").get_data(as_text=True)
    fresh.set_cookie("lang", "fr")  # an unknown value falls back to Chinese
    assert "统计数据" in fresh.get("/stats").get_data(as_text=True)


def test_each_role_has_a_help_page_and_anonymous_visitors_are_told_to_sign_in_to_bid(app, make, client):
    assert "无需账号" in client.get("/help").get_data(as_text=True)
    for role in ("officer", "enterprise", "applicant", "reviewer", "admin", "anonymous"):
        assert client.get(f"/help/{role}").status_code == 200
    assert client.get("/help/nobody").status_code == 404
    reviewer = make.user("reviewer")
    assert "评分细则" in signed_in(app, reviewer).get("/help").get_data(as_text=True)
    challenge = make.challenge()
    page = client.get(f"/challenges/{challenge.id}").get_data(as_text=True)
    assert "/login?next=" in page and "登录后揭榜" in page
    board = client.get("/challenges/").get_data(as_text=True)
    assert "登录后揭榜" in board


def test_pages_say_where_you_are(client, make):
    challenge = make.challenge()
    html = client.get(f"/challenges/{challenge.id}").get_data(as_text=True)
    assert f"<title>{challenge.title}" in html
    assert 'aria-label="导航路径"' in html and 'href="/challenges/"' in html
