import pytest

from grants.extensions import db


def test_login_and_logout(client, make):
    user = make.user("officer", email="officer@example.cn")
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page
    response = client.post("/login", data={"email": "OFFICER@example.cn", "password": "password123"})
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200
    response = client.post("/logout", follow_redirects=True)
    assert "您已退出登录" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302  # back to the login page


def test_wrong_password_is_refused_in_words(client, make):
    make.user("officer", email="o@example.cn")
    response = client.post("/login", data={"email": "o@example.cn", "password": "wrong-password"})
    assert response.status_code == 200
    assert "邮箱或密码错误" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_deactivated_account_cannot_sign_in(client, make):
    user = make.user("officer", email="gone@example.cn")
    user.active = False
    db.session.commit()
    response = client.post("/login", data={"email": "gone@example.cn", "password": "password123"})
    assert "该账号已停用" in response.get_data(as_text=True)


def test_failed_logins_are_rate_limited_but_successes_are_not(client, make):
    make.user("officer", email="o@example.cn")
    for _ in range(5):
        assert client.post("/login", data={"email": "o@example.cn", "password": "bad"}).status_code == 200
    blocked = client.post("/login", data={"email": "o@example.cn", "password": "password123"})
    assert blocked.status_code == 429
    assert "尝试次数过多" in blocked.get_data(as_text=True)


def test_successful_logins_do_not_count_towards_the_limit(client, make):
    make.user("officer", email="o@example.cn")
    for _ in range(8):
        assert client.post("/login", data={"email": "o@example.cn", "password": "password123"}).status_code == 302
        client.post("/logout")


def test_open_redirect_after_login_is_ignored(client, make):
    make.user("officer", email="o@example.cn")
    response = client.post("/login?next=//evil.example/x", data={"email": "o@example.cn", "password": "password123"})
    assert response.headers["Location"].endswith("/dashboard")


NAV = {
    "admin": ("/admin/users", "/admin/organizations"),
    "officer": ("/admin/organizations",),
    "enterprise": (),
    "applicant": (),
    "reviewer": (),
}


@pytest.mark.parametrize("role", list(NAV))
def test_each_role_sees_only_its_navigation(client, make, login, role):
    user = make.user(role)
    login(user)
    html = client.get("/dashboard").get_data(as_text=True)
    for path in ("/admin/users", "/admin/organizations"):
        assert (f'href="{path}"' in html) == (path in NAV[role]), (role, path)


@pytest.mark.parametrize("role, status", [("admin", 200), ("officer", 403), ("enterprise", 403),
                                          ("applicant", 403), ("reviewer", 403)])
def test_user_administration_is_for_admins_only(client, make, login, role, status):
    login(make.user(role))
    assert client.get("/admin/users").status_code == status


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_deactivated_organisation_shuts_out_its_accounts_even_mid_session(client, make, login):
    from grants.auth import services

    org = make.org(kind="university")
    user = make.user("applicant", org=org, email="member@example.cn")
    login(user)
    assert client.get("/dashboard").status_code == 200
    services.set_organization_active(org, False, actor=None)
    db.session.commit()
    assert client.get("/dashboard").status_code == 302  # the session no longer counts
    response = client.post("/login", data={"email": "member@example.cn", "password": "password123"})
    assert "该账号已停用" in response.get_data(as_text=True)


def test_a_deactivated_account_loses_its_open_session(client, make, login):
    user = make.user("officer")
    login(user)
    user.active = False
    db.session.commit()
    assert client.get("/dashboard").status_code == 302


def test_one_page_can_be_named_differently_for_each_role(client, make, login):
    login(make.user("enterprise"))
    assert "我的榜单" in client.get("/dashboard").get_data(as_text=True)
    login(make.user("officer"))
    html = client.get("/dashboard").get_data(as_text=True)
    assert "榜单管理" in html and "我的榜单" not in html


def test_behind_a_trusted_proxy_each_client_has_its_own_login_limit():
    from grants import create_app
    from tests.conftest import Config

    class BehindProxy(Config):
        TRUSTED_PROXIES = 1

    app = create_app(BehindProxy)
    with app.app_context():
        client = app.test_client()  # failed attempts (no such account) are what counts
        bad = {"email": "o@example.cn", "password": "bad"}
        for _ in range(5):
            client.post("/login", data=bad, headers={"X-Forwarded-For": "10.0.0.1"})
        assert client.post("/login", data=bad, headers={"X-Forwarded-For": "10.0.0.1"}).status_code == 429
        # Another office behind the same proxy is not locked out.
        assert client.post("/login", data=bad, headers={"X-Forwarded-For": "10.0.0.2"}).status_code == 200
