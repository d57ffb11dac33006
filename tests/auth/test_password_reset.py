"""Choosing a new password through an e-mailed link: the same answer for any address,
a link that works once, for an hour, and only while it is the newest; the new password
follows the change-password rules and ends every session of the account."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from grants.auth import services
from grants.auth.models import PasswordReset, User
from grants.core import clock
from grants.core.models import AuditEvent
from grants.extensions import db
from grants.notifications.models import OutboundEmail
from tests.api.helpers import ApiClient, error_of

STRONG = "violet-canal-ledger-42"
ANSWER = "如果该邮箱地址对应一个有效账号，设置新密码的链接已发往该地址。"


def ask(client, email, **extra):
    return client.post("/password/forgot", data={"email": email}, follow_redirects=True, **extra)


def mails_to(address):
    return list(db.session.scalars(sa.select(OutboundEmail).where(OutboundEmail.to_address == address)
                                   .order_by(OutboundEmail.id)))


def link_in(mail) -> str:
    return re.search(r"http\S+/password/reset/(\S+)", mail.body).group(1)


def newest_token(address) -> str:
    return link_in(mails_to(address)[-1])


def set_password(client, token, new=STRONG, confirm=None):
    return client.post(f"/password/reset/{token}", data={"new_password": new, "confirm": confirm or new},
                       follow_redirects=True)


def events(user, action):
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.object_type == "user", AuditEvent.object_id == user.id, AuditEvent.action == action))


def test_the_login_page_links_to_the_form(client):
    page = client.get("/login").get_data(as_text=True)
    assert "/password/forgot" in page and "忘记密码？" in page


def test_a_known_and_an_unknown_address_get_the_same_words(client, make):
    user = make.user("officer", email="known@example.cn")
    known = ask(client, "Known@example.cn")
    unknown = ask(client, "nobody@example.cn")
    assert known.status_code == unknown.status_code == 200
    assert ANSWER in known.get_data(as_text=True) and ANSWER in unknown.get_data(as_text=True)
    assert len(mails_to(user.email)) == 1 and mails_to("nobody@example.cn") == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PasswordReset)) == 1


def test_an_unknown_address_goes_through_the_same_steps(client, make, monkeypatch):
    """Both answers make a secret, hash it and write the letter; only the known one stores and sends."""
    from grants.auth import resets

    make.user("officer", email="known@example.cn")
    steps = []
    for name in ("_digest", "reset_url", "_end_live_links"):
        real = getattr(resets, name)
        monkeypatch.setattr(resets, name, lambda *a, _real=real, _name=name, **k: steps.append(_name) or _real(*a, **k))
    ask(client, "nobody@example.cn")
    unknown_steps, steps[:] = list(steps), []
    ask(client, "known@example.cn")
    assert unknown_steps == steps == ["_digest", "reset_url", "_end_live_links"]


def test_a_deactivated_account_gets_the_answer_but_no_link(client, make):
    user = make.user("officer")
    services.set_user_active(user, False, actor=None)
    db.session.commit()
    assert ANSWER in ask(client, user.email).get_data(as_text=True)
    assert mails_to(user.email) == []


def test_the_link_sets_the_password_once_and_is_audited(client, make):
    user = make.user("officer")
    ask(client, user.email)
    mail = mails_to(user.email)[0]
    assert mail.subject == "设置新密码" and "一小时内" in mail.body
    token = link_in(mail)
    stored = db.session.scalar(sa.select(PasswordReset).where(PasswordReset.user_id == user.id))
    assert token not in stored.token_hash and len(stored.token_hash) == 64  # only its digest is kept

    assert client.get(f"/password/reset/{token}").status_code == 200  # opening it spends nothing
    done = set_password(client, token)
    assert "新密码已设置，请用它登录。" in done.get_data(as_text=True)
    assert client.post("/login", data={"email": user.email, "password": STRONG}).status_code == 302
    assert events(user, "request_password_reset") == 1 and events(user, "reset_password_by_link") == 1

    client.post("/logout")
    again = client.get(f"/password/reset/{token}")
    assert again.status_code == 410 and "使用过；每个链接只能使用一次" in again.get_data(as_text=True)
    assert set_password(client, token, new="other-harbour-quartz-77").status_code == 410
    assert client.post("/login", data={"email": user.email, "password": STRONG}).status_code == 302


def test_the_link_follows_the_change_password_rules(client, make, app):
    user = make.user("officer", email="wei.zhang@example.cn", name="Wei Zhang")
    ask(client, user.email)
    token = newest_token(user.email)
    app.config["PASSWORD_MIN_SCORE"] = 3
    try:
        weak = set_password(client, token, new="password")
        assert "太容易被猜到" in weak.get_data(as_text=True)
        short = set_password(client, token, new="abc")
        assert "至少 8 个字符" in short.get_data(as_text=True)
        mismatch = set_password(client, token, confirm="something-else-entirely")
        assert "与新密码不一致" in mismatch.get_data(as_text=True)
        same = set_password(client, token, new="password123")
        assert "须与当前密码不同" in same.get_data(as_text=True)
        # None of them spent the link.
        assert "新密码已设置" in set_password(client, token).get_data(as_text=True)
    finally:
        app.config["PASSWORD_MIN_SCORE"] = 0


def test_the_link_expires_after_an_hour(client, make):
    user = make.user("officer")
    ask(client, user.email)
    token = newest_token(user.email)
    clock.advance(timedelta(minutes=59))
    assert client.get(f"/password/reset/{token}").status_code == 200
    clock.advance(timedelta(minutes=2))
    expired = set_password(client, token)
    assert expired.status_code == 410 and "过期，请重新申请" in expired.get_data(as_text=True)
    assert client.post("/login", data={"email": user.email, "password": STRONG}).status_code == 200


def test_a_newer_link_replaces_the_older_one(client, make):
    user = make.user("officer")
    ask(client, user.email)
    first = newest_token(user.email)
    ask(client, user.email)
    second = newest_token(user.email)
    refused = set_password(client, first)
    assert refused.status_code == 410 and "被更新的链接取代" in refused.get_data(as_text=True)
    assert "新密码已设置" in set_password(client, second).get_data(as_text=True)


def test_an_unknown_or_truncated_link_is_refused_in_words(client, make):
    user = make.user("officer")
    ask(client, user.email)
    token = newest_token(user.email)
    refused = client.get(f"/password/reset/{token[:-3]}")
    assert refused.status_code == 410 and "该链接无效，请检查是否完整复制" in refused.get_data(as_text=True)


def test_a_deactivated_account_cannot_use_its_link(client, make):
    user = make.user("officer")
    ask(client, user.email)
    token = newest_token(user.email)
    services.set_user_active(user, False, actor=None)
    db.session.commit()
    refused = set_password(client, token)
    assert refused.status_code == 410 and "该账号已停用" in refused.get_data(as_text=True)


def test_the_new_password_ends_every_session_of_the_account(app, make):
    user = make.user("officer")
    laptop = app.test_client()
    laptop.post("/login", data={"email": user.email, "password": "password123", "remember": "y"})
    remembered = laptop.get_cookie("remember_token").value
    assert laptop.get("/dashboard").status_code == 200

    stranger = app.test_client()
    ask(stranger, user.email)
    set_password(stranger, newest_token(user.email))
    assert laptop.get("/dashboard").status_code == 302  # to the sign-in page
    thief = app.test_client()
    thief.set_cookie("remember_token", remembered)
    assert thief.get("/dashboard").status_code == 302
    assert db.session.get(User, user.id).must_change_password is False


def test_an_administrator_reset_is_replaced_through_the_link_too(client, make):
    user = make.user("officer")
    services.reset_password(user, actor=None)
    db.session.commit()
    ask(client, user.email)
    set_password(client, newest_token(user.email))
    client.post("/login", data={"email": user.email, "password": STRONG})
    assert client.get("/dashboard").status_code == 200  # no forced change any more


def test_the_outbox_shows_the_link_to_the_administrator(client, make, login):
    user = make.user("officer")
    ask(client, user.email)
    token = newest_token(user.email)
    login(make.user("admin"))
    assert f"/password/reset/{token}" in client.get("/outbox").get_data(as_text=True)


def test_requests_are_limited_per_address_and_per_account(client, make, app):
    user = make.user("officer", email="target@example.cn")
    app.config["PASSWORD_RESET_ACCOUNT_RATE_LIMIT"] = "2 per hour"
    try:
        for n in range(2):
            assert ask(client, "Target@example.cn", environ_base={"REMOTE_ADDR": f"10.0.1.{n}"}).status_code == 200
        blocked = ask(client, user.email, environ_base={"REMOTE_ADDR": "10.0.1.9"})
        assert blocked.status_code == 429 and "尝试次数过多" in blocked.get_data(as_text=True)
        assert len(mails_to(user.email)) == 2
        # An unknown address is limited the same way, so the limit tells nothing either.
        for n in range(2):
            ask(client, "ghost@example.cn", environ_base={"REMOTE_ADDR": f"10.0.2.{n}"})
        assert ask(client, "ghost@example.cn", environ_base={"REMOTE_ADDR": "10.0.2.9"}).status_code == 429
    finally:
        app.config["PASSWORD_RESET_ACCOUNT_RATE_LIMIT"] = "3 per hour"
    app.config["PASSWORD_RESET_RATE_LIMIT"] = "3 per 15 minutes"
    try:
        for n in range(3):
            assert ask(client, f"someone{n}@example.cn", environ_base={"REMOTE_ADDR": "10.0.3.1"}).status_code == 200
        assert ask(client, "else@example.cn", environ_base={"REMOTE_ADDR": "10.0.3.1"}).status_code == 429
    finally:
        app.config["PASSWORD_RESET_RATE_LIMIT"] = "5 per 15 minutes;20 per day"


# --- the same through the JSON API ---------------------------------------------

def test_the_api_answers_the_same_words_and_sets_the_password_once(client, make):
    user = make.user("officer")
    api = ApiClient(client, lang="en")
    known = api.post("/password-resets", {"email": user.email})
    unknown = api.post("/password-resets", {"email": "nobody@example.cn"})
    assert known.status_code == unknown.status_code == 202
    assert known.get_json() == unknown.get_json()
    assert known.get_json()["message"].startswith("If an active account uses this address")
    token = newest_token(user.email)

    weak = api.post("/password-resets/complete", {"token": token, "password": "short"})
    assert weak.status_code == 422 and "at least 8 characters" in error_of(weak)["message"]
    done = api.post("/password-resets/complete", {"token": token, "password": STRONG})
    assert done.status_code == 200 and "sign in with it" in done.get_json()["message"]
    again = api.post("/password-resets/complete", {"token": token, "password": "other-harbour-quartz-77"})
    assert again.status_code == 409 and "each link works once" in error_of(again)["message"]
    assert client.post("/login", data={"email": user.email, "password": STRONG}).status_code == 302


def test_the_api_refuses_an_expired_link_in_words(client, make):
    user = make.user("officer")
    api = ApiClient(client, lang="en")
    api.post("/password-resets", {"email": user.email})
    clock.advance(timedelta(hours=1, seconds=1))
    expired = api.post("/password-resets/complete", {"token": newest_token(user.email), "password": STRONG})
    assert expired.status_code == 409 and "expired" in error_of(expired)["message"]


@pytest.mark.parametrize("body", [{}, {"email": 5}, {"email": "x@example.cn", "extra": 1}])
def test_the_api_refuses_a_malformed_request(client, body):
    assert ApiClient(client).post("/password-resets", body).status_code == 422
