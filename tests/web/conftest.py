"""Fixtures for the web tests: staff accounts, API tokens, signed-in clients, a clinic open today."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from planner import clock
from planner.services import SYSTEM, accounts
from planner.services.booking import SessionOrder, book_session
from tests import factories as f

PASSWORD = "correct horse battery"
CREATED = datetime(2026, 1, 1, tzinfo=timezone.utc)
_numbers = itertools.count(1)


@pytest.fixture
def user_factory(app):
    """user_factory(role="reception", **kw) -> (user_id, email, password) for a new active account."""

    def make(role: str = "reception", email: str | None = None, name: str | None = None,
             password: str = PASSWORD, staff_id: int | None = None) -> tuple[int, str, str]:
        email = email or f"{role}{next(_numbers)}@clinic.example"
        user_id = accounts.create_user(email, name or f"{role.title()} User", role, password, staff_id, now=CREATED)
        return user_id, email, password

    return make


@pytest.fixture
def api_token(user_factory):
    """api_token(role="reception") -> a bearer token string for a new account in that role."""

    def make(role: str = "reception") -> str:
        _, email, _ = user_factory(role)
        return accounts.create_api_token(email, f"{role} test token", CREATED)

    return make


def csrf_from(page: bytes | str) -> str:
    """The CSRF token in a rendered form."""
    text = page.decode() if isinstance(page, bytes) else page
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text)
    assert found, "no CSRF token in the page"
    return found.group(1)


def audit(action: str) -> list:
    """The audit events of one action, oldest first, read in a fresh snapshot (services commit on their own)."""
    from sqlalchemy import select

    from planner.db.models import AuditEvent
    from planner.extensions import db

    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def session_cookie(response) -> str:
    """The Set-Cookie header that sets the session cookie."""
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert headers, "no session cookie set"
    return headers[-1]


def sign_in(client, email: str, password: str, next_path: str | None = None):
    """Post the login form the way a browser does (GET the form, then POST it with its token)."""
    page = client.get("/login")
    data = {"email": email, "password": password, "csrf_token": csrf_from(page.data)}
    if next_path is not None:
        data["next"] = next_path
    return client.post("/login", data=data)


@pytest.fixture
def signed_in(app, client, user_factory):
    """signed_in(role="reception") -> a new test client signed in as a new account in that role.

    Asks for `client` first so every client made here clears `g` between requests, as a server would.
    """

    def make(role: str = "reception"):
        _, email, password = user_factory(role)
        client = app.test_client()
        response = sign_in(client, email, password)
        assert response.status_code == 302, response.data
        return client

    return make


# A clinic whose "today" is unambiguous: its zone is the one among these where it is
# now nearest to noon, so a test never straddles the site's midnight.
ZONES = ("America/New_York", "America/Los_Angeles", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney",
         "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Honolulu")
ALL_WEEK = [{"weekday": d, "opens": "07:00", "closes": "21:00"} for d in range(7)]


@dataclass
class ClinicToday:
    site: int
    zone: str
    today: date
    chair: int
    session: int
    prescriber: int
    nurse: int
    patient_name: str


def zone_near_noon(moment: datetime) -> str:
    """The zone in ZONES whose wall clock is closest to 12:00 at moment."""
    def distance(zone: str) -> float:
        wall = moment.astimezone(ZoneInfo(zone))
        return abs(wall.hour + wall.minute / 60 - 12)

    return min(ZONES, key=distance)


def seed_clinic_today(site_name: str = "Harbour Clinic") -> ClinicToday:
    """A site open every day with a chair, an MD and an RN on shift, and one IV session today at 13:00."""
    from tests.snapshots import built

    zone = zone_near_noon(clock.now())
    today = clock.now().astimezone(ZoneInfo(zone)).date()
    # The same rows whenever the name, zone and day are the same: built once, put back after.
    return built(f"clinic today {site_name} {zone} {today}", lambda: _seed(site_name, zone, today))


def _seed(site_name: str, zone: str, today: date) -> ClinicToday:
    site = f.make_site(name=site_name, timezone=zone, hours=ALL_WEEK)
    chair = f.make_room(site, name="Chair 1")
    f.make_room(site, name="Therapy Room", kind="therapy_office", capabilities=["therapy"])
    prescriber = f.make_staff("Dr Ada Kim", ["MD"])
    nurse = f.make_staff("Rosa Diaz", ["RN"], f.credentials("licence", "bls"))
    for person in (prescriber, nurse):
        f.make_shift(person, site, today, "08:00", "18:00", zone=zone)
    patient = f.make_patient("MRN-77", name="Jordan Avery")
    iv = f.make_session_type(f.IV_DOSING)
    start = datetime.combine(today, time(13, 0), tzinfo=ZoneInfo(zone))
    morning = datetime.combine(today, time(6, 0), tzinfo=ZoneInfo(zone))
    session = book_session(SessionOrder(patient, site, iv, start, chair,
                                        ((prescriber, "supervising_prescriber"), (nurse, "monitoring_clinician"))),
                           SYSTEM, morning)
    return ClinicToday(site, zone, today, chair, session, prescriber, nurse, "Jordan Avery")


@pytest.fixture
def clinic_today(app) -> ClinicToday:
    """seed_clinic_today() for the test's empty database."""
    return seed_clinic_today()


def days_from_now(days: int, zone: str) -> date:
    """A local date some days from the zone's today."""
    return clock.now().astimezone(ZoneInfo(zone)).date() + timedelta(days=days)


@pytest.fixture
def as_staff(app, client, user_factory):
    """as_staff(staff_id, role="clinician") -> a client signed in as an account linked to that staff record.

    Asks for `client` first, as signed_in does, so each client made here clears `g` between requests.
    One person, one login: asked again for the same staff record, it signs in anew as the same account.
    """
    logins: dict[int, tuple[str, str, str]] = {}

    def make(staff_id: int | None, role: str = "clinician"):
        if staff_id is not None and staff_id in logins:
            known_role, email, password = logins[staff_id]
            assert known_role == role, f"staff {staff_id} already signs in as a {known_role}"
        else:
            _, email, password = user_factory(role, staff_id=staff_id)
            if staff_id is not None:
                logins[staff_id] = (role, email, password)
        client = app.test_client()
        assert sign_in(client, email, password).status_code == 302
        return client

    return make
