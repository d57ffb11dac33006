"""The inbox: notify, the unread count in the navigation, marking read, the API, the outbox page."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from grants.core import clock
from grants.extensions import db
from grants.notifications.models import Notification, OutboundEmail
from grants.notifications.services import notify, queue_email, unread_count
from tests.api.helpers import ApiClient, error_of
from tests.integrity.test_query_counts import queries


def _notes(user) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_notify_writes_one_per_user_and_queues_an_email_each(app, make):
    alice, bob = make.user("applicant"), make.user("officer")
    created = notify([alice, None, bob, alice], "challenges.returned", link="/challenges/1",
                     challenge="智能电网", comment="预算不清")
    db.session.commit()
    assert [n.user_id for n in created] == [alice.id, bob.id]
    assert len(_notes(alice)) == 1 and len(_notes(bob)) == 1
    note = _notes(alice)[0]
    assert note.parameters == {"challenge": "智能电网", "comment": "预算不清"}
    assert note.created_at == clock.now() and note.read_at is None
    assert note.text == "您的榜单“智能电网”被退回修改：预算不清"
    emails = db.session.scalars(sa.select(OutboundEmail).order_by(OutboundEmail.id)).all()
    assert [e.to_address for e in emails] == [alice.email, bob.email]
    assert emails[0].subject == "您的榜单“智能电网”被退回修改：预算不清"
    assert "http://127.0.0.1:5000/challenges/1" in emails[0].body and "/inbox" in emails[0].body
    assert emails[0].sent_at is None and emails[0].attempts == 0


def test_text_is_rendered_in_the_readers_language(app, make):
    from flask_babel import force_locale

    user = make.user("applicant")
    note = notify(user, "acceptance.passed", project="样机")[0]
    with app.test_request_context("/"):
        with force_locale("en"):
            assert note.text == "Project “样机” passed its acceptance."
        with force_locale("zh_CN"):
            assert note.text == "项目“样机”已通过验收。"


def test_an_unknown_kind_is_a_programming_error(app, make):
    with pytest.raises(ValueError):
        notify(make.user("applicant"), "no.such_kind")


def test_a_missing_parameter_shows_an_ellipsis_not_an_error(app, make):
    note = notify(make.user("applicant"), "acceptance.passed")[0]
    assert note.text == "项目“…”已通过验收。"


def test_queue_email_adds_to_the_outbox_without_committing(app, make):
    email = queue_email(" someone@example.cn ", "注册确认", "请打开 http://x/confirm")
    assert email.id is not None and email.to_address == "someone@example.cn"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundEmail)) == 0


def test_unread_count_in_the_navigation(client, login, make):
    user = make.user("applicant")
    login(user)
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/inbox"' in page and "inbox-unread" not in page
    notify(user, "acceptance.passed", project="甲")
    notify(user, "acceptance.passed", project="乙")
    notify(make.user("applicant"), "acceptance.passed", project="丙")  # someone else's
    db.session.commit()
    page = client.get("/dashboard").get_data(as_text=True)
    assert '<span class="inbox-unread rounded-pill text-bg-danger px-2 small fw-semibold">2</span>' in page


def test_the_inbox_lists_newest_first_and_following_marks_read(client, login, make):
    user = make.user("applicant")
    first = notify(user, "acceptance.passed", link="/projects/", project="甲")[0]
    clock.advance(timedelta(minutes=5))
    second = notify(user, "acceptance.passed", project="乙")[0]
    db.session.commit()
    login(user)
    page = client.get("/inbox").get_data(as_text=True)
    assert page.index("项目“乙”") < page.index("项目“甲”")
    assert page.count("notification unread") == 2
    response = client.post(f"/inbox/{first.id}/open")
    assert response.status_code == 302 and response.headers["Location"].endswith("/projects/")
    assert first.read_at == clock.now() and second.read_at is None
    page = client.get("/inbox").get_data(as_text=True)
    assert page.count("notification unread") == 1
    assert '<span class="inbox-unread rounded-pill text-bg-danger px-2 small fw-semibold">1</span>' in page
    response = client.post("/inbox/read-all", follow_redirects=True)
    assert "1 条通知已标为已读" in response.get_data(as_text=True)
    assert second.read_at is not None
    assert "inbox-unread" not in client.get("/inbox").get_data(as_text=True)


def test_another_users_notification_is_not_found(client, login, make):
    owner, other = make.user("applicant"), make.user("applicant")
    note = notify(owner, "acceptance.passed", project="甲")[0]
    db.session.commit()
    login(other)
    assert client.post(f"/inbox/{note.id}/open").status_code == 404
    assert client.post("/inbox/999999/open").status_code == 404
    client.post("/inbox/read-all")
    assert note.read_at is None
    assert "项目“甲”" not in client.get("/inbox").get_data(as_text=True)


def test_the_inbox_needs_a_sign_in(client):
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_link_to_another_site_is_never_followed(client, login, make):
    user = make.user("applicant")
    note = notify(user, "acceptance.passed", link="//evil.example/x", project="甲")[0]
    db.session.commit()
    login(user)
    response = client.post(f"/inbox/{note.id}/open")
    assert response.headers["Location"].endswith("/inbox") and "evil" not in response.headers["Location"]
    assert note.read_at is not None


def test_the_inbox_costs_the_same_queries_however_many_notifications(client, login, make):
    user = make.user("applicant")
    login(user)
    notify(user, "acceptance.passed", project="甲")
    db.session.commit()
    few = queries(client, "/inbox")
    for n in range(30):
        notify(user, "projects.overdue", project=f"P{n}", milestone="M", day="2026-03-01")
    db.session.commit()
    assert queries(client, "/inbox") == few


def test_the_outbox_is_the_administrators(client, login, make):
    user = make.user("applicant")
    notify(user, "acceptance.passed", link="/projects/", project="甲")
    db.session.commit()
    for role in ("officer", "applicant", "enterprise", "reviewer"):
        login(make.user(role))
        assert client.get("/outbox").status_code == 403, role
        assert 'href="/outbox"' not in client.get("/dashboard").get_data(as_text=True)
    login(make.user("admin"))
    assert 'href="/outbox"' in client.get("/dashboard").get_data(as_text=True)
    page = client.get("/outbox").get_data(as_text=True)
    assert user.email in page and "项目“甲”已通过验收。" in page
    assert '<a href="http://127.0.0.1:5000/projects/"' in page
    assert "未配置 SMTP" in page
    assert client.get("/outbox?state=sent").get_data(as_text=True).count("outbound-email") == 0


# the API ------------------------------------------------------------------------------

def test_the_inbox_api_lists_and_marks_read(client, make):
    user = make.user("applicant")
    api = ApiClient(client, make.token(user), lang="en")
    older = notify(user, "acceptance.passed", link="/projects/", project="甲")[0]
    newer = notify(user, "acceptance.passed", project="乙")[0]
    notify(make.user("applicant"), "acceptance.passed", project="丙")
    db.session.commit()
    response = api.get("/inbox?page_size=1")
    assert response.status_code == 200
    assert [n["id"] for n in response.get_json()] == [newer.id]
    assert '"total": 2' in response.headers["X-Pagination"]
    listed = api.get("/inbox").get_json()
    assert listed[1] == {"id": older.id, "kind": "acceptance.passed", "text": "Project “甲” passed its acceptance.",
                         "parameters": {"project": "甲"}, "link": "/projects/", "created_at": listed[1]["created_at"],
                         "read_at": None, "unread": True}
    response = api.post(f"/inbox/{older.id}/read")
    assert response.status_code == 200 and response.get_json()["unread"] is False
    assert older.read_at is not None
    assert api.post("/inbox/read-all").get_json() == {"marked": 1}
    assert api.post("/inbox/read-all").get_json() == {"marked": 0}
    assert unread_count(user) == 0


def test_the_inbox_api_answers_404_for_anothers_and_401_anonymous(client, make):
    owner = make.user("applicant")
    note = notify(owner, "acceptance.passed", project="甲")[0]
    db.session.commit()
    api = ApiClient(client, make.token(make.user("applicant")))
    response = api.post(f"/inbox/{note.id}/read")
    assert response.status_code == 404 and error_of(response)["message"]
    assert note.read_at is None
    assert api.get("/inbox").get_json() == []
    assert ApiClient(client).get("/inbox").status_code == 401


def test_the_unread_count_costs_one_query_per_page(client, login, make):
    user = make.user("applicant")
    notify(user, "acceptance.passed", project="甲")
    db.session.commit()
    login(user)
    statements = []
    conn = db.session.connection()

    def listen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(conn, "before_cursor_execute", listen)
    try:
        assert client.get("/dashboard").status_code == 200
        dashboard = [s for s in statements if "notifications" in s]
        statements.clear()
        assert client.get("/inbox").status_code == 200
        inbox = [s for s in statements if "count" in s.lower() and "notifications" in s
                 and "read_at IS NULL" in s]
    finally:
        sa.event.remove(conn, "before_cursor_execute", listen)
    assert len(dashboard) == 1
    assert len(inbox) == 1  # the page's own count and the navigation's are the same query
