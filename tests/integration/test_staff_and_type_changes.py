"""Changes to shifts, time off and session types never leave booked sessions unsafe, and never drop the floor."""

from __future__ import annotations

import copy
from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from planner.db.models import AuditEvent, SessionType, Shift, TimeOff
from planner.domain.calendar import to_utc
from planner.domain.errors import BookingRefused, CoverBroken, InvalidData
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.availability import find_free_windows
from planner.services.booking import SessionOrder, book_session, cancel_session
from planner.services.clinic_setup import create_session_type, create_shift, create_site, create_time_off
from planner.services.inputs import SessionTypeChange, SessionTypeIn, ShiftIn, SiteIn, TimeOffIn
from planner.services.session_types import update_session_type
from tests import factories as f

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
NY = "America/New_York"


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def iv_at(clinic, hour: int, day=f.MONDAY, patient: int = 0, nurse: int = 0) -> int:
    return book_session(SessionOrder(clinic.patients[patient], clinic.site, clinic.iv, to_utc(day, time(hour), NY),
                                     clinic.chairs[patient % 3], ((clinic.prescriber, "supervising_prescriber"),
                                                                  (clinic.nurses[nurse], "monitoring_clinician"))),
                        SYSTEM, NOW)


# --- one shift at a time ---------------------------------------------------------------------------

def test_a_second_shift_at_another_site_at_the_same_hour_is_refused(clinic):
    other = f.make_site(name="Downtown")
    span = ShiftIn(site_id=other, starts_at=to_utc(f.MONDAY, time(12), NY), ends_at=to_utc(f.MONDAY, time(16), NY))
    before = count(Shift)
    with pytest.raises(InvalidData) as refused:
        create_shift(clinic.prescriber, span, SYSTEM, NOW)
    (problem,) = refused.value.problems
    assert problem.code == "shift_overlap" and "already works Mon 23 Nov 08:00–18:00 at Midtown" in problem.message
    assert count(Shift) == before


def test_a_shift_that_starts_when_another_ends_is_accepted(clinic):
    other = f.make_site(name="Downtown")
    evening = ShiftIn(site_id=other, starts_at=to_utc(f.MONDAY, time(18), NY), ends_at=to_utc(f.MONDAY, time(21), NY))
    assert create_shift(clinic.prescriber, evening, SYSTEM, NOW)


def test_the_database_itself_refuses_overlapping_shifts_written_around_the_application(clinic):
    other = f.make_site(name="Downtown")
    starts, ends = to_utc(f.MONDAY, time(12), NY), to_utc(f.MONDAY, time(16), NY)
    with pytest.raises(IntegrityError):
        db.session.execute(Shift.__table__.insert().values(staff_id=clinic.prescriber, site_id=other,
                                                           starts_at=starts, ends_at=ends))
        db.session.flush()
    db.session.rollback()


def test_a_scenario_with_overlapping_shifts_loads_nothing_and_names_the_shift(app):
    from planner.services.scenario import load_scenario
    from tests.integration.test_scenario_load import small_scenario

    data = small_scenario()
    shifts = data["staff"][0]["shifts"]
    shifts.append({**copy.deepcopy(shifts[0]), "start": "12:00", "end": "20:00"})
    with pytest.raises(InvalidData) as refused:
        load_scenario(data, SYSTEM, NOW)
    assert [(p.code, p.field) for p in refused.value.problems] == [("shift_overlap", f"staff[0].shifts[{len(shifts) - 1}]")]


# --- time off under booked sessions ----------------------------------------------------------------

def test_time_off_that_would_leave_a_booked_session_without_its_nurse_is_refused_naming_it(clinic):
    booked = iv_at(clinic, 9)
    leave = TimeOffIn(starts_at=to_utc(f.MONDAY, time(7), NY), ends_at=to_utc(f.MONDAY, time(12), NY),
                      reason="sick")
    with pytest.raises(CoverBroken) as refused:
        create_time_off(clinic.nurses[0], leave, SYSTEM, NOW)
    (reason,) = refused.value.reasons
    assert reason.message.startswith(f"Session {booked} (IV ketamine infusion, Mon 23 Nov 2026 09:00 at Midtown):")
    assert "Rosa Diaz (RN) is on leave during the session." in reason.message
    assert count(TimeOff) == 0


def test_time_off_clear_of_booked_sessions_or_over_a_cancelled_one_is_accepted(clinic):
    booked = iv_at(clinic, 9)
    afternoon = TimeOffIn(starts_at=to_utc(f.MONDAY, time(13), NY), ends_at=to_utc(f.MONDAY, time(18), NY))
    assert create_time_off(clinic.nurses[0], afternoon, SYSTEM, NOW)
    cancel_session(booked, SYSTEM, NOW)
    morning = TimeOffIn(starts_at=to_utc(f.MONDAY, time(7), NY), ends_at=to_utc(f.MONDAY, time(12), NY))
    assert create_time_off(clinic.nurses[0], morning, SYSTEM, NOW)
    assert count(TimeOff) == 2


def test_a_refused_time_off_leaves_nothing_behind_for_later_searches(clinic):
    tuesday = f.MONDAY + timedelta(1)
    iv_at(clinic, 9)
    # The other nurse is off all Tuesday: Tuesday's sessions now rest on Rosa alone.
    create_time_off(clinic.nurses[1], TimeOffIn(starts_at=to_utc(tuesday, time(0), NY),
                                                ends_at=to_utc(tuesday, time(23), NY)), SYSTEM, NOW)
    assert find_free_windows(clinic.site, clinic.iv, tuesday, tuesday, NOW)
    leave = TimeOffIn(starts_at=to_utc(f.MONDAY, time(7), NY), ends_at=to_utc(tuesday, time(20), NY))
    with pytest.raises(CoverBroken):
        create_time_off(clinic.nurses[0], leave, SYSTEM, NOW)
    # Rosa's refused leave was never taken for the clinic's: Tuesday still offers her sessions.
    windows = find_free_windows(clinic.site, clinic.iv, tuesday, tuesday, NOW)
    assert windows and windows[0].starts_from == to_utc(tuesday, time(8), NY)


# --- the supervision floor on every path a type is made or changed --------------------------------

def test_an_esketamine_type_with_no_staff_no_oximeter_and_no_observation_cannot_be_created(clinic):
    bare = SessionTypeIn.model_validate({**f.ESKETAMINE, "key": "esk-bare", "role_requirements": [],
                                         "room_capability": None, "observation_minutes": 0})
    before = count(SessionType)
    with pytest.raises(InvalidData) as refused:
        create_session_type(bare, SYSTEM, NOW)
    assert [p.code for p in refused.value.problems] == ["floor_room", "floor_observation", "floor_role", "floor_role"]
    assert count(SessionType) == before


def test_a_type_can_be_raised_above_the_floor_but_not_dropped_below_it(clinic):
    update_session_type(clinic.iv, SessionTypeChange(observation_minutes=90), SYSTEM, NOW)
    with pytest.raises(InvalidData) as refused:
        update_session_type(clinic.iv, SessionTypeChange(observation_minutes=10), SYSTEM, NOW)
    assert [p.code for p in refused.value.problems] == ["floor_observation"]
    db.session.rollback()
    assert db.session.get(SessionType, clinic.iv).observation_minutes == 90
    changes = db.session.scalars(select(AuditEvent.details).where(AuditEvent.action == "session_type.changed")).all()
    assert changes == [{"before": {"observation_minutes": 60}, "after": {"observation_minutes": 90}}]


def test_a_type_change_that_booked_sessions_could_not_meet_is_refused_naming_them(clinic):
    booked = iv_at(clinic, 9)
    stricter = [{**need, "credentials": [*need["credentials"], "acls"]} if need["role"] == "monitoring_clinician"
                else need for need in f.IV_DOSING["role_requirements"]]
    with pytest.raises(CoverBroken) as refused:
        update_session_type(clinic.iv, SessionTypeChange(role_requirements=stricter), SYSTEM, NOW)
    (reason,) = refused.value.reasons
    assert reason.message.startswith(f"Session {booked} (Mon 23 Nov 2026 09:00 at Midtown):") and "ACLS" in reason.message
    db.session.rollback()
    assert all("acls" not in n["credentials"] for n in db.session.get(SessionType, clinic.iv).role_requirements
               if n["role"] == "monitoring_clinician")


def test_a_type_stored_below_the_floor_before_it_existed_is_never_offered_or_booked(clinic):
    db.session.execute(text("UPDATE session_types SET observation_minutes = 0 WHERE id = :id"), {"id": clinic.iv})
    db.session.commit()
    assert find_free_windows(clinic.site, clinic.iv, f.MONDAY, f.MONDAY, NOW) == []
    with pytest.raises(BookingRefused) as refused:
        iv_at(clinic, 9)
    assert [r.code for r in refused.value.reasons] == ["type_below_floor"]


def test_a_site_cannot_let_a_therapist_carry_two_dosing_patients(app):
    with pytest.raises(InvalidData) as refused:
        create_site(SiteIn(name="Loose", timezone=NY, limits={"therapist": 2}), SYSTEM, NOW)
    assert [(p.code, p.field) for p in refused.value.problems] == [("floor_ratio", "limits.therapist")]


def test_a_scenario_with_a_dosing_type_below_the_floor_loads_nothing_and_names_the_type(app):
    from planner.services.scenario import load_scenario
    from tests.integration.test_scenario_load import small_scenario

    data = small_scenario()
    data["session_types"][0]["observation_minutes"] = 5
    with pytest.raises(InvalidData) as refused:
        load_scenario(data, SYSTEM, NOW)
    assert [(p.code, p.field) for p in refused.value.problems] == [("floor_observation", "session_types[0].observation_minutes")]
    assert count(SessionType) == 0
