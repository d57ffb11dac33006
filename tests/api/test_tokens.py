"""Personal API tokens: made on the account page or by the CLI, shown once, stored hashed."""
import hashlib
import re
from datetime import timedelta

from flask import current_app

from grants.api.models import ApiToken
from grants.auth.services import set_user_active
from grants.core import audit, clock
from grants.extensions import db
from tests.api.helpers import error_of

TOKEN = re.compile(r"gr_[A-Za-z0-9_-]{43}")


def _create_on_page(client, name="nightly export", days="30"):
    response = client.post("/account/tokens", data={"name": name, "days": days})
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    return TOKEN.search(html).group(0), html


def test_account_page_creates_a_token_shown_once_and_stored_hashed(login, make, api):
    user = make.user("officer", name="王芳")
    client = login(user)
    secret, html = _create_on_page(client)
    assert "请立即复制：它不会再次显示" in html
    assert html.count(secret) == 1

    token = db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (token.name, token.hint) and secret.startswith(token.hint)
    assert token.expires_at == clock.now() + timedelta(days=30)
    [event] = audit.history(token)
    assert event.action == "create" and event.actor_id == user.id and secret not in str(event.evidence)

    page = client.get("/account").get_data(as_text=True)
    assert secret not in page and f"{token.hint}…" in page and "nightly export" in page

    me = api(secret).get("/me")
    assert me.status_code == 200
    assert me.get_json()["email"] == user.email and me.get_json()["role"] == "officer"
    assert me.get_json()["token"] == {"name": "nightly export", "hint": token.hint,
                                      "expires_at": "2026-04-01T02:00:00+00:00"}
    db.session.refresh(token)
    assert token.last_used_at == clock.now()


def test_revoking_on_the_page_asks_for_confirmation_and_stops_the_token(login, make, api):
    user = make.user("applicant")
    client = login(user)
    secret, html = _create_on_page(client)
    token = db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert 'data-confirm="撤销令牌“nightly export”？' in html

    response = client.post(f"/account/tokens/{token.id}/revoke", follow_redirects=True)
    assert "令牌“nightly export”已撤销" in response.get_data(as_text=True)
    assert [e.action for e in audit.history(token)] == ["create", "revoke"]
    rejected = api(secret).get("/me")
    assert rejected.status_code == 401 and error_of(rejected)["code"] == "unauthorized"


def test_nobody_revokes_another_users_token(login, make):
    owner_secret = make.token(owner := make.user("officer"))
    token = db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == owner.id)).one()
    client = login(make.user("officer"))
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None and owner_secret


def test_token_form_checks_its_fields(login, make):
    client = login(make.user("officer"))
    response = client.post("/account/tokens", data={"name": "x", "days": "400"})
    assert response.status_code == 422
    assert "数值大小必须介于 1 到 365 之间" in response.get_data(as_text=True)
    assert not TOKEN.search(response.get_data(as_text=True))


def test_cli_creates_a_token_that_works(app, make, api):
    user = make.user("officer")
    result = app.test_cli_runner().invoke(args=["tokens", "create", "--email", user.email, "--days", "7",
                                                "--name", "ci"])
    assert result.exit_code == 0, result.output
    secret = TOKEN.search(result.stdout).group(0)
    token = db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert token.name == "ci" and token.expires_at == clock.now() + timedelta(days=7)
    assert api(secret).get("/me").get_json()["id"] == user.id


def test_cli_refuses_an_unknown_user_and_bad_days(app, make):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tokens", "create", "--email", "nobody@example.cn"])
    assert result.exit_code == 2 and "no user" in result.output
    user = make.user("officer")
    result = runner.invoke(args=["tokens", "create", "--email", user.email, "--days", "0"])
    assert result.exit_code == 2 and "有效期（天）须在 1 与 365 之间" in result.output


def test_an_expired_token_is_refused(make, api):
    secret = make.token(make.user("officer"), days=1)
    assert api(secret).get("/me").status_code == 200
    clock.set_now(clock.now() + timedelta(days=1))
    response = api(secret).get("/me")
    assert response.status_code == 401
    assert "已过期" in error_of(response)["message"]


def test_a_deactivated_users_token_is_refused(make, api):
    user = make.user("officer")
    secret = make.token(user)
    set_user_active(user, False, actor=None)
    db.session.commit()
    assert api(secret).get("/me").status_code == 401


def test_wrong_tokens_and_schemes_are_refused(api, make):
    secret = make.token(make.user("officer"))
    for header in (f"Basic {secret}", "Bearer gr_not-a-real-token", "Bearer", f"Bearer {secret}x"):
        response = api().get("/me", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_the_session_cookie_does_not_open_the_api(login, make, api):
    login(make.user("officer"))
    response = api().get("/me")
    assert response.status_code == 401


def test_me_shows_the_callers_organisation(api, make):
    user = make.user("applicant")
    me = api(make.token(user)).get("/me").get_json()
    assert me["organization"]["credit_code"] == user.organization.credit_code


def test_csrf_does_not_apply_to_token_requests_but_still_guards_pages(make):
    from grants import create_app
    from tests.conftest import Config

    class CsrfConfig(Config):
        WTF_CSRF_ENABLED = True

    other = create_app(CsrfConfig)
    # The other app works in this test's transaction, like the main one.
    db._app_engines[other][None] = db._app_engines[current_app._get_current_object()][None]
    secret = make.token(make.user("officer"))
    client = other.test_client()
    response = client.post("/api/v1/integrity/entries/999/revoke", json={"reason": "x"},
                           headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 404  # reached the resource: no CSRF refusal
    page = client.post("/account/tokens", data={"name": "x", "days": "1"})
    assert page.status_code == 400 and "安全令牌" in page.get_data(as_text=True)
