"""Security headers, hostile text, literal search and SQLite under concurrent writers."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from grants.extensions import db
from tests.conftest import IS_POSTGRES


# --- 10. security headers -----------------------------------------------------

def test_every_page_carries_the_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(app, make, login, client):
    import re
    from pathlib import Path

    for path in Path(app.template_folder).rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        # a JSON data block (type="application/json") is data, never run
        assert not re.search(r"<script(?![^>]*\b(src=|type=\"application/json\"))", text), path
        assert not re.search(r"\son[a-z]+=|<style|\sstyle=", text), path
    login(make.user("officer"))
    html = client.get("/dashboard").get_data(as_text=True)
    assert '<script src="/static/js/app.js"></script>' in html
    assert "cdn" not in html.lower()  # Bootstrap comes from this server
    assert client.get("/static/js/app.js").status_code == 200


def test_production_sends_hsts_and_redirects_plain_http():
    from grants import create_app
    from tests.conftest import Config

    class Production(Config):
        FORCE_HTTPS = True
        SESSION_COOKIE_SECURE = True
        REMEMBER_COOKIE_SECURE = True

    other = create_app(Production)
    client = other.test_client()
    assert client.get("/", base_url="http://localhost").status_code == 302
    response = client.get("/", base_url="https://localhost")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_the_api_documentation_still_works_with_its_own_policy(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert "'unsafe-inline'" in response.headers["Content-Security-Policy"]


# --- 17. hostile text ---------------------------------------------------------

def test_control_characters_are_stripped_from_every_form(make, login, client):
    from grants.auth.models import Organization
    from tests.factories import credit_code

    login(make.user("admin"))
    code = credit_code(990)
    client.post("/admin/organizations/new", data={
        "name": "西北\u0007理工\u001b[31m大学\u009b", "kind": "university", "credit_code": code})
    org = db.session.scalar(sa.select(Organization).where(Organization.credit_code == code))
    assert org is not None and org.name == "西北理工[31m大学"


def test_line_breaks_and_tabs_survive_the_cleaning():
    from grants.core.security import strip_control_characters

    assert strip_control_characters("第一行\r\n第二行\t缩进\r第三行\x85") == "第一行\n第二行\t缩进\n第三行"


def test_control_characters_in_the_api_are_refused_in_words(make):
    from tests.api.helpers import ApiClient, error_of
    from tests.api.test_challenge_flow_api import challenge_body

    from flask import current_app

    client = ApiClient(current_app.test_client(), make.token(make.user("enterprise")))
    response = client.post("/challenges", challenge_body(title="伺服\u001b[31m电机"))
    assert response.status_code == 422
    assert error_of(response)["details"]["title"] == "含有不允许的字符"
    assert client.post("/challenges", challenge_body(problem="两行\n文字\t可以")).status_code == 201


@pytest.mark.parametrize("q, found", [("%%%%", []), ("_", ["a_b 型号"]), ("100%", ["降本100%"]),
                                      ("a_b", ["a_b 型号"]), ("/", ["1/2 成本"]), ("\\", [])])
def test_search_wildcards_match_literally(make, client, q, found):
    for title in ("降本100%", "a_b 型号", "aXb 型号", "1/2 成本", "普通榜单"):
        make.challenge(title=title)
    html = client.get("/challenges/", query_string={"q": q}).get_data(as_text=True)
    shown = [t for t in ("降本100%", "a_b 型号", "aXb 型号", "1/2 成本", "普通榜单") if t in html]
    assert shown == found


def test_admin_search_wildcards_match_literally(make, login, client):
    login(make.user("admin"))
    make.user("officer", email="a_b@example.cn")
    make.user("officer", email="axb@example.cn")
    html = client.get("/admin/users", query_string={"q": "a_b"}).get_data(as_text=True)
    assert "a_b@example.cn" in html and "axb@example.cn" not in html
    html = client.get("/admin/users", query_string={"q": "%"}).get_data(as_text=True)
    assert "axb@example.cn" not in html


# --- 16. SQLite under concurrent writers --------------------------------------

def _file_engine(tmp_path, busy_ms=5000):
    from grants.core.setup import _tune_sqlite

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'race.sqlite3'}")
    _tune_sqlite(engine, busy_ms)
    return engine


@pytest.mark.skipif(IS_POSTGRES, reason="SQLite only")
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    engine = _file_engine(tmp_path, 1234)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1234


@pytest.mark.skipif(IS_POSTGRES, reason="SQLite only")
def test_two_threads_read_then_write_at_once_and_both_succeed(tmp_path, app):
    """Each transaction reads, waits for the other to read too, then writes: deferred
    transactions fail at once with "database is locked"; immediate ones queue."""
    engine = _file_engine(tmp_path)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE counter (n INTEGER)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (0)")
    both_read = threading.Barrier(2, timeout=2)
    errors = []

    def writer():
        try:
            with app.test_request_context(method="POST"), engine.begin() as conn:
                n = conn.exec_driver_sql("SELECT n FROM counter").scalar()
                try:
                    both_read.wait()
                except threading.BrokenBarrierError:
                    pass  # the other one holds the write lock: we queued behind it
                conn.exec_driver_sql("UPDATE counter SET n = ?", (n + 1,))
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT n FROM counter").scalar() == 2  # no lost update


@pytest.mark.skipif(IS_POSTGRES, reason="SQLite only")
def test_a_lock_that_does_not_come_is_a_clean_busy_answer(make):
    """Another writer holds the database: the page and the API answer 503 "try again"."""
    from grants import create_app
    from grants.auth import services
    from tests.conftest import Config

    class Impatient(Config):
        SQLITE_BUSY_TIMEOUT_MS = 100

    other = create_app(Impatient)

    from tests.factories import credit_code

    code = credit_code(991)

    def write():
        services.create_organization(name="并发单位", kind="enterprise", credit_code=code)
        db.session.commit()
        return "saved"

    other.add_url_rule("/__write", "write_page", write, methods=["POST"])
    other.add_url_rule("/api/__write", "write_api", write, methods=["POST"])
    other.config["PROPAGATE_EXCEPTIONS"] = False
    make.user("officer")  # this test's own transaction now holds the write lock
    client = other.test_client()
    page = client.post("/__write")
    assert page.status_code == 503 and page.headers["Retry-After"]
    assert "系统繁忙" in page.get_data(as_text=True)
    api = client.post("/api/__write")
    assert api.status_code == 503 and api.get_json()["error"]["code"] == "busy"
