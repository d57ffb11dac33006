"""The demo clock: `flask clock ...`, stored in the database for every process."""
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from config import ProductionConfig
from grants import create_app
from grants.challenges.models import ChallengeState
from grants.core import clock, demo_clock
from grants.core.models import AuditEvent
from grants.extensions import db

REAL_NOW = datetime(2026, 12, 1, 8, 0)  # 16:00 in Beijing
BANNER_ZH = "演示时钟：当前系统时间为 2027-01-15 09:00（非真实时间）"
BANNER_EN = "Demo clock: the system time is 2027-01-15 09:00 (not real time)."


@pytest.fixture
def real_time(monkeypatch):
    """Release the tests' frozen clock; the machine's time is pinned instead, and
    ``real_time["now"]`` moves it."""
    pinned = {"now": REAL_NOW}
    clock.set_now(None)
    monkeypatch.setattr(clock, "real_now", lambda: pinned["now"])
    return pinned


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["clock", *args])


def test_set_makes_every_rule_read_the_demo_time_and_it_keeps_moving(real_time, cli):
    result = cli("set", "2027-01-15T09:00")
    assert result.exit_code == 0, result.output
    assert "Demo clock: 2027-01-15 09:00 Asia/Shanghai (2027-01-15 01:00 UTC)" in result.output
    assert clock.now() == datetime(2027, 1, 15, 1, 0)
    real_time["now"] += timedelta(minutes=10)
    assert clock.now() == datetime(2027, 1, 15, 1, 10)
    assert clock.today().isoformat() == "2027-01-15"
    assert "2027-01-15 09:10 Asia/Shanghai" in cli("show").output


def test_set_accepts_a_time_with_an_offset(real_time, cli):
    assert cli("set", "2027-01-15T09:00+00:00").exit_code == 0
    assert clock.now() == datetime(2027, 1, 15, 9, 0)


@pytest.mark.parametrize("text, delta", [
    ("3d", timedelta(days=3)), ("12h", timedelta(hours=12)), ("30m", timedelta(minutes=30)),
    ("2w", timedelta(weeks=2)), ("1d12h", timedelta(days=1, hours=12)),
])
def test_advance_moves_the_clock_forward(real_time, cli, text, delta):
    cli("advance", "1d")
    result = cli("advance", text)
    assert result.exit_code == 0, result.output
    assert clock.now() == REAL_NOW + timedelta(days=1) + delta
    assert "ahead of real time" in result.output


def test_reset_returns_to_real_time(real_time, cli):
    cli("set", "2027-01-15T09:00")
    result = cli("reset")
    assert result.exit_code == 0
    assert clock.now() == REAL_NOW
    assert "Real time: 2026-12-01 16:00 Asia/Shanghai (2026-12-01 08:00 UTC); the demo clock is not set." \
        in cli("show").output


def test_every_change_is_an_audit_event(real_time, cli):
    cli("advance", "3d")
    cli("reset")
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_type == "demo_clock")
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["advance", "reset"]


@pytest.mark.parametrize("args, message", [
    (("advance", "3x"), "'3x' is not a duration: use a number and a unit (w weeks, d days, h hours, m minutes)"),
    (("advance", "d3"), "'d3' is not a duration"),
    (("set", "next monday"), "'next monday' is not a date and time: use YYYY-MM-DDTHH:MM in Asia/Shanghai time"),
])
def test_bad_input_is_refused_with_the_reason(real_time, cli, args, message):
    result = cli(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert clock.now() == REAL_NOW


def test_the_banner_shows_on_every_page_while_the_clock_is_not_real_time(real_time, cli, client, make, login):
    assert "演示时钟" not in client.get("/").get_data(as_text=True)
    cli("set", "2027-01-15T09:00")
    assert BANNER_ZH in client.get("/").get_data(as_text=True)
    assert BANNER_ZH in client.get("/no/such/page").get_data(as_text=True)
    login(make.user("officer"))
    assert BANNER_ZH in client.get("/dashboard").get_data(as_text=True)
    client.post("/lang/en", data={"next": "/"})
    assert BANNER_EN in client.get("/dashboard").get_data(as_text=True)
    cli("reset")
    assert "Demo clock" not in client.get("/dashboard").get_data(as_text=True)


def test_the_stored_clock_is_read_once_per_request(real_time, cli, client):
    cli("advance", "3d")
    statements = []

    def count(conn, cursor, statement, *args):
        if "demo_clock" in statement:
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get("/")
        assert len(statements) == 1
        client.get("/")
        assert len(statements) == 2
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def test_tick_closes_bidding_when_the_deadline_passes_on_the_demo_clock(real_time, app, make, cli):
    challenge = make.challenge(deadline_at=REAL_NOW + timedelta(days=2))
    runner = app.test_cli_runner()
    assert "close_bidding: 0" in runner.invoke(args=["tick"]).output
    cli("advance", "3d")
    result = runner.invoke(args=["tick"])
    assert "close_bidding: 1" in result.output and "(demo clock" in result.output, result.output
    db.session.refresh(challenge)
    assert challenge.state == ChallengeState.closed
    closed = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "challenge", AuditEvent.object_id == challenge.id,
        AuditEvent.action == "close_bidding")).one()
    assert closed.at == REAL_NOW + timedelta(days=3)


def test_a_row_written_before_anything_read_the_clock_is_stamped_with_the_demo_time(real_time, cli):
    from grants.auth.models import Organization, OrgKind
    from tests.factories import credit_code

    cli("set", "2027-01-15T09:00")
    demo_clock.forget_cached_offset()  # as at the start of a request: the column default reads it
    org = Organization(name="演示单位", kind=OrgKind.enterprise, credit_code=credit_code())
    db.session.add(org)
    db.session.flush()
    assert org.created_at == datetime(2027, 1, 15, 1, 0)


def test_a_frozen_test_clock_overrides_the_stored_one_without_reading_it(real_time, cli):
    cli("advance", "3d")
    with clock.frozen(datetime(2026, 3, 2, 2, 0)):
        assert clock.now() == datetime(2026, 3, 2, 2, 0)
        assert clock.demo_offset() == clock.ZERO
    assert clock.now() == REAL_NOW + timedelta(days=3)


# other processes: a second application on a database of its own -------------------------

@pytest.fixture
def shared_database(tmp_path):
    """Apps built from ``base`` on one committed SQLite database (outside the test's transaction)."""
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    apps = []

    def make_app(base):
        config = type("SharedConfig", (base,), {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "s"})
        other = create_app(config)
        if not apps:
            with other.app_context():
                db.create_all()
        apps.append(other)
        return other

    yield make_app
    for other in apps:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def _in(other, fn):
    with other.app_context():
        return fn()


def test_a_second_application_sees_the_same_clock(real_time, shared_database):
    from tests.conftest import Config

    first, second = shared_database(Config), shared_database(Config)
    result = _in(first, lambda: first.test_cli_runner().invoke(args=["clock", "set", "2027-01-15T09:00"]))
    assert result.exit_code == 0, result.output
    assert _in(second, clock.now) == datetime(2027, 1, 15, 1, 0)


def test_production_ignores_the_stored_clock_and_refuses_to_move_it(real_time, shared_database):
    from tests.conftest import Config

    demo, production = shared_database(Config), shared_database(ProductionConfig)
    _in(demo, lambda: demo.test_cli_runner().invoke(args=["clock", "advance", "3d"]))
    assert _in(demo, clock.now) == REAL_NOW + timedelta(days=3)
    assert _in(production, clock.now) == REAL_NOW
    for args in (["set", "2027-01-15T09:00"], ["advance", "3d"], ["reset"], ["show"]):
        result = _in(production, lambda: production.test_cli_runner().invoke(args=["clock", *args]))
        assert result.exit_code == 2
        assert "the demo clock is not available in production (GRANTS_ENV=production)" in result.output
    assert _in(demo, clock.now) == REAL_NOW + timedelta(days=3)
    with production.app_context(), pytest.raises(demo_clock.DemoClockDisabled):
        demo_clock.advance_clock(timedelta(days=1))
