"""Sign-in hardening: where a login may send you, sessions and remember-me cookies
that end everywhere, timing that does not tell which accounts exist, throttling
per account, and password changes and resets."""
from __future__ import annotations

import pytest

from grants.auth import services
from grants.extensions import db

STRONG = "violet-canal-ledger-42"


def sign_in(client, user, password="password123", **extra):
    return client.post("/login", data={"email": user.email, "password": password, **extra})


# --- 1. where a login may send you -------------------------------------------

@pytest.mark.parametrize("target", ["/%09/evil.example", "/%0a/evil.example", "/%5Cevil.example",
                                    "%09//evil.example", "//evil.example/x", "https://evil.example/",
                                    "/%0d%0a/evil.example", "javascript:alert(1)"])
def test_after_login_no_target_leaves_the_site(client, make, target):
    user = make.user("officer")
    response = client.post(f"/login?next={target}", data={"email": user.email, "password": "password123"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil.example" not in location and not location.startswith("//")
    assert location.endswith("/dashboard")


def test_after_login_a_page_of_the_site_is_kept(client, make):
    user = make.user("officer")
    response = client.post("/login?next=/challenges/%3Fq%3Dx", data={"email": user.email, "password": "password123"})
    assert response.headers["Location"].endswith("/challenges/?q=x")


# --- 2, 3. sign-out, a new password and deactivation end every session --------

def _cookie(client, name):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def test_a_replayed_session_cookie_is_dead_after_logout(app, make):
    user = make.user("officer")
    client = app.test_client()
    sign_in(client, user)
    stolen = _cookie(client, "session")
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/dashboard").status_code == 302  # to the sign-in page


def test_a_remember_me_cookie_is_dead_after_logout(app, make):
    user = make.user("officer")
    client = app.test_client()
    sign_in(client, user, remember="y")
    remembered = _cookie(client, "remember_token")
    assert remembered
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("remember_token", remembered)
    assert thief.get("/dashboard").status_code == 302


def test_signing_out_on_one_device_signs_out_the_others(app, make):
    user = make.user("officer")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, user)
    sign_in(phone, user, remember="y")
    laptop.post("/logout")
    assert phone.get("/dashboard").status_code == 302


def test_a_remember_me_cookie_still_works_until_then(app, make):
    user = make.user("officer")
    client = app.test_client()
    sign_in(client, user, remember="y")
    fresh = app.test_client()
    fresh.set_cookie("remember_token", _cookie(client, "remember_token"))
    assert fresh.get("/dashboard").status_code == 200


def test_deactivation_ends_the_sessions_and_remember_cookies(app, make, login):
    user = make.user("officer")
    device = app.test_client()
    sign_in(device, user, remember="y")
    remembered = _cookie(device, "remember_token")
    services.set_user_active(user, False, actor=None)
    services.set_user_active(user, True, actor=None)  # even once active again
    db.session.commit()
    assert device.get("/dashboard").status_code == 302
    other = app.test_client()
    other.set_cookie("remember_token", remembered)
    assert other.get("/dashboard").status_code == 302


def test_the_remember_cookie_is_flagged_and_lasts_two_weeks(app, make):
    from datetime import timedelta

    from config import ProductionConfig

    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] and app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True
    client = app.test_client()
    sign_in(client, make.user("officer"), remember="y")
    cookie = client.get_cookie("remember_token")
    assert cookie.http_only and cookie.same_site == "Lax"


# --- 8. timing does not tell which accounts exist -----------------------------

def test_an_unknown_account_costs_a_password_hash_too(client, make, monkeypatch):
    make.user("officer", email="known@example.cn")
    checked = []
    real = services.check_password_hash
    monkeypatch.setattr(services, "check_password_hash",
                        lambda stored, password: checked.append(stored) or real(stored, password))
    client.post("/login", data={"email": "nobody@example.cn", "password": "whatever-1"})
    client.post("/login", data={"email": "known@example.cn", "password": "whatever-1"})
    assert len(checked) == 2  # one hash each: the unknown account's is a dummy
    assert checked[0].split("$")[0] == checked[1].split("$")[0]  # the same method and cost


# --- 9. throttling per account as well as per address -------------------------

def test_failed_logins_for_one_account_are_limited_from_any_address(client, make, app):
    user = make.user("officer", email="target@example.cn")
    app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = "3 per 15 minutes"
    try:
        for n in range(3):
            response = client.post("/login", data={"email": "Target@example.cn", "password": "bad"},
                                   environ_base={"REMOTE_ADDR": f"10.0.0.{n + 1}"})
            assert response.status_code == 200
        blocked = client.post("/login", data={"email": user.email, "password": "password123"},
                              environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert blocked.status_code == 429 and "尝试次数过多" in blocked.get_data(as_text=True)
        # Another account from the same address is not affected.
        other = make.user("officer")
        assert client.post("/login", data={"email": other.email, "password": "password123"},
                           environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 302
    finally:
        app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = "10 per 15 minutes"


def test_the_account_limit_is_short_lived():
    from limits import parse_many

    from config import Config

    for item in parse_many(Config.LOGIN_ACCOUNT_RATE_LIMIT):
        assert item.get_expiry() <= 15 * 60


def test_production_refuses_memory_storage_with_several_workers(monkeypatch):
    from config import ConfigError, ProductionConfig

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x" * 32)
    monkeypatch.setattr(ProductionConfig, "RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.setattr(ProductionConfig, "WEB_CONCURRENCY", 4)
    with pytest.raises(ConfigError, match="REDIS_URL"):
        ProductionConfig.validate()
    monkeypatch.setattr(ProductionConfig, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    ProductionConfig.validate()
    monkeypatch.setattr(ProductionConfig, "RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.setattr(ProductionConfig, "WEB_CONCURRENCY", 1)
    ProductionConfig.validate()


def test_gunicorn_with_several_workers_and_memory_storage_does_not_start(monkeypatch):
    import importlib.util
    from pathlib import Path
    from types import SimpleNamespace

    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", Path(__file__).resolve().parents[2] / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("JOB_QUEUE_URL", raising=False)
    with pytest.raises(SystemExit, match="memory://"):
        conf.on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=4)))
    conf.on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=1)))
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    conf.on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=4)))


def test_redis_is_the_default_store_when_redis_url_is_set(monkeypatch):
    import importlib

    import config

    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/1")
    try:
        assert importlib.reload(config).Config.RATELIMIT_STORAGE_URI == "redis://cache:6379/1"
    finally:
        monkeypatch.delenv("REDIS_URL")
        importlib.reload(config)


# --- 11. passwords ------------------------------------------------------------

@pytest.fixture
def production_strength(app):
    """New passwords from here on need the production score (the suite's accounts are made before)."""
    def strict():
        app.config["PASSWORD_MIN_SCORE"] = 3

    yield strict
    app.config["PASSWORD_MIN_SCORE"] = 0


@pytest.mark.parametrize("weak", ["12345678", "password", "qwertyuiop", "password123", "zhangwei2024"])
def test_common_and_weak_passwords_are_refused_in_words(make, production_strength, weak):
    from grants.core.errors import ValidationFailed

    production_strength()
    with pytest.raises(ValidationFailed) as refused:
        services.create_user(email="zhangwei@example.cn", display_name="Zhang Wei", password=weak, role="officer")
    assert "太容易被猜到" in str(refused.value)


def test_a_strong_password_is_accepted(make, production_strength):
    production_strength()
    user = services.create_user(email="li@example.cn", display_name="李四", password=STRONG, role="officer")
    assert user.check_password(STRONG)


def test_every_user_changes_their_password_and_other_devices_are_signed_out(app, make, production_strength):
    user = make.user("applicant")
    production_strength()
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, user)
    sign_in(elsewhere, user, remember="y")
    page = here.get("/account/password").get_data(as_text=True)
    assert "修改密码" in page
    wrong = here.post("/account/password", data={"current_password": "nope", "new_password": STRONG,
                                                 "confirm": STRONG})
    assert "当前密码不正确" in wrong.get_data(as_text=True)
    weak = here.post("/account/password", data={"current_password": "password123", "new_password": "password1",
                                                "confirm": "password1"})
    assert "太容易被猜到" in weak.get_data(as_text=True)
    done = here.post("/account/password", data={"current_password": "password123", "new_password": STRONG,
                                                "confirm": STRONG})
    assert done.status_code == 302
    assert here.get("/dashboard").status_code == 200  # this device stays signed in
    assert elsewhere.get("/dashboard").status_code == 302
    assert sign_in(app.test_client(), user, STRONG).status_code == 302


def test_an_administrator_reset_forces_a_change_at_next_login(app, make, login, client):
    user = make.user("officer")
    victim_device = app.test_client()
    sign_in(victim_device, user)
    login(make.user("admin"))
    page = client.post(f"/admin/users/{user.id}/password").get_data(as_text=True)
    assert "临时密码" in page
    temporary = page.split('id="temporary-password">')[1].split("<")[0]
    assert victim_device.get("/dashboard").status_code == 302  # the reset ended the old sessions
    fresh = app.test_client()
    response = sign_in(fresh, user, temporary)
    assert response.headers["Location"].endswith("/account/password")
    assert fresh.get("/challenges/").headers["Location"].endswith("/account/password")
    fresh.post("/account/password", data={"current_password": temporary, "new_password": STRONG, "confirm": STRONG})
    assert fresh.get("/challenges/").status_code == 200


def test_only_the_administrator_resets_passwords(make, login, client):
    user = make.user("officer")
    login(make.user("officer"))
    assert client.post(f"/admin/users/{user.id}/password").status_code == 403
