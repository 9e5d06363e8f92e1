"""A call-out's repairs: reassign to a qualified colleague first, move second (keeping cadence), else a gap with why."""

from __future__ import annotations

from datetime import timedelta

from planner.domain.callouts import GAP, MOVE, REASSIGN, Affected, plan_repairs
from planner.domain.clinic import Placement
from planner.domain.courses import BookedCourse, CourseSession
from planner.domain.intervals import Interval
from planner.domain.protocol_library import DEFAULT_PROTOCOLS
from planner.domain.staffing import MONITORING_CLINICIAN, SUPERVISING_PRESCRIBER
from tests.unit.builders import (
    CHAIR, CHAIR_2, DAY, DR_ADAMS, NOW, NP_EVANS, NURSE_BAKER, NURSE_CHEN, at, make_booked, make_patient, make_request,
    make_room, make_shift, make_staff, make_state, reviewed_preparation,
)

BAKER_AWAY = Interval(at(7), at(20))
DR_FOX = 6
IV = next(p for p in DEFAULT_PROTOCOLS if p.key == "iv-induction")


def booked(session_id, request):
    """The session as the snapshot holds it, with the request's team on duty."""
    return make_booked(session_id, request.patient.id, request.start,
                       int(request.session_type.duration.total_seconds() // 60), request.room_id,
                       duties=[(p.staff_id, p.role) for p in request.placements],
                       dosing=request.session_type.is_dosing)


def affected(session_id, request, course=None):
    return Affected(session_id, 1, "booked", request, course)


def team(repair):
    return {(p.staff_id, p.role) for p in repair.placements}


def test_a_lost_monitor_is_reassigned_to_a_qualified_colleague_on_shift_rather_than_the_session_moved():
    staff = [make_staff(DR_ADAMS, "Dr Adams", ("MD",)), make_staff(NURSE_BAKER, "Nurse Baker", ("RN",)),
             make_staff(NURSE_CHEN, "Nurse Chen", ("RN",))]
    request = make_request()
    state = make_state(staff=staff, sessions=[booked(100, request)])
    [repair] = plan_repairs(NURSE_BAKER, BAKER_AWAY, [affected(100, request)], {1: state}, NOW)
    assert repair.action == REASSIGN
    assert team(repair) == {(DR_ADAMS, SUPERVISING_PRESCRIBER), (NURSE_CHEN, MONITORING_CLINICIAN)}
    assert repair.start == request.start and repair.removed == {NURSE_BAKER} and repair.added == {NURSE_CHEN}
    assert repair.words == "Nurse Chen (RN) takes over as monitoring clinician."


def test_the_one_free_nurse_is_not_given_more_patients_than_her_ratio_across_two_sessions():
    staff = [make_staff(DR_ADAMS, "Dr Adams", ("MD",)), make_staff(NURSE_BAKER, "Nurse Baker", ("RN",)),
             make_staff(NURSE_CHEN, "Nurse Chen", ("RN",)), make_staff(NP_EVANS, "Evans NP", ("NP",))]
    first = make_request(patient=make_patient(1), room_id=CHAIR)
    second = make_request(patient=make_patient(2), room_id=CHAIR_2)
    # Chen already monitors one patient at 10:00 (limit 2); Evans supervises that one, so cannot monitor.
    third = make_request(patient=make_patient(3), room_id=7,
                         placements=[(NP_EVANS, SUPERVISING_PRESCRIBER), (NURSE_CHEN, MONITORING_CLINICIAN)])
    rooms = [make_room(CHAIR), make_room(CHAIR_2), make_room(7)]
    state = make_state(staff=staff, rooms=rooms, sessions=[booked(100, first), booked(101, second), booked(102, third)])
    repairs = plan_repairs(NURSE_BAKER, BAKER_AWAY, [affected(100, first), affected(101, second)], {1: state}, NOW)
    to_chen = [r for r in repairs if (NURSE_CHEN, MONITORING_CLINICIAN) in team(r) and r.start == at(10)]
    assert len(to_chen) == 1
    other = next(r for r in repairs if r is not to_chen[0])
    assert other.action != REASSIGN or (NURSE_CHEN, MONITORING_CLINICIAN) not in team(other)


def test_the_least_loaded_colleague_is_preferred_and_kept_across_a_patients_sessions_that_day():
    staff = [make_staff(DR_ADAMS, "Dr Adams", ("MD",)), make_staff(NURSE_BAKER, "Nurse Baker", ("RN",)),
             make_staff(DR_FOX, "Dr Fox", ("MD",)), make_staff(NP_EVANS, "Evans NP", ("NP",))]
    dose = make_request()
    review = make_request(reviewed_preparation(needs=(reviewed_preparation().needs[1],)), start=at(14),
                          room_id=3, placements=[(DR_ADAMS, SUPERVISING_PRESCRIBER)])
    # Evans already carries a session that morning; Fox none: Fox takes the dose, then keeps the patient at 14:00
    # though Evans would then be the less loaded.
    busy = make_booked(200, 50, at(7), 30, None, duties=[(NP_EVANS, MONITORING_CLINICIAN)])
    state = make_state(staff=staff, sessions=[booked(100, dose), booked(101, review), busy])
    repairs = plan_repairs(DR_ADAMS, BAKER_AWAY, [affected(100, dose), affected(101, review)], {1: state}, NOW)
    assert [r.action for r in repairs] == [REASSIGN, REASSIGN]
    assert all((DR_FOX, SUPERVISING_PRESCRIBER) in team(r) for r in repairs)


def _two_days_staff(chen_day):
    """Baker works the day of the call-out only; Adams every day; Chen only on chen_day."""
    return [make_staff(DR_ADAMS, "Dr Adams", ("MD",), shifts=tuple(make_shift(day=DAY + timedelta(days=k))
                                                                  for k in range(8))),
            make_staff(NURSE_BAKER, "Nurse Baker", ("RN",)),
            make_staff(NURSE_CHEN, "Nurse Chen", ("RN",), shifts=(make_shift(day=chen_day),))]


def test_a_session_no_one_on_shift_can_cover_moves_to_a_day_with_a_full_team():
    tuesday = DAY + timedelta(days=1)
    request = make_request()
    state = make_state(staff=_two_days_staff(tuesday), sessions=[booked(100, request)])
    [repair] = plan_repairs(NURSE_BAKER, BAKER_AWAY, [affected(100, request)], {1: state}, NOW)
    assert repair.action == MOVE
    assert state.site.calendar.local_day(repair.start) == tuesday
    assert team(repair) == {(DR_ADAMS, SUPERVISING_PRESCRIBER), (NURSE_CHEN, MONITORING_CLINICIAN)}
    assert repair.words.startswith("Move to Tue 16 Jun")


def _course(dose_days):
    sessions = tuple(CourseSession(100 + n, "iv-infusion", "dose", n + 1, "booked", at(10, day=d), at(12, day=d),
                                   CHAIR) for n, d in enumerate(dose_days))
    return BookedCourse(9, 1, 1, IV, dose_days[0], "active", {}, sessions)


def test_a_move_that_would_break_the_course_cadence_is_not_proposed_and_the_gap_says_why():
    friday = DAY + timedelta(days=4)
    course = _course([DAY - timedelta(days=3), DAY, DAY + timedelta(days=3)])  # Fri, Mon (called out), Thu
    request = make_request()
    state = make_state(staff=_two_days_staff(friday), sessions=[booked(101, request)])
    [repair] = plan_repairs(NURSE_BAKER, BAKER_AWAY, [affected(101, request, course)], {1: state}, NOW)
    assert repair.action == GAP
    assert repair.placements == request.placements and repair.start == request.start
    assert any("cadence" in why and "would not come after dose 2" in why for why in repair.why), repair.why


def test_the_same_move_is_proposed_for_a_session_outside_any_course():
    friday = DAY + timedelta(days=4)
    request = make_request()
    state = make_state(staff=_two_days_staff(friday), sessions=[booked(101, request)])
    [repair] = plan_repairs(NURSE_BAKER, BAKER_AWAY, [affected(101, request)], {1: state}, NOW)
    assert repair.action == MOVE and state.site.calendar.local_day(repair.start) == friday


def test_a_move_keeps_the_course_cadence_when_a_day_allows_it():
    tuesday = DAY + timedelta(days=1)
    course = _course([DAY - timedelta(days=3), DAY, DAY + timedelta(days=3)])
    request = make_request()
    state = make_state(staff=_two_days_staff(tuesday), sessions=[booked(101, request)])
    [repair] = plan_repairs(NURSE_BAKER, BAKER_AWAY, [affected(101, request, course)], {1: state}, NOW)
    assert repair.action == MOVE and state.site.calendar.local_day(repair.start) == tuesday


def test_an_unrepairable_session_is_left_as_a_gap_with_each_reason_named():
    staff = [make_staff(DR_ADAMS, "Dr Adams", ("MD",)), make_staff(NURSE_BAKER, "Nurse Baker", ("RN",)),
             make_staff(NURSE_CHEN, "Nurse Chen", ("RN",), credentials=())]
    request = make_request()
    state = make_state(staff=staff, sessions=[booked(100, request)])
    [repair] = plan_repairs(NURSE_BAKER, BAKER_AWAY, [affected(100, request)], {1: state}, NOW)
    assert repair.action == GAP
    assert "Nurse Chen (RN): Nurse Chen (RN) has no valid BLS" in repair.why[0]
    assert repair.why[1] == "No time within 7 days has a room and a full team free."
    assert "open coverage gap" in repair.words


def test_the_admins_choice_is_honoured_a_gap_or_a_move_instead_of_a_reassignment():
    staff = [make_staff(DR_ADAMS, "Dr Adams", ("MD",), shifts=tuple(make_shift(day=DAY + timedelta(days=k))
                                                                   for k in range(3))),
             make_staff(NURSE_BAKER, "Nurse Baker", ("RN",)),
             make_staff(NURSE_CHEN, "Nurse Chen", ("RN",), shifts=tuple(make_shift(day=DAY + timedelta(days=k))
                                                                       for k in range(3)))]
    request = make_request()
    state = make_state(staff=staff, sessions=[booked(100, request)])
    [gap] = plan_repairs(NURSE_BAKER, BAKER_AWAY, [affected(100, request)], {1: state}, NOW, {100: GAP})
    [moved] = plan_repairs(NURSE_BAKER, BAKER_AWAY, [affected(100, request)], {1: state}, NOW, {100: MOVE})
    assert gap.action == GAP and gap.why == ("Left as a gap, as asked.",)
    assert moved.action == MOVE and moved.start != request.start
    assert Placement(NURSE_BAKER, MONITORING_CLINICIAN) not in moved.placements


def test_a_session_already_under_way_is_left_as_a_gap_for_the_desk_to_restaff():
    staff = [make_staff(DR_ADAMS, "Dr Adams", ("MD",)), make_staff(NURSE_BAKER, "Nurse Baker", ("RN",)),
             make_staff(NURSE_CHEN, "Nurse Chen", ("RN",))]
    request = make_request()
    state = make_state(staff=staff, sessions=[booked(100, request)])
    [repair] = plan_repairs(NURSE_BAKER, BAKER_AWAY, [affected(100, request)], {1: state}, at(10, 30))
    assert repair.action == GAP and repair.why[0] == "It has begun: change its team at the desk."
