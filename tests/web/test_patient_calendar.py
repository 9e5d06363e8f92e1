"""From their link, a patient subscribes to all their appointments; the feed holds them and only them."""

from __future__ import annotations

import re
from datetime import time, timedelta

from ical.calendar_stream import IcsCalendarStream

from planner.db.models import Session
from planner.domain.calendar import to_utc
from planner.domain.links import sign_link
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from planner.services.patient_page import link_expiry
from tests.factories import MONDAY


def at(hour: int, day_offset: int = 0):
    return to_utc(MONDAY + timedelta(days=day_offset), time(hour), "America/New_York")


def book(clinic, patient: int, day: int, now):
    staff = ((clinic.prescriber, "supervising_prescriber"), (clinic.nurses[0], "monitoring_clinician"))
    return book_session(SessionOrder(clinic.patients[patient], clinic.site, clinic.iv, at(9, day), clinic.chairs[0],
                                     staff), SYSTEM, now)


def link(app, session_id: int) -> str:
    db.session.rollback()
    row = db.session.get(Session, session_id)
    return sign_link(row.id, row.version, link_expiry(row.starts_at), app.config["SECRET_KEY"])


def test_a_patient_gets_a_feed_of_their_own_appointments_from_their_link(app, client, clinic, clinic_clock):
    mine = [book(clinic, 0, day, clinic_clock) for day in (0, 2)]
    book(clinic, 1, 1, clinic_clock)  # someone else's
    page = client.post(f"/p/{link(app, mine[0])}/calendar")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    url = re.search(r'value="(http[^"]+\.ics)"', page.data.decode()).group(1)
    assert "webcal://" in page.data.decode()
    feed = client.get(url.split("127.0.0.1:5000", 1)[1])
    assert feed.status_code == 200 and feed.content_type.startswith("text/calendar")
    events = IcsCalendarStream.calendar_from_ics(feed.data.decode()).events
    assert sorted(e.uid for e in events) == sorted(f"session-{i}@planner.invalid" for i in mine)
    assert all("ketamine" not in e.summary.lower() and "infusion" not in e.summary.lower() for e in events)


def test_asking_again_makes_a_new_address_and_the_old_one_stops(app, client, clinic, clinic_clock):
    session_id = book(clinic, 0, 0, clinic_clock)
    token = link(app, session_id)
    first = re.search(r'value="http[^"]+(/feeds/[^"]+)"', client.post(f"/p/{token}/calendar").data.decode()).group(1)
    second = re.search(r'value="http[^"]+(/feeds/[^"]+)"', client.post(f"/p/{token}/calendar").data.decode()).group(1)
    assert first != second
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200


def test_a_broken_or_expired_link_gets_no_feed(app, client, clinic, clinic_clock):
    session_id = book(clinic, 0, 0, clinic_clock)
    assert client.post("/p/1.1.1.nonsense/calendar").status_code == 404
    db.session.rollback()
    row = db.session.get(Session, session_id)
    expired = sign_link(row.id, row.version, clinic_clock - timedelta(minutes=1), app.config["SECRET_KEY"])
    assert client.post(f"/p/{expired}/calendar").status_code == 410
