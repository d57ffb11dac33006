"""Configuration read from the environment.

``GRANTS_ENV`` picks the class: ``development``, ``testing`` or
``production``. Unset, it means production, which refuses to start without
a ``SECRET_KEY``: a forgotten variable never runs a server with the
development secret. The ``flask`` command also reads ``.flaskenv`` and a
local, git-ignored ``.env`` (Flask's convention, via python-dotenv); a WSGI
server (``gunicorn wsgi:app``) reads only the real environment.

A bad value is reported by :meth:`Config.validate` as one
:class:`ConfigError` naming the variable, never as an error while this
module is imported.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("GRANTS_INSTANCE_DIR", BASE_DIR / "instance"))


class ConfigError(RuntimeError):
    """The configuration cannot run the application."""


@dataclass(frozen=True)
class BadValue:
    """An environment variable that could not be read; validate() reports it."""

    variable: str
    value: str
    expected: str

    def __bool__(self) -> bool:
        return False

    def problem(self) -> str:
        return f"{self.variable}={self.value!r} is not valid: set it to {self.expected}."


def _int_env(name: str, default: int) -> int | BadValue:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        return BadValue(name, raw, "a whole number")


def _flag_env(name: str, default: bool) -> bool | BadValue:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    return BadValue(name, raw, "1 or 0")


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'grants.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None
    WTF_CSRF_TIME_LIMIT = None
    # Counters shared by every worker: Redis when REDIS_URL is set. The in-memory
    # store counts per process, so production refuses it when it runs more than
    # one worker (see ProductionConfig.validate and gunicorn.conf.py).
    RATELIMIT_STORAGE_URI = (os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL")
                             or "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Failed sign-ins per client address, and per account from any address. The
    # account's limit is short-lived, so an attacker cannot lock a user out for long.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "5 per minute;20 per hour")
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "10 per 15 minutes")
    # Asking for a password-reset link: per address and per account (every request
    # counts, sent or not); opening and using the links, per address.
    PASSWORD_RESET_RATE_LIMIT = os.environ.get("PASSWORD_RESET_RATE_LIMIT", "5 per 15 minutes;20 per day")
    PASSWORD_RESET_ACCOUNT_RATE_LIMIT = os.environ.get("PASSWORD_RESET_ACCOUNT_RATE_LIMIT", "3 per hour")
    PASSWORD_RESET_LINK_RATE_LIMIT = os.environ.get("PASSWORD_RESET_LINK_RATE_LIMIT", "30 per hour")
    # The JSON API, per token (or per address without one) and per address.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120 per minute;3000 per hour")
    API_ADDRESS_RATE_LIMIT = os.environ.get("API_ADDRESS_RATE_LIMIT", "300 per minute")
    # How many worker processes serve the app (gunicorn reads the same variable).
    WEB_CONCURRENCY = _int_env("WEB_CONCURRENCY", 1)
    # zxcvbn's score a new password needs (0-4).
    PASSWORD_MIN_SCORE = 3
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    PER_PAGE = 50
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # "Keep me signed in": the same flags as the session cookie, and two weeks at most.
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Content-Security-Policy and the other security headers (grants/core/security.py);
    # HTTPS-only settings (HSTS, redirect to https) follow SESSION_COOKIE_SECURE.
    FORCE_HTTPS = False
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # How many reverse proxies (nginx ...) stand in front of the app. Behind one,
    # every request comes from the proxy's address unless X-Forwarded-For is
    # trusted, and the login rate limit would then lock out everyone at once.
    TRUSTED_PROXIES = _int_env("TRUSTED_PROXIES", 0)
    # `flask clock ...` may move the clock for demonstrations and training;
    # production always runs on real time.
    DEMO_CLOCK = True
    # Acceptance certificates (grants/certificates). The signing key and its
    # certificate are PEM files; the key's passphrase comes from the environment.
    # Without them, development and testing use (and create) a self-signed key
    # under instance/certificate-signing/; production refuses to issue.
    CERT_SIGNING_KEY = os.environ.get("CERT_SIGNING_KEY")
    CERT_SIGNING_CERT = os.environ.get("CERT_SIGNING_CERT")
    CERT_SIGNING_PASSPHRASE = os.environ.get("CERT_SIGNING_PASSPHRASE")
    CERT_ISSUER_NAME = os.environ.get("CERT_ISSUER_NAME", "市科学技术局")
    CERT_FONT_SERIF = os.environ.get("CERT_FONT_SERIF", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
    CERT_FONT_SANS = os.environ.get("CERT_FONT_SANS", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
    CERT_VERIFY_MAX_BYTES = 20 * 1024 * 1024
    CERT_VERIFY_RATE_LIMIT = os.environ.get("CERT_VERIFY_RATE_LIMIT", "10 per minute;100 per hour")
    # Posts to the public registration forms and links (pages and API together), per client.
    REGISTRATION_RATE_LIMIT = os.environ.get("REGISTRATION_RATE_LIMIT", "10 per hour")
    # E-mail (grants/notifications/mail.py): `flask mail send` and `flask tick` deliver the
    # outbox over SMTP when MAIL_SERVER is set; without it only the in-app inbox is used.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _int_env("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _flag_env("MAIL_USE_TLS", True)  # STARTTLS on MAIL_PORT
    MAIL_USE_SSL = _flag_env("MAIL_USE_SSL", False)  # SMTP over TLS from the start (port 465)
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "noreply@localhost")
    MAIL_TIMEOUT = _int_env("MAIL_TIMEOUT", 30)
    MAIL_MAX_ATTEMPTS = _int_env("MAIL_MAX_ATTEMPTS", 5)
    MAIL_BATCH = _int_env("MAIL_BATCH", 100)
    MAIL_SMTP_CLASS = None  # an smtplib.SMTP-compatible class in place of smtplib's (tests)
    # The job queue (grants/core/jobs.py): certificate rendering, e-mail and queued ticks
    # run in `flask worker` when set (e.g. redis://127.0.0.1:6379/1); unset, inline as before.
    JOB_QUEUE_URL = os.environ.get("JOB_QUEUE_URL") or None

    @classmethod
    def validate(cls) -> None:
        """Raise ConfigError when this configuration cannot run."""
        for name in dir(cls):
            value = getattr(cls, name)
            if name.isupper() and isinstance(value, BadValue):
                raise ConfigError(value.problem())
        _check_database_url(cls.SQLALCHEMY_DATABASE_URI)


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or "development-only-not-secret"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-not-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    RATELIMIT_STORAGE_URI = "memory://"
    # The API fuzz tests send thousands of requests in one test; the tests of the
    # API's limits set tight ones (tests/api/test_api_hardening.py).
    API_RATE_LIMIT = "100000 per minute"
    API_ADDRESS_RATE_LIMIT = "100000 per minute"
    WTF_CSRF_ENABLED = False
    SERVER_NAME = "localhost"
    # Hashing costs dominate the suite's time; production keeps scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    MAIL_SERVER = None  # never the environment's server from a test
    JOB_QUEUE_URL = None  # the work runs inline; tests/scaleout starts processes with a queue
    # The suite's accounts share one short password; the tests of the strength
    # rule set the production score (tests/auth/test_passwords.py).
    PASSWORD_MIN_SCORE = 0


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _flag_env("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    FORCE_HTTPS = SESSION_COOKIE_SECURE
    DEMO_CLOCK = False

    @classmethod
    def validate(cls) -> None:
        if not cls.SECRET_KEY:
            unset = "" if os.environ.get("GRANTS_ENV") else (
                " (GRANTS_ENV is not set, so the production settings apply; "
                "for a trial set GRANTS_ENV=development; the flask command also reads it from .env)")
            raise ConfigError(
                "SECRET_KEY is not set. Production refuses to start without it"
                f"{unset}: set SECRET_KEY to a long random value, e.g. the output of "
                "`python3 -c 'import secrets; print(secrets.token_hex(32))'`."
            )
        super().validate()
        check_rate_limit_storage(cls.RATELIMIT_STORAGE_URI, cls.WEB_CONCURRENCY, queue=cls.JOB_QUEUE_URL)


def check_rate_limit_storage(storage_uri: str, workers: int, *, queue: str | None = None) -> None:
    """In-memory rate limits count per process: with several workers (or several
    hosts, which a job queue means) an attacker gets each process's allowance.
    Refuse that combination."""
    if not storage_uri.startswith("memory://"):
        return
    if workers > 1:
        raise ConfigError(
            f"RATELIMIT_STORAGE_URI is memory:// but {workers} worker processes may run: sign-in "
            "limits would count per process. Set REDIS_URL (or RATELIMIT_STORAGE_URI) to e.g. "
            "redis://127.0.0.1:6379/0, or run a single worker.")
    if queue:
        raise ConfigError(
            "RATELIMIT_STORAGE_URI is memory:// but JOB_QUEUE_URL is set, the shape with several "
            "processes and hosts: sign-in limits would count per process. Set REDIS_URL (or "
            "RATELIMIT_STORAGE_URI) to the same Redis, e.g. redis://127.0.0.1:6379/0.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    name = os.environ.get("GRANTS_ENV", "production")
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigError(
            f"GRANTS_ENV={name!r} is not valid: set it to one of {', '.join(CONFIGS)}."
        ) from None


def _check_database_url(url: str) -> None:
    """A URL SQLAlchemy can parse, for a driver that is installed."""
    import sqlalchemy as sa

    hint = ("set it to e.g. postgresql+psycopg://user:password@host:5432/dbname, "
            "or leave it unset for SQLite under instance/.")
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise ConfigError(f"DATABASE_URL is not a database URL: {hint}") from None
    try:
        parsed.get_dialect().import_dbapi()
    except (sa.exc.NoSuchModuleError, ImportError) as exc:
        raise ConfigError(f"DATABASE_URL names a database driver that is not installed ({exc}): {hint}") from None
