"""Configuration read from the environment.

``GRANTS_ENV`` picks the class: ``development`` (default for ``flask run``),
``testing`` or ``production``. Production refuses to start without a
``SECRET_KEY``.
"""
from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("GRANTS_INSTANCE_DIR", BASE_DIR / "instance"))


class ConfigError(RuntimeError):
    """The configuration cannot run the application."""


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
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "5 per minute;20 per hour")
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    PER_PAGE = 50
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # How many reverse proxies (nginx ...) stand in front of the app. Behind one,
    # every request comes from the proxy's address unless X-Forwarded-For is
    # trusted, and the login rate limit would then lock out everyone at once.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
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

    @classmethod
    def validate(cls) -> None:
        """Raise ConfigError when this configuration cannot run."""


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or "development-only-not-secret"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-not-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    RATELIMIT_STORAGE_URI = "memory://"
    WTF_CSRF_ENABLED = False
    SERVER_NAME = "localhost"
    # Hashing costs dominate the suite's time; production keeps scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"

    @classmethod
    def validate(cls) -> None:
        if not cls.SECRET_KEY:
            raise ConfigError(
                "SECRET_KEY is not set. Production refuses to start without it: "
                "set SECRET_KEY to a long random value (e.g. `python -c "
                "'import secrets; print(secrets.token_hex(32))'`)."
            )


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
            f"GRANTS_ENV={name!r} is not one of {', '.join(CONFIGS)}"
        ) from None
