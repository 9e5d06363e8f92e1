"""Configuration classes; reads the environment, does nothing else."""

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent
INSTANCE = ROOT / "instance"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE / 'planner.sqlite3'}"
    )
    # No ping on every checkout: planner/db/pool.py pings only connections that sat idle.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # Session cookie hardening: not readable from JS, not sent on cross-site POSTs.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    # A signed-in staff session lasts a working day, not Flask's default month.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    JSON_SORT_KEYS = False
    # How often an open today board asks for its live part (a 304 costs a few ms when nothing changed).
    BOARD_REFRESH_SECONDS = 20
    # No request needs more (the largest API body, a course of 80 sessions, is some 20 kB); a bigger
    # one is refused with 413 before it is read.
    MAX_CONTENT_LENGTH = 1024 * 1024
    # Proxies in front of the app whose X-Forwarded-For and -Proto are trusted: 1 behind one
    # HTTPS proxy. 0 trusts none, so audit entries and sign-in limits see the proxy's address.
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))
    # Messages. With MAIL_SERVER unset, mail stays in the app (the outbox page shows it); set, every
    # email goes to that SMTP server, in development too.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_SECURITY = os.environ.get("MAIL_SECURITY", "none")  # none, starttls or tls
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "appointments@clinic.invalid")
    # Links in messages and feed URLs start with this; the address patients reach the app at.
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")
    # The right-hand side of every calendar UID: set once, never change it (calendars key on UIDs).
    CALENDAR_UID_DOMAIN = os.environ.get("CALENDAR_UID_DOMAIN", "planner.invalid")
    # With all three set, SMS go through Twilio; otherwise they stay in the app like mail.
    TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
    TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
    TWILIO_FROM = os.environ.get("TWILIO_FROM", "")
    TWILIO_BASE_URL = os.environ.get("TWILIO_BASE_URL", "https://api.twilio.com")


class DevelopmentConfig(Config):
    """`make run`: embedded SQLite; the scheduler is its own process (`flask planner scheduler`)."""

    DEBUG = False


class TestingConfig(Config):
    """The test suite: a database URL is given by the fixtures."""

    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = True


class ProductionConfig(Config):
    """Gunicorn + PostgreSQL: secure cookies, a real secret required."""

    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
