"""The challenge pages: drafting through the forms, the public board, visibility."""
from datetime import timedelta

import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient

from grants.challenges.models import Challenge, ChallengeState
from grants.core import clock
from grants.extensions import db, limiter
from tests.factories import pdf_bytes, rows


class UserClient(FlaskClient):
    """A client per user. Test requests share the test's app context, where
    Flask-Login caches the signed-in user; forget it so each request loads its own."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


def anonymous(app):
    return UserClient(app, app.response_class, use_cookies=True)


def signed_in(app, user):
    client = UserClient(app, app.response_class, use_cookies=True)
    limiter.reset()
    response = client.post("/login", data={"email": user.email, "password": "password123"})
    assert response.status_code == 302
    return client


RUBRIC = [{"name": "技术路线", "weight": "40"}, {"name": "团队能力", "weight": "30"}, {"name": "经费", "weight": "30"}]


def form_for(rubric=RUBRIC, **overrides):
    deadline = clock.to_local(clock.now() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    data = {"title": "农产品冷链保鲜技术", "field": "modern_agriculture", "problem": "冷链运输损耗率高。",
            "budget_yuan": "300000", "enterprise_cofunding_yuan": "100000.50", "max_winners": "2",
            "pass_mark": "70", "deadline": deadline, "duration_months": "18", "notice_days": "5",
            **rows("indicators", {"name": "损耗率", "target_value": "5", "unit": "%", "binding": True},
                   {"name": "保鲜期", "target_value": "30", "unit": "天", "binding": False}),
            **rows("rubric", *rubric)}
    data.update(overrides)
    return data


def test_an_enterprise_drafts_submits_and_the_officer_publishes(app, make):
    owner = make.user("enterprise")
    client = signed_in(app, owner)
    response = client.post("/challenges/new", data=form_for())
    assert response.status_code == 302, response.get_data(as_text=True)
    challenge = db.session.scalar(sa.select(Challenge).where(Challenge.owner_org_id == owner.organization_id))
    assert challenge.budget_fen == 300_000_00 and challenge.enterprise_cofunding_fen == 100_000_50
    assert [(i.name, i.binding) for i in challenge.indicators] == [("损耗率", True), ("保鲜期", False)]
    assert [c.weight for c in challenge.rubric] == [40, 30, 30]
    assert challenge.max_winners == 2

    response = client.post(f"/challenges/{challenge.id}/do/submit", data={"version": challenge.version},
                           follow_redirects=True)
    assert "已完成：提交发布" in response.get_data(as_text=True)
    officer = signed_in(app, make.user("officer"))
    html = officer.get("/dashboard").get_data(as_text=True)
    assert "待发布的榜单" in html and "农产品冷链保鲜技术" in html
    db.session.refresh(challenge)
    officer.post(f"/challenges/{challenge.id}/do/publish", data={"version": challenge.version})
    db.session.refresh(challenge)
    assert challenge.state == ChallengeState.published


def test_bad_challenge_input_is_refused_in_words_and_nothing_saved(app, make):
    owner = make.user("enterprise")
    client = signed_in(app, owner)
    past = clock.to_local(clock.now() - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    html = client.post("/challenges/new", data=form_for(deadline=past)).get_data(as_text=True)
    assert "揭榜截止时间必须晚于当前时间。" in html
    html = client.post("/challenges/new", data=form_for(rubric=[{"name": "技术", "weight": "50"}, {"name": "团队", "weight": "30"}])).get_data(as_text=True)
    assert "评分细则权重合计为 80，而不是 100。" in html
    assert db.session.scalar(sa.select(sa.func.count(Challenge.id))) == 0


def test_the_board_shows_published_challenges_with_search_filter_and_bid_counts(app, make, client):
    open_one = make.challenge(title="高精度伺服电机控制算法")
    other = make.challenge(title="生物降解包装材料", field="new_materials", problem="寻找可降解材料",
                           budget_fen=900_000_00)
    draft = make.challenge(state="draft", title="未发布的草稿榜单")
    make.bid(open_one)
    make.bid(open_one)
    make.bid(open_one, submit=False)
    html = client.get("/challenges/").get_data(as_text=True)
    assert open_one.title in html and other.title in html and draft.title not in html
    html = client.get("/challenges/?q=可降解").get_data(as_text=True)
    assert other.title in html and open_one.title not in html
    html = client.get("/challenges/?field=smart_manufacturing").get_data(as_text=True)
    assert open_one.title in html and other.title not in html
    html = client.get("/challenges/?sort=budget").get_data(as_text=True)
    assert html.index(other.title) < html.index(open_one.title)
    html = client.get(f"/challenges/{open_one.id}").get_data(as_text=True)
    assert "已有揭榜申报：2" in html
    assert "剩余 30 天 0 小时 0 分钟" in html
    assert client.get(f"/challenges/{draft.id}").status_code == 404


def _count_queries(client, url):
    conn = db.session.connection()
    counter = []
    listen = lambda *a, **k: counter.append(1)  # noqa: E731
    sa.event.listen(conn, "before_cursor_execute", listen)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(conn, "before_cursor_execute", listen)
    assert response.status_code == 200
    return len(counter)


def test_the_board_uses_a_fixed_number_of_queries(app, make, client):
    owner = make.user("enterprise")
    officer = make.user("officer")
    team = make.user("applicant")
    first = make.challenge(owner=owner, officer=officer)
    make.bid(first, user=team)
    few = _count_queries(client, "/challenges/")
    for n in range(60):
        challenge = make.challenge(owner=owner, officer=officer, title=f"榜单 {n}")
        if n % 3 == 0:
            make.bid(challenge, user=team)
    many = _count_queries(client, "/challenges/")
    assert many == few <= 3
    first_page = client.get("/challenges/").get_data(as_text=True)
    assert first_page.count('<td><a href="/challenges/') == 50
    second_page = client.get("/challenges/?page=2").get_data(as_text=True)
    assert second_page.count('<td><a href="/challenges/') == 11


def test_an_officer_opening_a_challenge_after_its_deadline_closes_it(app, make):
    challenge = make.challenge()
    officer = signed_in(app, make.user("officer"))
    clock.set_now(challenge.deadline_at + timedelta(seconds=1))
    assert make.user("officer")  # nothing else happens on its own
    officer.get(f"/challenges/{challenge.id}")
    db.session.refresh(challenge)
    assert challenge.state == ChallengeState.closed


def test_drafts_are_seen_only_by_their_owner_and_officers(app, make):
    draft = make.challenge(state="draft")
    owner = make.user("enterprise", org=draft.owner_org)
    assert signed_in(app, owner).get(f"/challenges/{draft.id}").status_code == 200
    assert signed_in(app, make.user("officer")).get(f"/challenges/{draft.id}").status_code == 200
    assert signed_in(app, make.user("enterprise")).get(f"/challenges/{draft.id}").status_code == 404
    assert signed_in(app, make.user("enterprise")).get(f"/challenges/{draft.id}/edit").status_code == 404
    assert signed_in(app, make.user("applicant")).get(f"/challenges/{draft.id}").status_code == 404


def test_challenge_attachments_are_pdf_only_and_public_once_published(app, make):
    import io

    draft = make.challenge(state="draft")
    owner = signed_in(app, make.user("enterprise", org=draft.owner_org))
    html = owner.post(f"/challenges/{draft.id}/attachments",
                      data={"file": (io.BytesIO(b"GIF89a"), "需求说明.pdf")}, content_type="multipart/form-data",
                      follow_redirects=True).get_data(as_text=True)
    assert "需求说明.pdf 不是 PDF 文件（只接受 PDF 文档）。" in html
    owner.post(f"/challenges/{draft.id}/attachments",
               data={"file": (io.BytesIO(pdf_bytes("spec")), "需求说明.pdf")}, content_type="multipart/form-data")
    db.session.refresh(draft)
    [att] = draft.attachments
    url = f"/challenges/{draft.id}/attachments/{att.id}"
    assert anonymous(app).get(url).status_code == 404
    assert owner.get(url).data == pdf_bytes("spec")
