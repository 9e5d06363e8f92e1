"""Cached searches and snapshots give what a fresh read gives, whatever changed in between and however."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import text

from planner.db.reads import pieces as daycache, windows as windowcache
from planner.db.reads import fresh as rows
from planner.db.reads.marks import config_mark, read_marks
from planner.db.uow import unit_of_work
from planner.domain.availability import fit_at, free_windows
from planner.domain.calendar import day_start, to_utc
from planner.domain.errors import BookingRefused
from planner.domain.intervals import Interval
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.availability import find_free_windows
from planner.services.booking import SessionOrder, book_session, cancel_session, reschedule_session
from tests import factories as f

ZONE = "America/New_York"
BEFORE = datetime(2026, 11, 20, tzinfo=timezone.utc)


def _fresh_windows(site_id, type_id, first, last, now, patient_id, zone=ZONE):
    with unit_of_work(write=False) as session:
        site = rows.site_rules(session, site_id)
        stype = rows.load_session_type(session, type_id)
        span = Interval(day_start(first, zone), day_start(last + timedelta(days=1), zone))
        state = rows.reference(session, site, span, None, {patient_id} if patient_id else set())
        return free_windows(stype, state, first, last, now, patient_id)


def _shape(state):
    """A clinic snapshot in comparable form."""
    members = {sid: (m.name, m.disciplines, frozenset(m.credentials), frozenset(m.shifts), frozenset(m.time_off),
                     m.active) for sid, m in state.roster.staff.items()}
    duties = {sid: sorted(d) for sid, d in state.roster.duties.items() if d}
    return (state.site, state.rooms, sorted((s.id, s.patient_id, s.room_id, s.window) for s in state.sessions),
            members, duties)


def _try_booking(rng, clinic, type_id, patient_id, start=None):
    if start is None:
        day = f.MONDAY + timedelta(days=rng.randrange(5))
        start = to_utc(day, time(8 + rng.randrange(8), rng.choice((0, 15, 30, 45))), ZONE)
    with unit_of_work(write=False) as session:
        site = rows.site_rules(session, clinic.site)
        stype = rows.load_session_type(session, type_id)
        state = rows.reference(session, site, stype.window(start))
        fit = fit_at(stype, state, start, patient_id)
    if fit is None:
        return False
    order = SessionOrder(patient_id, clinic.site, type_id, start, fit.room_id,
                         tuple((p.staff_id, p.role) for p in fit.placements))
    try:
        book_session(order, SYSTEM, BEFORE)
        return True
    except BookingRefused:
        return False  # the patient may already be busy then: nothing was written


def _some_session(rng):
    found = db.session.execute(text("SELECT id FROM sessions WHERE status = 'booked' ORDER BY id")).scalars().all()
    db.session.rollback()
    return rng.choice(found) if found else None


def _change(rng, clinic):
    """One change of the kind a clinic makes, sometimes behind the application's back."""
    kind = rng.choice(["book", "book", "book", "cancel", "move", "leave", "credential", "raw status", "raw shift"])
    if kind == "book":
        _try_booking(rng, clinic, rng.choice([clinic.iv, clinic.integration]), rng.choice(clinic.patients))
    elif kind == "cancel" and (found := _some_session(rng)):
        cancel_session(found, SYSTEM, BEFORE)
    elif kind == "move" and (found := _some_session(rng)):
        day = f.MONDAY + timedelta(days=rng.randrange(5))
        try:
            reschedule_session(found, to_utc(day, time(8 + rng.randrange(8)), ZONE), SYSTEM, BEFORE)
        except BookingRefused:
            pass
    elif kind == "leave":
        person = rng.choice([clinic.prescriber, *clinic.nurses, clinic.therapist])
        starts = to_utc(f.MONDAY + timedelta(days=rng.randrange(5)), time(8 + rng.randrange(8)), ZONE)
        f.make_time_off(person, starts, starts + timedelta(hours=2))
    elif kind == "credential":
        nurse = rng.choice(clinic.nurses)
        f.make_credential(nurse, "bls", f.LONG_AGO, f.MONDAY + timedelta(days=rng.randrange(5)))
    elif kind == "raw status" and (found := _some_session(rng)):
        # Written without the application: the triggers must still see it.
        db.session.execute(text("UPDATE sessions SET status = 'cancelled' WHERE id = :id"), {"id": found})
        db.session.commit()
    elif kind == "raw shift":
        db.session.execute(text("UPDATE shifts SET ends_at = starts_at + INTERVAL '4 hours' WHERE id = "
                                "(SELECT min(id) FROM shifts)") if db.engine.dialect.name == "postgresql" else
                           text("UPDATE shifts SET ends_at = datetime(starts_at, '+4 hours') || '.000000' WHERE id = "
                                "(SELECT min(id) FROM shifts)"))
        db.session.commit()


def test_cached_free_windows_match_a_fresh_search_after_every_kind_of_change(clinic):
    rng = random.Random(20261121)
    for person in [clinic.prescriber, clinic.nurses[0]]:
        f.make_shift(person, clinic.site, f.MONDAY + timedelta(days=5), "08:00", "12:00")  # a Saturday: site closed
    compared = windows_seen = 0
    for step in range(40):
        _change(rng, clinic)
        for _ in range(3):
            first = f.MONDAY + timedelta(days=rng.randrange(-1, 5))
            last = first + timedelta(days=rng.randrange(0, 6))
            now = rng.choice([BEFORE, to_utc(f.MONDAY + timedelta(days=2), time(11, 7), ZONE)])
            patient = rng.choice([None, *clinic.patients])
            stype = rng.choice([clinic.iv, clinic.integration, clinic.esketamine])
            cached = find_free_windows(clinic.site, stype, first, last, now, patient)
            assert cached == _fresh_windows(clinic.site, stype, first, last, now, patient), (step, first, last)
            compared += 1
            windows_seen += len(cached)
    assert compared == 120 and windows_seen > 100  # the comparisons were about something


def test_a_cached_snapshot_is_the_fresh_snapshot(clinic):
    rng = random.Random(7)
    for _ in range(25):
        _change(rng, clinic)
    for first_offset, days in ((0, 1), (1, 3), (-2, 9)):
        first = f.MONDAY + timedelta(days=first_offset)
        span = Interval(day_start(first, ZONE), day_start(first + timedelta(days=days), ZONE))
        patient = clinic.patients[0]
        with unit_of_work(write=False) as session:
            fresh = rows.reference(session, rows.site_rules(session, clinic.site), span, None, {patient})
            cached = daycache.snapshot(session, clinic.site, span, {patient})
            assert _shape(cached) == _shape(fresh)
            assert cached.sessions and cached.roster.duties


@pytest.fixture
def worked(monkeypatch) -> list[tuple[date, date]]:
    """The runs of local days the window cache works out afresh, (first, last) per run, as it goes."""
    runs: list[tuple[date, date]] = []
    real = windowcache._work_out

    def recording(session, site, stype, first, last, marks):
        runs.append((first, last))
        return real(session, site, stype, first, last, marks)

    monkeypatch.setattr(windowcache, "_work_out", recording)
    return runs


def test_a_repeated_search_reads_nothing_again_and_a_booking_renews_only_its_days(clinic, worked):
    first, last = f.MONDAY, f.MONDAY + timedelta(days=4)
    before = find_free_windows(clinic.site, clinic.iv, first, last, BEFORE)
    assert worked == [(first, last)]
    worked.clear()
    assert find_free_windows(clinic.site, clinic.iv, first, last, BEFORE) == before
    assert worked == []
    wednesday = f.MONDAY + timedelta(days=2)
    start = to_utc(wednesday, time(10), ZONE)
    assert [_try_booking(None, clinic, clinic.iv, patient, start) for patient in clinic.patients[:3]] == [True] * 3
    after = find_free_windows(clinic.site, clinic.iv, first, last, BEFORE)
    assert after != before  # all three chairs are taken at 10:00 on Wednesday
    # Tuesday's reach shares Wednesday's UTC date, but nothing that changed there comes near a
    # Tuesday session: only Wednesday is worked out again.
    assert worked == [(wednesday, wednesday)]
    assert after == _fresh_windows(clinic.site, clinic.iv, first, last, BEFORE, None)


def test_a_late_evening_change_on_the_next_utc_date_renews_the_evening_s_day(app, worked):
    late = [{"weekday": d, "opens": "08:00", "closes": "23:30"} for d in range(5)]
    site = f.make_site(name="Late", hours=late)
    chair = f.make_room(site, name="Chair 1")
    doctor = f.make_staff("Dr Lena Ross", ["MD"])
    nurse = f.make_staff("Nia Cole", ["RN"], f.credentials("licence", "bls"))
    for person in (doctor, nurse):
        for day in f.week_of(f.MONDAY):
            f.make_shift(person, site, day, "08:00", "23:30")
    iv = f.make_session_type(f.IV_DOSING)
    patient = f.make_patient("LATE-1")
    first, last = f.MONDAY, f.MONDAY + timedelta(days=4)
    tuesday = f.MONDAY + timedelta(days=1)
    before = find_free_windows(site, iv, first, last, BEFORE)
    worked.clear()
    placements = ((doctor, "supervising_prescriber"), (nurse, "monitoring_clinician"))
    evening = to_utc(tuesday, time(21), ZONE)  # 02:00 UTC on Wednesday
    assert evening.date() == tuesday + timedelta(days=1)
    booked = book_session(SessionOrder(patient, site, iv, evening, chair, placements), SYSTEM, BEFORE)
    after = find_free_windows(site, iv, first, last, BEFORE)
    assert after != before and after == _fresh_windows(site, iv, first, last, BEFORE, None)
    assert worked == [(tuesday, tuesday)]  # Wednesday's windows start hours after it ends
    worked.clear()
    cancel_session(booked, SYSTEM, BEFORE)
    assert find_free_windows(site, iv, first, last, BEFORE) == before
    assert worked == [(tuesday, tuesday)]
    worked.clear()
    # Wednesday morning shares that UTC date with Tuesday evening, and only Wednesday is near it.
    wednesday = tuesday + timedelta(days=1)
    book_session(SessionOrder(patient, site, iv, to_utc(wednesday, time(8), ZONE), chair, placements), SYSTEM, BEFORE)
    assert find_free_windows(site, iv, first, last, BEFORE) == _fresh_windows(site, iv, first, last, BEFORE, None)
    assert worked == [(wednesday, wednesday)]


def test_a_day_whose_shared_date_changed_more_often_than_remembered_is_worked_out_again(clinic, worked,
                                                                                        monkeypatch):
    monkeypatch.setattr(daycache, "HISTORY", 2)
    tuesday, wednesday = f.MONDAY + timedelta(days=1), f.MONDAY + timedelta(days=2)
    find_free_windows(clinic.site, clinic.iv, tuesday, wednesday, BEFORE)
    for hour, patient in zip((9, 11, 13), clinic.patients):
        # Each change to Wednesday's UTC date is read again by a search of Wednesday alone.
        assert _try_booking(None, clinic, clinic.iv, patient, to_utc(wednesday, time(hour), ZONE))
        find_free_windows(clinic.site, clinic.iv, wednesday, wednesday, BEFORE)
    worked.clear()
    # Tuesday's windows were worked out three readings of that date ago, one more than remembered:
    # nothing says what changed in between, so Tuesday is worked out again rather than trusted.
    after = find_free_windows(clinic.site, clinic.iv, tuesday, wednesday, BEFORE)
    assert worked == [(tuesday, tuesday)]
    assert after == _fresh_windows(clinic.site, clinic.iv, tuesday, wednesday, BEFORE, None)
    worked.clear()
    assert _try_booking(None, clinic, clinic.iv, clinic.patients[3], to_utc(wednesday, time(15), ZONE))
    find_free_windows(clinic.site, clinic.iv, tuesday, wednesday, BEFORE)
    assert worked == [(wednesday, wednesday)]  # within what is remembered, Tuesday holds again


@pytest.mark.parametrize("statement, config_moves", [
    ("UPDATE sites SET name = name || ' (renamed)'", True),
    ("UPDATE rooms SET active = active", True),
    ("DELETE FROM time_off", True),
    ("UPDATE credentials SET kind = kind", True),
    ("UPDATE shifts SET site_id = site_id", True),
    ("UPDATE session_types SET name = name", True),
    ("UPDATE patients SET name = name", False),
])
def test_the_config_mark_rises_with_every_table_that_shapes_a_free_slot(clinic, statement, config_moves):
    starts = to_utc(f.MONDAY, time(9), ZONE)
    f.make_time_off(clinic.prescriber, starts, starts + timedelta(hours=1))
    with unit_of_work(write=False) as session:
        before = config_mark(session)
    db.session.execute(text(statement))
    db.session.commit()
    with unit_of_work(write=False) as session:
        after = config_mark(session)
    assert before is not None and (after != before) == config_moves


def test_day_marks_rise_with_live_changes_to_sessions_and_placements_and_not_with_notes(clinic):
    _try_booking(random.Random(1), clinic, clinic.iv, clinic.patients[0])
    session_id = _some_session(random.Random(1))
    assert session_id is not None

    def marks():
        with unit_of_work(write=False) as session:
            return read_marks(session, f.MONDAY - timedelta(days=3), f.MONDAY + timedelta(days=10)).days

    booked = marks()
    assert booked  # booking raised the marks of its dates
    for statement, moves in (("UPDATE sessions SET note = 'bring a book' WHERE id = :id", False),
                             ("UPDATE session_staff SET role = role WHERE session_id = :id", True),
                             ("UPDATE sessions SET status = 'cancelled' WHERE id = :id", True),
                             ("DELETE FROM session_staff WHERE session_id = :id", True),
                             ("DELETE FROM sessions WHERE id = :id", True)):
        before = marks()
        db.session.execute(text(statement), {"id": session_id})
        db.session.commit()
        assert (marks() != before) == moves, statement


def test_cached_windows_hold_across_the_spring_change_in_london(app):
    zone, sunday = "Europe/London", date(2027, 3, 28)  # clocks go forward at 01:00 GMT
    every_day = [{"weekday": d, "opens": "07:00", "closes": "21:00"} for d in range(7)]
    site = f.make_site(name="Soho", timezone=zone, hours=every_day)
    chairs = [f.make_room(site, name=f"Chair {i}") for i in (1, 2)]
    doctor = f.make_staff("Dr Iris Hale", ["MD"])
    nurse = f.make_staff("Nell Ward", ["RN"], f.credentials("licence", "bls"))
    days = [sunday + timedelta(days=k) for k in range(-2, 3)]
    for person in (doctor, nurse):
        for day in days:
            f.make_shift(person, site, day, "07:00", "21:00", zone=zone)
    iv = f.make_session_type(f.IV_DOSING)
    patients = [f.make_patient(f"LDN-{i}") for i in range(4)]
    rng = random.Random(5)
    for _ in range(12):
        start = to_utc(rng.choice(days), time(7 + rng.randrange(12), rng.choice((0, 30))), zone)
        order = SessionOrder(rng.choice(patients), site, iv, start, rng.choice(chairs),
                             ((doctor, "supervising_prescriber"), (nurse, "monitoring_clinician")))
        try:
            book_session(order, SYSTEM, BEFORE)
        except BookingRefused:
            pass
        for first in (days[0], sunday):
            cached = find_free_windows(site, iv, first, days[-1], BEFORE, patients[0])
            assert cached == _fresh_windows(site, iv, first, days[-1], BEFORE, patients[0], zone)
            assert cached


def test_the_booking_snapshot_is_the_fresh_snapshot(clinic):
    from planner.db.reads.fresh import for_booking as booking_state

    rng = random.Random(11)
    for patient in clinic.patients * 2:
        _try_booking(rng, clinic, rng.choice([clinic.iv, clinic.integration]), patient)
    for _ in range(25):
        _change(rng, clinic)
    everyone = [clinic.prescriber, *clinic.nurses, clinic.therapist, 999]  # 999: nobody
    compared_duties = 0
    for _ in range(40):
        start = to_utc(f.MONDAY + timedelta(days=rng.randrange(5)), time(8 + rng.randrange(9)), ZONE)
        span = Interval(start, start + timedelta(minutes=rng.choice((50, 105, 150))))
        staff = set(rng.sample(everyone, rng.randrange(0, 4)))
        patients = set(rng.sample(clinic.patients, rng.randrange(0, 3)))
        with unit_of_work(write=False) as session:
            site = rows.site_rules(session, clinic.site)
            fresh = rows.reference(session, site, span, staff, patients)
            kept = booking_state(session, site, span, staff, patients)
            assert _shape(kept) == _shape(fresh)
            compared_duties += sum(len(d) for d in fresh.roster.duties.values())
    assert compared_duties > 0


def test_one_transaction_raises_every_date_it_touches_even_after_a_rolled_back_savepoint(clinic):
    for day in (0, 2):
        assert _try_booking(random.Random(day), clinic, clinic.iv, clinic.patients[day],
                            to_utc(f.MONDAY + timedelta(days=day), time(10), ZONE))
    first, third = db.session.execute(text("SELECT id FROM sessions ORDER BY starts_at")).scalars().all()
    db.session.rollback()

    def marks():
        with unit_of_work(write=False) as session:
            return read_marks(session, f.MONDAY - timedelta(days=1), f.MONDAY + timedelta(days=4)).days

    monday, wednesday = f.MONDAY, f.MONDAY + timedelta(days=2)
    before = marks()
    # Two changes to Monday, the first inside a savepoint that is rolled back, then one to Wednesday.
    savepoint = db.session.begin_nested()
    db.session.execute(text("UPDATE sessions SET status = 'held' WHERE id = :id"), {"id": first})
    savepoint.rollback()
    db.session.execute(text("UPDATE session_staff SET role = role WHERE session_id = :id"), {"id": first})
    db.session.execute(text("UPDATE sessions SET status = 'cancelled' WHERE id = :id"), {"id": first})
    db.session.execute(text("UPDATE session_staff SET role = role WHERE session_id = :id"), {"id": third})
    db.session.commit()
    after = marks()
    assert after[monday] != before[monday] and after[wednesday] != before[wednesday]
    untouched = [day for day in before if day not in (monday, wednesday) and day.weekday() < 5]
    assert all(after[day] == before[day] for day in untouched)
    # A later transaction raises Monday again.
    db.session.execute(text("UPDATE sessions SET status = 'booked' WHERE id = :id"), {"id": first})
    db.session.commit()
    assert marks()[monday] != after[monday]
