"""A feed's sessions, kept per date between polls, are what a fresh read gives after any change; the marks see every date.

The kept copy re-reads a date only when the triggers raised its mark (planner/db/models/marks.py):
every change below goes through the application or past it in plain SQL, and the kept read is
compared with a read of its own that keeps nothing.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select, text, update

from planner.db import reads
from planner.db.models import DayMark, Session, SessionStaff
from planner.db.reads import feed as feedreads
from planner.db.uow import unit_of_work
from planner.domain import lifecycle
from planner.domain.calendar import to_utc
from planner.domain.errors import BookingRefused
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session, cancel_session, reschedule_session
from tests import factories as f

ZONE = "America/New_York"
BEFORE = datetime(2026, 11, 20, tzinfo=timezone.utc)
SHOWN = (lifecycle.BOOKED, lifecycle.ARRIVED, lifecycle.IN_PROGRESS, lifecycle.HELD, lifecycle.FULFILLED)
FIRST = datetime.combine(f.MONDAY - timedelta(days=3), time(0), tzinfo=timezone.utc)
END = datetime.combine(f.MONDAY + timedelta(days=9), time(0), tzinfo=timezone.utc)


def kept(owner: tuple[str, int]) -> list:
    kind, owner_id = owner
    with unit_of_work(write=False) as session:
        return reads.feed_sessions(session, first=FIRST, end=END, statuses=SHOWN, **{f"{kind}_id": owner_id})


def fresh(owner: tuple[str, int]) -> list:
    """The same sessions read with the ORM, nothing kept."""
    kind, owner_id = owner
    owned = (Session.id.in_(select(SessionStaff.session_id).where(SessionStaff.staff_id == owner_id))
             if kind == "staff" else Session.patient_id == owner_id)
    with unit_of_work(write=False) as session:
        found = session.execute(
            select(Session.id, Session.sequence, Session.starts_at, Session.ends_at, Session.status, Session.site_id,
                   Session.room_id, Session.session_type_id, Session.updated_at)
            .where(owned, Session.status.in_(SHOWN), Session.starts_at >= FIRST, Session.starts_at < END)
            .order_by(Session.starts_at, Session.id)).all()
        return [reads.FeedSession(*row) for row in found]


def at(day: int, hour: int) -> datetime:
    return to_utc(f.MONDAY + timedelta(days=day), time(hour), ZONE)


def book(clinic, rng) -> None:
    staff = ((clinic.prescriber, "supervising_prescriber"), (rng.choice(clinic.nurses), "monitoring_clinician"))
    try:
        book_session(SessionOrder(rng.choice(clinic.patients), clinic.site, clinic.iv, at(rng.randrange(5),
                                  8 + rng.randrange(9)), rng.choice(clinic.chairs), staff), SYSTEM, BEFORE)
    except BookingRefused:
        pass  # the patient or the chair may be taken then: nothing was written


def some_session(rng) -> int | None:
    found = db.session.execute(text("SELECT id FROM sessions WHERE status = 'booked' ORDER BY id")).scalars().all()
    db.session.rollback()
    return rng.choice(found) if found else None


def change(clinic, rng) -> None:
    """One change of the kind a clinic makes, sometimes behind the application's back."""
    kind = rng.choice(["book", "book", "book", "cancel", "move", "swap nurse", "raw unplace", "raw patient",
                       "raw status", "raw note"])
    found = some_session(rng)
    if kind == "book" or found is None:
        book(clinic, rng)
    elif kind == "cancel":
        cancel_session(found, SYSTEM, BEFORE)
    elif kind in ("move", "swap nurse"):
        row = db.session.get(Session, found)
        start, nurse = row.starts_at, rng.choice(clinic.nurses)
        db.session.rollback()
        try:
            if kind == "move":
                reschedule_session(found, at(rng.randrange(5), 8 + rng.randrange(9)), SYSTEM, BEFORE)
            else:
                reschedule_session(found, start, SYSTEM, BEFORE, staff=((clinic.prescriber, "supervising_prescriber"),
                                                                      (nurse, "monitoring_clinician")))
        except BookingRefused:
            pass
    else:
        statement = {"raw unplace": "DELETE FROM session_staff WHERE session_id = :id AND role = 'monitoring_clinician'",
                     "raw patient": f"UPDATE sessions SET patient_id = {rng.choice(clinic.patients)} WHERE id = :id",
                     "raw status": "UPDATE sessions SET status = 'arrived' WHERE id = :id",
                     "raw note": "UPDATE sessions SET note = 'bring a book' WHERE id = :id"}[kind]
        db.session.execute(text(statement), {"id": found})
        db.session.commit()


def test_kept_feed_sessions_are_what_a_fresh_read_gives_after_every_kind_of_change(clinic):
    rng = random.Random(20261123)
    owners = [("staff", clinic.prescriber), *(("staff", nurse) for nurse in clinic.nurses),
              *(("patient", patient) for patient in clinic.patients[:3])]
    compared = rows = 0
    for step in range(40):
        change(clinic, rng)
        for owner in rng.sample(owners, 3):
            found = kept(owner)
            assert found == fresh(owner), (step, owner)
            compared, rows = compared + 1, rows + len(found)
    assert compared == 120 and rows > 150  # the comparisons were about something


def test_after_a_move_within_one_date_only_that_dates_sessions_are_read_again(clinic, monkeypatch):
    staff = ((clinic.prescriber, "supervising_prescriber"), (clinic.nurses[0], "monitoring_clinician"))
    sessions = [book_session(SessionOrder(clinic.patients[day], clinic.site, clinic.iv, at(day, 9), clinic.chairs[0],
                                          staff), SYSTEM, BEFORE) for day in range(3)]
    owner = ("staff", clinic.prescriber)
    kept(owner)
    read = []

    def noting(session, sql, params):
        if "FROM sessions" in sql:
            read.append([p for p in params if isinstance(p, datetime)])
        return fetch(session, sql, params)

    fetch = feedreads.fetch
    monkeypatch.setattr(feedreads, "fetch", noting)
    assert kept(owner) == fresh(owner) and read == []  # nothing changed: nothing read again
    reschedule_session(sessions[1], at(1, 11), SYSTEM, BEFORE)
    assert kept(owner) == fresh(owner)
    day = at(1, 11).date()
    assert read == [[datetime.combine(day, time(0), tzinfo=timezone.utc),
                     datetime.combine(day + timedelta(days=1), time(0), tzinfo=timezone.utc)]]


def test_the_clinics_marks_change_when_a_date_is_raised_to_less_than_the_latest_mark(app):
    # On PostgreSQL a transaction that raised its date's mark first may commit last, so that
    # date's new version is below a mark another date already shows: a maximum would not move.
    monday, tuesday = f.MONDAY, f.MONDAY + timedelta(days=1)
    db.session.add_all([DayMark(site_id=1, day=monday, version=100), DayMark(site_id=1, day=tuesday, version=200)])
    db.session.commit()

    def marks():
        with unit_of_work(write=False) as session:
            return reads.change_mark(session, monday - timedelta(days=1), tuesday + timedelta(days=1))

    before = marks()
    db.session.execute(update(DayMark).where(DayMark.day == monday).values(version=150))
    db.session.commit()
    assert marks() != before
