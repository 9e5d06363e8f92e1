"""Fixtures: the app on SQLite or a real PostgreSQL server (--db=postgresql)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from flask import g
from flask.testing import FlaskClient


def pytest_addoption(parser):
    parser.addoption("--db", default="sqlite", choices=("sqlite", "postgresql"),
                     help="database the integration and web tests run on")


@pytest.fixture(scope="session")
def database_url(request):
    """A migrated, empty database for the whole run: a SQLite file or a fresh PostgreSQL server."""
    if os.environ.get("TEST_DATABASE_URL"):
        yield os.environ["TEST_DATABASE_URL"]
        return
    if request.config.getoption("--db") == "postgresql":
        from tests.pgserver import PostgresServer

        server = PostgresServer().start()
        try:
            yield server.url
        finally:
            server.stop()
    else:
        folder = Path(tempfile.mkdtemp(prefix="planner-test-"))
        yield f"sqlite:///{folder / 'test.sqlite3'}"


@pytest.fixture(scope="session", autouse=True)
def _kept_password_hashes():
    """Each distinct scrypt hash or check is computed once per run (tests/hashing.py says why)."""
    from tests.hashing import kept_hashes

    with kept_hashes():
        yield


@pytest.fixture(scope="session")
def _migrated_app(database_url):
    from flask_migrate import upgrade

    from planner import create_app

    from planner.extensions import db

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()  # close pooled connections before the server goes away


@pytest.fixture
def app(_migrated_app):
    """The app with every table emptied before the test."""
    from planner.extensions import db
    from tests.factories import empty_all_tables

    with _migrated_app.app_context():
        empty_all_tables()
        yield _migrated_app
        db.session.remove()


class _FreshRequestClient(FlaskClient):
    """A test client whose requests do not share `g` with each other.

    The `app` fixture keeps an app context open for the whole test, and Flask
    reuses it for every request, so `g` (where Flask-Login caches the user)
    would leak from one request to the next; a real server never does that.
    """

    def open(self, *args, **kwargs):
        g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    """A test client for the app."""
    app.test_client_class = _FreshRequestClient
    return app.test_client()


@pytest.fixture
def dialect(app):
    """The name of the database dialect under test."""
    from planner.extensions import db

    return db.engine.dialect.name


@pytest.fixture
def clinic(app):
    """A small New York clinic, on shift all week from factories.MONDAY."""
    from tests.factories import small_clinic
    from tests.snapshots import built

    return built("small clinic", small_clinic)


@pytest.fixture
def clinic_clock(monkeypatch):
    """Edges (API, CLI) read planner.clock; set it to the Friday before factories.MONDAY.

    Domain and service tests pass `now` explicitly; only tests that go through an
    edge need this, so the fixed clinic week stays in the future whatever the date.
    """
    from datetime import datetime, timezone

    import planner.clock

    fixed = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
    monkeypatch.setattr(planner.clock, "now", lambda: fixed)
    return fixed


@pytest.fixture
def course_clinic(clinic):
    """The small clinic plus the session types the shipped protocols name, and shifts for 5 weeks."""
    from tests.snapshots import built

    built("course clinic", lambda: _add_course_setup(clinic), on="small clinic")
    return clinic


def _add_course_setup(clinic):
    from datetime import datetime, timedelta, timezone

    from planner.services import SYSTEM
    from planner.services.protocols import install_default_protocols
    from tests import factories as f

    f.make_session_type(f.IV_DOSING, key="iv-infusion")
    f.make_session_type(f.INTEGRATION, key="preparation", name="Preparation psychotherapy", kind="preparation")
    f.make_session_type(f.ESKETAMINE, key="esketamine")
    for week in range(1, 5):
        for day in f.week_of(f.MONDAY + timedelta(weeks=week)):
            for person in [clinic.prescriber, *clinic.nurses, clinic.therapist]:
                f.make_shift(person, clinic.site, day)
    install_default_protocols(SYSTEM, datetime(2026, 11, 20, tzinfo=timezone.utc))
