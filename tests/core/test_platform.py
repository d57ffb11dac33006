"""Configuration, migrations, language and error pages."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import config
from config import ProductionConfig
from grants import create_app
from grants.extensions import db


def test_migrations_match_the_models(app):
    conn = db.session.connection()
    diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(Exception, match="SECRET_KEY is not set"):
        create_app(ProductionConfig)


ROOT = Path(__file__).resolve().parents[2]


def _run(args, cwd, **env):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(args, env=env, capture_output=True, text=True, cwd=str(cwd))


def _one_line_and_exit_2(result, reason: str) -> None:
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert reason in result.stderr


def test_wsgi_without_secret_key_exits_with_the_reason(tmp_path):
    result = _run([sys.executable, "-c", "import wsgi"], ROOT,
                  GRANTS_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    _one_line_and_exit_2(result, "Error: SECRET_KEY is not set. Production refuses to start without it: "
                                 "set SECRET_KEY to a long random value")


def test_flask_command_without_settings_says_what_to_set(tmp_path):
    """In a fresh shell: the app comes from .flaskenv, no GRANTS_ENV means production."""
    shutil.copy(ROOT / ".flaskenv", tmp_path / ".flaskenv")
    result = _run([str(Path(sys.executable).parent / "flask"), "tick"], tmp_path,
                  DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    _one_line_and_exit_2(result, "SECRET_KEY is not set. Production refuses to start without it "
                                 "(GRANTS_ENV is not set, so the production settings apply; "
                                 "for a trial set GRANTS_ENV=development; the flask command also reads it from .env)")


def test_serve_script_refuses_a_bad_port_before_setting_anything_up():
    result = _run(["bash", str(ROOT / "scripts" / "serve.sh")], ROOT, PORT="80a")
    assert result.returncode == 2
    assert result.stderr == "[serve] ERROR: PORT=80a is not a port number: set PORT to e.g. 5000\n"
    assert result.stdout == ""


@pytest.mark.parametrize("variable, value, reason", [
    ("TRUSTED_PROXIES", "one", "TRUSTED_PROXIES='one' is not valid: set it to a whole number."),
    ("SESSION_COOKIE_SECURE", "maybe", "SESSION_COOKIE_SECURE='maybe' is not valid: set it to 1 or 0."),
])
def test_a_bad_setting_is_named_with_what_to_set(monkeypatch, variable, value, reason):
    monkeypatch.setenv(variable, value)
    reader = config._flag_env if variable == "SESSION_COOKIE_SECURE" else config._int_env
    bad = type("Bad", (config.DevelopmentConfig,), {variable: reader(variable, 0)})
    with pytest.raises(config.ConfigError) as refused:
        bad.validate()
    assert str(refused.value) == reason


@pytest.mark.parametrize("url, reason", [
    ("not a url", "DATABASE_URL is not a database URL: set it to e.g. postgresql+psycopg://"),
    ("postgresql://u@h/db", "DATABASE_URL names a database driver that is not installed (No module named 'psycopg2')"),
])
def test_a_bad_database_url_is_named(url, reason):
    bad = type("Bad", (config.DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    with pytest.raises(config.ConfigError, match=re.escape(reason)):
        bad.validate()


def test_an_unknown_environment_name_is_named(monkeypatch):
    monkeypatch.setenv("GRANTS_ENV", "staging")
    with pytest.raises(config.ConfigError, match=re.escape(
            "GRANTS_ENV='staging' is not valid: set it to one of development, testing, production.")):
        config.config_from_env()


def test_pages_are_in_chinese_by_default_and_english_on_request(client):
    assert "重点科技项目" in client.get("/").get_data(as_text=True)
    client.post("/lang/en", data={"next": "/"})
    assert "Open competition for key science" in client.get("/").get_data(as_text=True)
    client.post("/lang/zh_CN", data={"next": "/"})
    assert "重点科技项目" in client.get("/").get_data(as_text=True)


def test_error_pages_are_in_the_users_language_without_internals(client):
    response = client.get("/no/such/page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "该页面不存在" in html and "Traceback" not in html


def test_every_message_has_a_chinese_translation():
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2] / "scripts"))
    import i18n

    assert i18n.check() == []


def test_server_error_page_hides_the_stack():
    from tests.conftest import Config

    other = create_app(Config)

    @other.get("/__boom")
    def boom():
        raise RuntimeError("secret internals")

    other.config["PROPAGATE_EXCEPTIONS"] = False
    response = other.test_client().get("/__boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "未保存任何内容" in html and "secret internals" not in html


def test_tick_runs_each_registered_job_and_reports_counts(app):
    from grants.core import registry

    calls = []
    registry.tick_job("test_job", order=999)(lambda: calls.append(1) or 3)
    try:
        result = app.test_cli_runner().invoke(args=["tick"])
    finally:
        registry.TICK_JOBS[:] = [j for j in registry.TICK_JOBS if j.name != "test_job"]
    assert result.exit_code == 0, result.output
    assert "test_job: 3" in result.output and calls == [1]


def test_history_speaks_words_and_shows_evidence_to_the_bureau_only(app, make, login, client):
    challenge = make.challenge()
    bid = make.bid(challenge)
    team_member = make.user("applicant", org=bid.organization)
    login(team_member)
    html = client.get(f"/bids/{bid.id}").get_data(as_text=True)
    assert "历史记录" in html and "已提交" in html
    assert ">submit<" not in html and bid.lead.id_number not in html
    login(make.user("officer"))
    html = client.get(f"/bids/{bid.id}").get_data(as_text=True)
    assert "核查依据" in html and bid.lead.id_number in html


def test_a_failing_tick_job_does_not_stop_the_others(app):
    from grants.core import registry

    done = []

    def broken():
        raise RuntimeError("stuck")

    registry.tick_job("aa_broken", order=-1)(broken)
    registry.tick_job("zz_after", order=999)(lambda: done.append(1) or 1)
    try:
        result = app.test_cli_runner().invoke(args=["tick"])
    finally:
        registry.TICK_JOBS[:] = [j for j in registry.TICK_JOBS if j.name not in ("aa_broken", "zz_after")]
    assert result.exit_code == 1
    assert "aa_broken: FAILED" in result.output and "zz_after: 1" in result.output and done == [1]


def test_a_constraint_hit_by_a_race_is_told_as_a_conflict_not_a_crash():
    import sqlalchemy as sa

    from tests.conftest import Config

    other = create_app(Config)

    @other.get("/__race")
    def race():
        raise sa.exc.IntegrityError("INSERT ...", {}, Exception("duplicate key"))

    other.config["PROPAGATE_EXCEPTIONS"] = False
    client = other.test_client()
    response = client.get("/__race")
    assert response.status_code == 409 and "已被他人修改" in response.get_data(as_text=True)


def _locked(lock_file):
    """Package name -> pinned version in a lock file (requirements format)."""
    from packaging.utils import canonicalize_name

    pins = {}
    for line in lock_file.read_text().splitlines():
        if line and not line[0].isspace() and not line.startswith("#") and "==" in line:
            name, version = line.split("==", 1)
            pins[canonicalize_name(name)] = version.split()[0].rstrip("\\").strip()
    return pins


def test_the_lock_files_satisfy_pyproject():
    """Every dependency in pyproject.toml is pinned in the lock at a version its
    range admits; scripts/lock.sh regenerates the lock after a change."""
    import tomllib
    from pathlib import Path

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    root = Path(__file__).resolve().parents[2]
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    build = [line for line in (root / "requirements" / "build.in").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    wanted = {
        "app.txt": project["dependencies"],
        "test.txt": project["dependencies"] + project["optional-dependencies"]["test"] + build,
    }
    problems = []
    for lock_name, requirements in wanted.items():
        pins = _locked(root / "requirements" / lock_name)
        for text in requirements:
            requirement = Requirement(text)
            pinned = pins.get(canonicalize_name(requirement.name))
            if pinned is None:
                problems.append(f"{requirement.name} is missing from requirements/{lock_name}")
            elif not requirement.specifier.contains(pinned, prereleases=True):
                problems.append(f"requirements/{lock_name} pins {requirement.name}=={pinned}, "
                                f"outside {requirement.specifier}")
    assert problems == [], "run scripts/lock.sh: " + "; ".join(problems)


def test_the_environment_is_installed_from_the_lock():
    from importlib.metadata import PackageNotFoundError, version
    from pathlib import Path

    pins = _locked(Path(__file__).resolve().parents[2] / "requirements" / "test.txt")
    wrong = []
    for name, pinned in pins.items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = None
        if installed != pinned:
            wrong.append(f"{name}: locked {pinned}, installed {installed}")
    assert wrong == [], "run scripts/setup.sh: " + "; ".join(wrong)


def test_templates_follow_the_language_switch_and_a_forced_language_within_one_request(app, client):
    """Templates look their translations up once per language, not once per word: a page
    after the switch to English is English, and a document rendered in Chinese within an
    English one (``force_locale``) is Chinese, and each returns to its own language after."""
    from flask import render_template_string
    from flask_babel import force_locale, refresh

    assert "登录" in client.get("/").get_data(as_text=True)
    page = client.post("/lang/en", data={"next": "/"}, follow_redirects=True).get_data(as_text=True)
    assert "Sign in" in page and "登录" not in page
    with app.test_request_context("/"):
        refresh()
        words = "{{ _('Sign in') }}"
        assert render_template_string(words) == "登录"
        with force_locale("en"):
            assert render_template_string(words) == "Sign in"
            with force_locale("zh_CN"):
                assert render_template_string(words) == "登录"
            assert render_template_string(words) == "Sign in"
        assert render_template_string(words) == "登录"
