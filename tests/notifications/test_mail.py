"""``flask mail send``: without SMTP nothing is sent; with it each e-mail's outcome is recorded."""
from __future__ import annotations

import socket
import smtplib

import pytest
import sqlalchemy as sa

from grants.core import clock
from grants.core.cli import run_tick
from grants.extensions import db
from grants.notifications.models import OutboundEmail
from grants.notifications.services import queue_email


class FakeSMTP:
    """Stands in for smtplib.SMTP: records what it was asked to send; refuses one address."""

    sent: list = []
    refuse = "bounce@example.cn"

    def __init__(self, host, port, timeout=None):
        self.host, self.port = host, port
        self.calls = []

    def starttls(self):
        self.calls.append("starttls")

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        if message["To"] == self.refuse:
            raise smtplib.SMTPRecipientsRefused({self.refuse: (550, b"no such user")})
        FakeSMTP.sent.append(message)

    def quit(self):
        self.calls.append("quit")


@pytest.fixture
def smtp(app):
    FakeSMTP.sent = []
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_SMTP_CLASS", "MAIL_USERNAME")}
    app.config.update(MAIL_SERVER="smtp.example.cn", MAIL_PORT=587, MAIL_SMTP_CLASS=FakeSMTP,
                      MAIL_USERNAME="grants")
    yield FakeSMTP
    app.config.update(saved)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def test_without_smtp_nothing_is_sent(app):
    email = queue_email("a@example.cn", "主题", "正文")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0
    assert "SMTP is not configured" in result.output and "nothing was sent" in result.output
    assert email.sent_at is None and email.attempts == 0
    assert run_tick()["mail_send"] == 0


def test_with_smtp_each_email_is_sent_once(app, smtp):
    first = queue_email("a@example.cn", "任务书待确认", "请打开 http://127.0.0.1:5000/projects/1")
    second = queue_email("b@example.cn", "提醒", "正文")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 2, failed 0" in result.output
    assert [m["To"] for m in smtp.sent] == ["a@example.cn", "b@example.cn"]
    assert smtp.sent[0]["Subject"] == "任务书待确认" and "projects/1" in smtp.sent[0].get_content()
    assert first.sent_at == clock.now() and first.attempts == 1 and first.last_error is None
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert "sent 0, failed 0" in result.output and len(smtp.sent) == 2


def test_a_refused_address_is_recorded_and_does_not_hold_up_the_others(app, smtp):
    bad = queue_email(smtp.refuse, "主题", "正文")
    good = queue_email("ok@example.cn", "主题", "正文")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 1 and "sent 1, failed 1" in result.output
    assert good.sent_at is not None
    assert bad.sent_at is None and bad.attempts == 1 and "SMTPRecipientsRefused" in bad.last_error


def test_the_tick_delivers_the_outbox_when_smtp_is_configured(app, smtp):
    queue_email("a@example.cn", "主题", "正文")
    db.session.commit()
    assert run_tick()["mail_send"] == 1
    assert run_tick()["mail_send"] == 0


def test_an_unreachable_server_counts_an_attempt_and_gives_up_after_the_limit(app):
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_TIMEOUT", "MAIL_USE_TLS")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port(), MAIL_TIMEOUT=2, MAIL_USE_TLS=False)
    try:
        email = queue_email("a@example.cn", "主题", "正文")
        db.session.commit()
        runner = app.test_cli_runner()
        result = runner.invoke(args=["mail", "send"])
        assert result.exit_code == 1 and "sent 0, failed 1" in result.output
        assert email.sent_at is None and email.attempts == 1
        assert "ConnectionRefusedError" in email.last_error
        for _ in range(app.config["MAIL_MAX_ATTEMPTS"] + 2):
            runner.invoke(args=["mail", "send"])
        assert email.attempts == app.config["MAIL_MAX_ATTEMPTS"]  # then left for the administrator
    finally:
        app.config.update(saved)


def test_the_outbox_page_shows_a_failed_email_with_its_error(app, client, login, make):
    email = queue_email("a@example.cn", "主题", "正文")
    email.attempts, email.last_error = 2, "ConnectionRefusedError: [Errno 111] Connection refused"
    db.session.commit()
    login(make.user("admin"))
    page = client.get("/outbox?state=failed").get_data(as_text=True)
    assert "已失败 2 次" in page and "Connection refused" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundEmail)) == 1
